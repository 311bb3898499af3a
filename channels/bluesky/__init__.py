"""Bluesky: a thread of posts of at most 300 graphemes, exactly once through record keys."""

from __future__ import annotations

from channels.bluesky.options import BlueskyOptions
from channels.bluesky.settings import BlueskySettings
from channels.spec import ChannelSpec


def _render(update, context, settings: BlueskySettings, options: BlueskyOptions):  # noqa: ANN001, ANN202
    from channels.bluesky.render import render

    return render(update, context, settings, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.bluesky.pane import bluesky_pane

    return bluesky_pane(draft)


def _live(settings: BlueskySettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.bluesky.transport import BlueskyTransport

    return BlueskyTransport(settings, ledger, slug)


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="bluesky", settings=BlueskySettings, options=BlueskyOptions, render=_render, pane=_pane,
    live_transport=_live, label="Bluesky", done_word="thread posted", thread=True, looks_up=True,
    recap_label="the thread on Bluesky", lifecycle="channels.bluesky.lifecycle",
)
