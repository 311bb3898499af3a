"""The explicit registry of channels, in publishing order: a new channel is one folder and one name here."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from herald.core.spec import ChannelSpec

DEFAULT_LIFECYCLE = "herald.core.lifecycle"
ORDER = ("diff", "medium", "twitter", "email", "mastodon", "bluesky")  # Diff first: the others link to its URL

CHANNELS: dict[str, ChannelSpec] = {name: import_module(f"channels.{name}").SPEC for name in ORDER}


def get(name: str) -> ChannelSpec:
    """The channel called `name`."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise KeyError(f"no channel called {name!r} (known: {', '.join(CHANNELS)})") from None


def lifecycle_hook(name: str, hook: str) -> Any:
    """One function (or flag) of a channel's lifecycle module; herald's default where the channel defines none."""
    own = import_module(CHANNELS[name].lifecycle or DEFAULT_LIFECYCLE)
    return getattr(own, hook, None) or getattr(import_module(DEFAULT_LIFECYCLE), hook)
