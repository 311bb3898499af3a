"""Diff: the WordPress post every other channel links to."""

from __future__ import annotations

from channels.diff.options import DiffOptions
from channels.diff.settings import DiffSettings
from herald.core.spec import ChannelSpec, lazy

SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="diff", settings=DiffSettings, options=DiffOptions,
    render=lazy("channels.diff.render:render"), pane=lazy("channels.diff.pane:diff_pane"),
    live_transport=lazy("channels.diff.transport:WordPressTransport"),
    waits_for_diff=False, shows_body_images=True, looks_up=True, recap_label="Read more",
    site_notes=lazy("channels.diff.notes:term_notes"),
    lifecycle="channels.diff.lifecycle",
)
