"""Render benchmark: the default channels on varied text with every cache cleared, and where the time goes.

Run: .venv/bin/python bench/render.py [--repeat 9] [--words 300,3000,30000] [--profile] [--smoke]

Each update is generated from a seeded vocabulary (sentences of varied length and words, links, lists, a table,
footnotes, headings), so no paragraph repeats. Before every timed render, every `functools` cache of herald's own
modules (content, channels, herald, config) is cleared, so each repeat is a cold render of a new text. Each channel
is rendered the way check, preview and publish render it (`herald.pipeline.render.render_channel`, default
settings, the channels `select_channels` picks). Times are this process's CPU time (`time.process_time`: on a
shared machine, about what the wall would be on a free core); the whole render's wall time is printed too. The
ratios divide the render by a stock markdown-it CommonMark parse (no plugins, no linkify) of the same texts,
timed just before: library code no herald change touches, so the ratio compares runs on a loaded machine. Figures
are the median and the spread (min-max) of `--repeat` renders. `--profile` adds cProfile's top functions over the
3,000-word renders. `--smoke`: two small sizes, two repeats, a few seconds; every draft is checked for its shape.
Files are written only under a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from benchkit import expect, load_line, smoke_ok, spread  # noqa: E402 - after the path set-up
from markdown_it import MarkdownIt  # noqa: E402

VOCABULARY = (
    "commission parliament consultation copyright exception mining volunteers encyclopedia licence platform "
    "regulation liability transparency researchers archive access knowledge public interest community editors "
    "moderation safeguards member states proposal amendment trilogue deadline response submission evidence "
    "privacy data protection children online safety intermediary notice takedown court ruling precedent "
    "accessibility multilingual open source infrastructure funding libraries museums heritage education"
)
WORDS = tuple(VOCABULARY.split(" "))
CONNECTORS = ("and", "but", "because", "while", "so", "although", "which", "that", "when", "where")


def sentence(rng: random.Random, words: int) -> str:
    """A sentence of about `words` words, sometimes with a link or emphasis."""
    picked = [rng.choice(WORDS if n % 5 else CONNECTORS) for n in range(words)]
    if rng.random() < 0.15:
        at = rng.randrange(len(picked))
        picked[at] = f"[{picked[at]}](https://meta.wikimedia.org/wiki/{rng.choice(WORDS)}_{rng.randrange(999)})"
    if rng.random() < 0.1:
        at = rng.randrange(len(picked))
        picked[at] = f"*{picked[at]}*"
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def body(rng: random.Random, words: int) -> str:
    """Sections of paragraphs, lists, a table and footnotes, about `words` words, no paragraph repeated."""
    parts: list[str] = []
    count, section, footnotes = 0, 0, 0
    while count < words:
        roll = rng.random()
        if len(parts) % 7 == 0:
            section += 1
            parts.append(f"## {' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()}")
        elif roll < 0.15:
            items = [sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5))]
            parts.append("\n".join(f"- {item}" for item in items))
            count += sum(len(item.split()) for item in items)
        elif roll < 0.2:
            rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |" for _ in range(4)]
            parts.append("| topic | count | status |\n|---|---:|---|\n" + "\n".join(rows))
            count += 12
        else:
            text = " ".join(sentence(rng, rng.randint(5, 30)) for _ in range(rng.randint(2, 6)))
            if rng.random() < 0.1:
                footnotes += 1
                text += f"[^{footnotes}]"
                parts.append(text)
                parts.append(f"[^{footnotes}]: {sentence(rng, 12)}")
            else:
                parts.append(text)
            count += len(text.split())
    return "\n\n".join(parts)


def make_update(folder: Path, words: int, seed: int) -> Path:
    """A new update file of about `words` words of varied text."""
    rng = random.Random(seed)
    path = folder / f"bench-{words}-{seed}.md"
    path.write_text(
        f"---\ntitle: Benchmark update {seed} with {words} words\ndate: 2026-10-08\n"
        f"summary: {json.dumps(sentence(rng, 20))}\ntags: [benchmark, copyright]\n---\n{body(rng, words)}\n",
        encoding="utf-8",
    )
    return path


def clear_caches() -> int:
    """Clear every functools cache in herald's own modules; returns how many were cleared."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(("content", "channels", "herald", "config")) or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
                cleared += 1
    return cleared


def timed(action: Callable[[], object]) -> float:
    """CPU milliseconds of one call."""
    start = time.process_time()
    action()
    return (time.process_time() - start) * 1000


