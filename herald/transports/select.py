"""Choose each channel's transport from configuration."""

from __future__ import annotations

from config.settings import Settings
from herald.transports import Transport
from herald.transports.outbox import OutboxTransport


def transport_for(channel: str, settings: Settings, slug: str) -> Transport:
    """The live transport when the channel's settings ask for it, else the local outbox."""
    section = getattr(settings, channel)
    if section.is_live():
        raise NotImplementedError(f"{channel}: live transport is not built yet; set transport = \"outbox\"")
    return OutboxTransport(settings.outbox, slug)
