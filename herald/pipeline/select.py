"""Choose each channel's transport from configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.registry import CHANNELS
from herald.core.outbox import OutboxTransport

if TYPE_CHECKING:
    from config.settings import Settings
    from herald.core.ledger import Ledger
    from herald.core.transport import Transport


def transport_for(channel: str, settings: Settings, slug: str, ledger: Ledger) -> Transport:
    """The live transport when the channel's settings ask for it (or have credentials), else the outbox."""
    spec, section = CHANNELS[channel], settings.channel(channel)
    if section.is_live():
        return spec.live_transport(section, ledger, slug)
    if spec.offline_transport is not None:
        return spec.offline_transport(section, settings.outbox, slug)
    return OutboxTransport(settings.outbox, slug)
