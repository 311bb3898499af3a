"""An X thread ready to post: what `render()` makes and the transport sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from channels.threads.left_out import left_out_line, left_out_markdown, left_out_note
from herald.core.draft import counted, fenced, json_bytes

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23


@dataclass(frozen=True)
class ThreadDraft:
    """A thread ready to post: each tweet's exact text and weighted length, and tweet 1's image."""

    channel: str = "twitter"
    tweets: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    condensed: bool = False
    hand_written: bool = False
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update the thread does not carry, by its first words
    image: str | None = None
    image_alt: str | None = None
    image_file: Path | None = field(default=None, compare=False)

    def files(self) -> dict[str, bytes]:
        """`thread.json` (the tweets as sent) and `thread.txt` (a listing with each tweet's weight and the image)."""
        count = len(self.tweets)
        entries = []
        for number, (tweet, weight) in enumerate(zip(self.tweets, self.weights, strict=True), 1):
            media = f"[image: {self.image} | alt: {self.image_alt}]\n" if number == 1 and self.image else ""
            entries.append(f"--- {number}/{count} ({weight}/{MAX_WEIGHTED_LENGTH}) ---\n{tweet}\n{media}")
        return {"thread.json": json_bytes(list(self.tweets)), "thread.txt": "\n".join(entries).encode()}

    @property
    def kind(self) -> str:
        """How the thread was made: condensed, hand-written or the full body."""
        return "condensed" if self.condensed else "hand-written" if self.hand_written else "full body"

    def summary(self) -> str:
        """How many tweets, and whether condensed or hand-written."""
        kind = "" if self.kind == "full body" else f", {self.kind}"
        return f"{counted(len(self.tweets), 'tweet')}{kind}{left_out_note(self.left_out)}"

    def facts(self) -> str:
        """How many tweets, how made, and the heaviest against the limit."""
        return (f"{counted(len(self.tweets), 'tweet')} ({self.kind}), longest {max(self.weights)}/{MAX_WEIGHTED_LENGTH}"
                f"{left_out_line(self.left_out)}")

    def text(self) -> str:
        """The tweets as read."""
        return "\n\n".join(self.tweets)

    def markdown(self) -> str:
        """Each tweet, numbered and weighed, exactly as posted."""
        count = len(self.tweets)
        return "\n## X thread\n" + "".join(
            f"\n**{number}/{count}** ({weight}/{MAX_WEIGHTED_LENGTH})\n\n{fenced(tweet)}"
            for number, (tweet, weight) in enumerate(zip(self.tweets, self.weights, strict=True), 1)
        ) + left_out_markdown(self.left_out)
