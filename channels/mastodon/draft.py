"""A Mastodon thread ready to post: what `render()` makes and the transport sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from channels.base import json_bytes


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
    image: str | None = None  # the image's name as the update gives it
    image_alt: str | None = None
    image_file: Path | None = field(default=None, compare=False)

    def files(self) -> dict[str, bytes]:
        """`mastodon.json`: the statuses and their settings exactly as posted."""
        return {"mastodon.json": json_bytes({
            "statuses": list(self.statuses), "visibility": self.visibility, "spoiler_text": self.spoiler_text,
            "language": self.language, "image": self.image, "image_alt": self.image_alt,
        })}