STOCK = MarkdownIt("commonmark")  # the unit of the ratios: library code that no herald change touches


def check_drafts(drafts: dict[str, object], words: int) -> None:
    """Each default channel gave a draft of its own shape, as long as the text asks for."""
    expect(set(drafts) == {"diff", "medium", "twitter", "email"}, f"channels rendered: {sorted(drafts)}")
    expect("<h2" in drafts["diff"].content and len(drafts["diff"].content) > words * 4, "Diff post too short")
    expect("<h2" in drafts["medium"].content, "Medium article without its sections")
    expect(len(drafts["twitter"].tweets) >= 2, f"a {words}-word update gave {len(drafts['twitter'].tweets)} tweets")
    message = drafts["email"].as_bytes()  # over 40 KB the email is an announcement: the summary and each section
    expect(b"multipart/alternative" in message and len(message) > 2_000, "email message without its two parts")


class Sizes:
    """The timings of one size: whole renders, the parse alone, loading, each channel."""

    def __init__(self) -> None:
        self.whole: list[float] = []
        self.wall: list[float] = []
        self.parse: list[float] = []
        self.unit: list[float] = []
        self.load: list[float] = []
        self.channels: dict[str, list[float]] = {}


def render_once(path: Path, settings: object, times: Sizes) -> dict[str, object]:
    """One cold render of one file: the parse alone, then load and every default channel; returns the drafts."""
    from channels.registry import load_update
    from content.markdown import MARKDOWN
    from herald.pipeline.render import context_for, render_channel, select_channels

    clear_caches()
    text = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    times.unit.append(timed(lambda: STOCK.parse(text)))
    times.parse.append(timed(lambda: MARKDOWN.parse(text)))
    clear_caches()
    start, wall = time.process_time(), time.perf_counter()
    update = load_update(path)
    times.load.append((time.process_time() - start) * 1000)
    context = context_for(update, settings)
    drafts = {}
    for name in select_channels(update, None, settings):
        began = time.process_time()
        drafts[name] = render_channel(name, update, context, settings)
        times.channels.setdefault(name, []).append((time.process_time() - began) * 1000)
    times.whole.append((time.process_time() - start) * 1000)
    times.wall.append((time.perf_counter() - wall) * 1000)
    return drafts


def profile(paths: list[Path], settings: object) -> None:
    """cProfile's top functions (own time) over cold renders of `paths`."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    for path in paths:
        profiler.runcall(render_once, path, settings, Sizes())
    print("\ncProfile, own time, over the 3,000-word renders:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--words", default="300,3000,30000")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="two small sizes, two repeats; checks every draft")
    args = parser.parse_args()
    sizes = [200, 600] if args.smoke else [int(n) for n in args.words.split(",")]
    repeat = 2 if args.smoke else args.repeat
    os.environ.pop("HERALD_CONFIG", None)
    from config.settings import load_settings

    settings = load_settings()
    print(f"{load_line()}; median (min-max) of {repeat} renders, each a new text, every cache cleared")
    medians: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="herald-render-bench-") as scratch:
        render_once(make_update(Path(scratch), 300, seed=-1), settings, Sizes())  # imports, not timed
        for words in sizes:
            count = max(3, repeat // 3) if words > 10_000 else repeat
            paths = [make_update(Path(scratch), words, seed) for seed in range(count)]
            times = Sizes()
            for path in paths:
                check_drafts(render_once(path, settings, times), words)
            medians[words] = (statistics.median(times.whole), statistics.median(times.unit))
            report(words, times)
            if args.profile and words == 3_000:
                profile(paths, settings)
    print(f"\n{clear_caches()} caches cleared before each render")
    for words, (whole, unit) in medians.items():
        print(f"ratio {words:,} words: render / stock commonmark parse of the same texts = {whole / unit:.2f}")
    if args.smoke:
        smoke_ok(f"{len(sizes)} sizes x {repeat} cold renders, every draft of the expected shape")


def report(words: int, times: Sizes) -> None:
    """The lines of one size."""
    print(f"\n{words:,} words: load + {len(times.channels)} channels {spread(times.whole)} ms CPU"
          + ("   (target < 50 ms)" if words == 3_000 else "") + f"; wall {spread(times.wall)} ms")
    print(f"  herald's markdown-it parse alone {spread(times.parse)} ms; load + validate {spread(times.load)} ms; "
          f"stock commonmark parse {spread(times.unit)} ms")
    for name, timings in times.channels.items():
        print(f"  {name:<8} {spread(timings)} ms")


if __name__ == "__main__":
    main()
