"""A Mastodon thread ready to post: what `render()` makes and the transport sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from channels.threads.left_out import left_out_line, left_out_markdown, left_out_note
from herald.core.draft import counted, fenced, json_bytes


@dataclass(frozen=True)
class MastodonDraft:
    """Each status's exact text and counted length, the thread's visibility and warning, status 1's image."""

    channel: str = "mastodon"
    statuses: tuple[str, ...] = ()
    lengths: tuple[int, ...] = ()  # as the instance counts them (a URL counts url_weight)
    limit: int = 500
    visibility: str = "public"
    spoiler_text: str = ""  # the content warning, on every status of the thread
    language: str = "en"
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update the thread does not carry, by its first words
    image: str | None = None  # the image's name as the update gives it
    image_alt: str | None = None
    image_file: Path | None = field(default=None, compare=False)

    def files(self) -> dict[str, bytes]:
        """`mastodon.json`: the statuses and their settings exactly as posted."""
        return {"mastodon.json": json_bytes({
            "statuses": list(self.statuses), "visibility": self.visibility, "spoiler_text": self.spoiler_text,
            "language": self.language, "image": self.image, "image_alt": self.image_alt,
        })}

    def summary(self) -> str:
        """How many statuses, and to whom."""
        return f"{counted(len(self.statuses), 'status', 'statuses')}, {self.visibility}{left_out_note(self.left_out)}"

    def facts(self) -> str:
        """Statuses, visibility, the content warning and the longest against the instance's limit."""
        warning = f", CW “{self.spoiler_text}”" if self.spoiler_text else ""
        return (f"{counted(len(self.statuses), 'status', 'statuses')} ({self.visibility}{warning}), "
                f"longest {max(self.lengths, default=0)}/{self.limit}{left_out_line(self.left_out)}")

    def text(self) -> str:
        """The statuses as read."""
        return "\n\n".join(self.statuses)

    def markdown(self) -> str:
        """Each status, numbered and counted, exactly as posted."""
        count = len(self.statuses)
        warning = f"\nContent warning on every status: {self.spoiler_text}\n" if self.spoiler_text else ""
        return f"\n## Mastodon thread\n{warning}" + "".join(
            f"\n**{number}/{count}** ({length}/{self.limit})\n\n{fenced(status)}"
            for number, (status, length) in enumerate(zip(self.statuses, self.lengths, strict=True), 1)
        ) + left_out_markdown(self.left_out)
