"""Email: the announcement to the mailing list, plain text plus HTML over SMTP."""

from __future__ import annotations

from channels.email.options import EmailOptions
from channels.email.settings import EmailSettings
from herald.core.spec import ChannelSpec, lazy

SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="email", settings=EmailSettings, options=EmailOptions,
    render=lazy("channels.email.render:render"), pane=lazy("channels.email.pane:email_pane"),
    live_transport=lazy("channels.email.transport:SmtpTransport"),
    done_word="sent", shows_body_images=True,
    lifecycle="channels.email.lifecycle",
)
