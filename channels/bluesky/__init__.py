"""Bluesky: a thread of posts of at most 300 graphemes, exactly once through record keys."""

from __future__ import annotations

from channels.bluesky.options import BlueskyOptions
from channels.bluesky.settings import BlueskySettings
from herald.core.spec import ChannelSpec, lazy

SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="bluesky", settings=BlueskySettings, options=BlueskyOptions,
    render=lazy("channels.bluesky.render:render"), pane=lazy("channels.bluesky.pane:bluesky_pane"),
    live_transport=lazy("channels.bluesky.transport:BlueskyTransport"),
    done_word="thread posted", thread=True, looks_up=True, recap_label="the thread on Bluesky",
    lifecycle="channels.bluesky.lifecycle",
)
