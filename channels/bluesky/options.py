"""The `bluesky:` block of an update's front matter."""

from __future__ import annotations

from pydantic import field_validator

from content.model import ChannelOptions


class BlueskyOptions(ChannelOptions):
    """An optional hand-written thread; the block exists so a typo in it is an error."""

    thread: tuple[str, ...] | None = None  # hand-written posts, sent verbatim (links shown short) instead

    @field_validator("thread")
    @classmethod
    def _posts(cls, thread: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if thread is not None:
            if not thread:
                raise ValueError("a hand-written thread needs at least one post")
            for number, text in enumerate(thread, 1):
                if not text.strip():
                    raise ValueError(f"post {number} is blank")
        return thread
