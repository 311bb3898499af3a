"""The `twitter:` block of an update's front matter."""

from __future__ import annotations

from pydantic import field_validator

from content.model import ChannelOptions


class TwitterOptions(ChannelOptions):
    """X options from the update's `twitter:` block."""

    thread: tuple[str, ...] | None = None

    @field_validator("thread")
    @classmethod
    def _thread_not_empty(cls, thread: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if thread is not None:
            if not thread:
                raise ValueError("a hand-written thread needs at least one tweet")
            for number, tweet in enumerate(thread, 1):
                if not tweet.strip():
                    raise ValueError(f"tweet {number} is blank")
        return thread
