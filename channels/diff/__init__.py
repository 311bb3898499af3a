"""Diff: the WordPress post every other channel links to."""

from __future__ import annotations

from channels.diff.options import DiffOptions
from channels.diff.settings import DiffSettings
from channels.spec import ChannelSpec


def _render(update, context, settings: DiffSettings, options: DiffOptions):  # noqa: ANN001, ANN202
    from channels.diff.render import Diff

    return Diff().render(update, context, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.diff.pane import diff_pane

    return diff_pane(draft)


def _site_notes(settings: DiffSettings, draft, slug: str) -> tuple[list[str], str | None]:  # noqa: ANN001
    from channels.diff.notes import term_notes

    return term_notes(settings, draft, slug)


def _live(settings: DiffSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.diff.transport import WordPressTransport

    return WordPressTransport(settings, ledger, slug)


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="diff", settings=DiffSettings, options=DiffOptions, render=_render, pane=_pane, live_transport=_live,
    label="Diff (WordPress)", waits_for_diff=False, shows_body_images=True, looks_up=True, recap_label="Read more",
    site_notes=_site_notes, lifecycle="channels.diff.lifecycle",
)
