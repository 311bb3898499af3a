"""The explicit registry of channels, in publishing order: a new channel is one folder and one name here."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from pydantic import create_model

from content import loader
from content.model import Update
from herald.core import lifecycle as by_default
from herald.core.spec import ChannelSpec

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
    module = CHANNELS[name].lifecycle
    own = import_module(module) if module else by_default
    return getattr(own, hook, None) or getattr(by_default, hook)


@cache
def update_model() -> type[Update]:
    """`Update` with one front-matter block per registered channel (`diff:`, `twitter:` ...) and their names."""
    names = tuple(CHANNELS)
    blocks = {name: (spec.options, spec.options()) for name, spec in CHANNELS.items()}
    return create_model("Update", __base__=Update, channels=(tuple[Literal[names], ...] | None, None), **blocks)


def load_update(path: Path | str, content_root: Path | str | None = None) -> Update:
    """Load and validate one update file, with every registered channel's front-matter block."""
    return loader.load_update(path, content_root, update_model())
