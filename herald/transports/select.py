"""Choose each channel's transport from configuration."""

from __future__ import annotations

from config.settings import Settings
from herald.ledger import Ledger
from herald.transports import Transport
from herald.transports.outbox import OutboxTransport


def transport_for(channel: str, settings: Settings, slug: str, ledger: Ledger) -> Transport:
    """The live transport when the channel's settings ask for it (or have credentials), else the outbox."""
    section = getattr(settings, channel)
    if not section.is_live():
        if channel == "medium" and section.transport == "auto":
            from channels.medium.transport import ManualMediumTransport

            return ManualMediumTransport(settings.outbox, slug)
        return OutboxTransport(settings.outbox, slug)
    if channel == "diff":
        from channels.diff.transport import WordPressTransport

        return WordPressTransport(settings.diff, ledger, slug)
    if channel == "medium":
        from channels.medium.transport import MediumTransport

        return MediumTransport(settings.medium, ledger, slug)
    if channel == "twitter":
        from channels.twitter.transport import XTransport

        return XTransport(settings.twitter, ledger, slug)
    from channels.email.transport import SmtpTransport

    return SmtpTransport(settings.email, ledger, slug)
