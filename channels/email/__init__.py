"""Email: the announcement to the mailing list, plain text plus HTML over SMTP."""

from __future__ import annotations

from channels.email.options import EmailOptions
from channels.email.pane import email_pane
from channels.email.render import Email
from channels.email.settings import EmailSettings
from channels.spec import ChannelSpec


def _live(settings: EmailSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.email.transport import SmtpTransport

    return SmtpTransport(settings, ledger, slug)


SPEC = ChannelSpec(
    name="email", label="Email", settings=EmailSettings, options=EmailOptions,
    render=lambda update, context, settings, options: Email(settings).render(update, context, options),
    live_transport=_live, pane=email_pane,
)
