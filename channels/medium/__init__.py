"""Medium: the long-form article, its canonical link back to the Diff post."""

from __future__ import annotations

from channels.medium.options import MediumOptions
from channels.medium.settings import MediumSettings
from channels.spec import ChannelSpec


def _render(update, context, settings: MediumSettings, options: MediumOptions):  # noqa: ANN001, ANN202
    from channels.medium.render import Medium

    return Medium().render(update, context, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.medium.pane import medium_pane

    return medium_pane(draft)


def _live(settings: MediumSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.medium.transport import MediumTransport

    return MediumTransport(settings, ledger, slug)


def _offline(settings: MediumSettings, outbox, slug: str):  # noqa: ANN001, ANN202
    """Without a token (Medium issues none now), a manual import a person finishes; `outbox` asks for files only."""
    from channels.medium.transport import ManualMediumTransport
    from herald.transports.outbox import OutboxTransport

    return ManualMediumTransport(outbox, slug) if settings.transport == "auto" else OutboxTransport(outbox, slug)


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="medium", settings=MediumSettings, options=MediumOptions, render=_render, pane=_pane, live_transport=_live,
    label="Medium", offline_transport=_offline, shows_body_images=True, recap_label="on Medium",
    lifecycle="channels.medium.lifecycle",
)
