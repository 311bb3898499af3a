"""The `bluesky:` block of an update's front matter."""

from __future__ import annotations

from channels.spec import ChannelOptions


class BlueskyOptions(ChannelOptions):
    """Nothing to choose yet beyond the update itself; the block exists so a typo in it is an error."""
