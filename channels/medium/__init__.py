"""Medium: the long-form article, its canonical link back to the Diff post."""

from __future__ import annotations

from channels.medium.options import MediumOptions
from channels.medium.settings import MediumSettings
from herald.core.spec import ChannelSpec, lazy

SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="medium", settings=MediumSettings, options=MediumOptions,
    render=lazy("channels.medium.render:render"), pane=lazy("channels.medium.pane:medium_pane"),
    live_transport=lazy("channels.medium.transport:MediumTransport"),
    offline_transport=lazy("channels.medium.transport:offline_transport"), shows_body_images=True,
    recap_label="on Medium",
    lifecycle="channels.medium.lifecycle",
)
