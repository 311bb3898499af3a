"""The `medium:` block of an update's front matter."""

from __future__ import annotations

from typing import Literal

from content.model import ChannelOptions


class MediumOptions(ChannelOptions):
    """Medium options from the update's `medium:` block."""

    tags: tuple[str, ...] | None = None
    publish_status: Literal["draft", "public", "unlisted"] = "draft"
