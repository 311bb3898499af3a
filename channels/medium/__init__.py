"""Medium: the long-form article, its canonical link back to the Diff post."""

from __future__ import annotations

from channels.medium.options import MediumOptions
from channels.medium.pane import medium_pane
from channels.medium.render import Medium
from channels.medium.settings import MediumSettings
from channels.spec import ChannelSpec


def _live(settings: MediumSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.medium.transport import MediumTransport

    return MediumTransport(settings, ledger, slug)


def _offline(settings: MediumSettings, outbox, slug: str):  # noqa: ANN001, ANN202
    """Without a token (Medium issues none now), a manual import a person finishes; `outbox` asks for files only."""
    from channels.medium.transport import ManualMediumTransport
    from herald.transports.outbox import OutboxTransport

    return ManualMediumTransport(outbox, slug) if settings.transport == "auto" else OutboxTransport(outbox, slug)


SPEC = ChannelSpec(
    name="medium", label="Medium", settings=MediumSettings, options=MediumOptions,
    render=lambda update, context, settings, options: Medium().render(update, context, options),
    live_transport=_live, pane=medium_pane, offline_transport=_offline,
)
