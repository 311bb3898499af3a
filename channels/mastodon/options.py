"""The `mastodon:` block of an update's front matter."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from content.model import ChannelOptions


class MastodonOptions(ChannelOptions):
    """Who sees the thread, and an optional content warning shown before it."""

    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    content_warning: str | None = None
    thread: tuple[str, ...] | None = None  # hand-written statuses, posted verbatim instead of the automatic thread

    @field_validator("thread")
    @classmethod
    def _statuses(cls, thread: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if thread is not None:
            if not thread:
                raise ValueError("a hand-written thread needs at least one status")
            for number, status in enumerate(thread, 1):
                if not status.strip():
                    raise ValueError(f"status {number} is blank")
        return thread

    @field_validator("content_warning")
    @classmethod
    def _one_line(cls, text: str | None) -> str | None:
        if text is not None and ("\n" in text or not text.strip()):
            raise ValueError("must be one non-blank line")
        return text
