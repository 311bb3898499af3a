"""The explicit registry of channel adapters, in publishing order."""

from __future__ import annotations

from channels.base import Channel
from channels.diff.render import Diff
from channels.email.render import Email
from channels.medium.render import Medium
from channels.twitter.render import Twitter

CHANNELS: dict[str, Channel] = {
    "diff": Diff(),
    "medium": Medium(),
    "twitter": Twitter(),
    "email": Email(),
}


def get(name: str) -> Channel:
    """The adapter called `name`."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise KeyError(f"no channel called {name!r} (known: {', '.join(CHANNELS)})") from None
