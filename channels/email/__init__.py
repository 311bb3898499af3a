"""Email: the announcement to the mailing list, plain text plus HTML over SMTP."""

from __future__ import annotations

from channels.email.options import EmailOptions
from channels.email.settings import EmailSettings
from channels.spec import ChannelSpec


def _render(update, context, settings: EmailSettings, options: EmailOptions):  # noqa: ANN001, ANN202
    from channels.email.render import Email

    return Email(settings).render(update, context, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.email.pane import email_pane

    return email_pane(draft)


def _live(settings: EmailSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.email.transport import SmtpTransport

    return SmtpTransport(settings, ledger, slug)


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="email", settings=EmailSettings, options=EmailOptions, render=_render, pane=_pane, live_transport=_live,
    label="Email", done_word="sent", shows_body_images=True,
    lifecycle="channels.email.lifecycle",
)
