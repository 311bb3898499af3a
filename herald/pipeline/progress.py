"""What a publish is doing while a person waits: a live line per channel on a terminal, plain lines elsewhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from channels.registry import CHANNELS
from herald.core.status import Status, known

Reporter = Callable[[str], None]

_current: Progress | None = None


def report(channel: str, text: str) -> None:
    """Tell the active display (if any) what a channel is doing; `-` is the whole run (engine, pre-flight)."""
    if _current is not None:
        _current.update(channel, text)


def reporter(channel: str) -> Reporter:
    """A callback for one channel, for transports to report steps (e.g. "tweet 3 of 7 posted")."""
    return lambda text: report(channel, text)


def outcome(channel: str, status: str) -> str:
    """The words for a channel's final status."""
    if status == Status.PUBLISHED and channel in CHANNELS:
        return CHANNELS[channel].done_word
    found = known(status)
    return found.word if found is not None else status


class Progress:
    """Per-channel lines with the elapsed time: redrawn live on a terminal, appended as plain lines otherwise."""

    def __init__(self, console: Console, title: str, live: bool | None = None) -> None:
        self.console = console
        self.title = title
        self.live = console.is_terminal if live is None else live
        self.started = time.monotonic()
        self.lines: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def update(self, channel: str, text: str) -> None:
        """Record a channel's current step; print it at once when not live."""
        with self._lock:
            self.lines[channel] = (text, self.elapsed())
        if not self.live:
            self.console.print(f"[{self.elapsed():5.1f}s] {channel if channel != '-' else self.title}: {text}",
                               markup=False, highlight=False)

    def __rich__(self) -> Group:
        with self._lock:
            lines = dict(self.lines)
        general = lines.pop("-", None)
        heading = Text(f"{self.title} · {self.elapsed():.1f}s", style="bold")
        if general:
            heading.append(f" · {general[0]}", style="cyan")
        table = Table.grid(padding=(0, 2))
        for channel, (text, at) in lines.items():
            table.add_row(Text(f"  {channel}"), Text(text), Text(f"{at:.1f}s", style="dim"))
        return Group(heading, table)


@contextmanager
def showing(console: Console, title: str, live: bool | None = None) -> Iterator[Progress]:
    """Make a display the active one while the block runs (a transient live view on a terminal)."""
    global _current
    progress = Progress(console, title, live)
    previous, _current = _current, progress
    try:
        if progress.live:
            with Live(progress, console=console, refresh_per_second=4, transient=True):
                yield progress
        else:
            yield progress
    finally:
        _current = previous
