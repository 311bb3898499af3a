"""The explicit registry of channels, in publishing order: a new channel is one folder and one name here."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from channels.spec import ChannelSpec

ORDER = ("diff", "medium", "twitter", "email")  # Diff first: the others link to its URL

CHANNELS: dict[str, ChannelSpec] = {name: import_module(f"channels.{name}").SPEC for name in ORDER}


def get(name: str) -> ChannelSpec:
    """The channel called `name`."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise KeyError(f"no channel called {name!r} (known: {', '.join(CHANNELS)})") from None


def lifecycle(name: str) -> ModuleType:
    """The channel's corrections and retractions (`correct`, `retract`), or herald's default for a channel without."""
    return import_module(CHANNELS[name].lifecycle or "herald.lifecycle.by_default")
