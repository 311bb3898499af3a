"""The `diff:` block of an update's front matter."""

from __future__ import annotations

from typing import Literal

from content.model import ChannelOptions


class DiffOptions(ChannelOptions):
    """Diff (WordPress) options from the update's `diff:` block."""

    categories: tuple[str, ...] = ()
    status: Literal["draft", "pending", "publish", "private"] = "publish"
