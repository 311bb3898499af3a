"""Diff: the WordPress post every other channel links to."""

from __future__ import annotations

from channels.diff.options import DiffOptions
from channels.diff.pane import diff_pane
from channels.diff.render import Diff
from channels.diff.settings import DiffSettings
from channels.spec import ChannelSpec


def _live(settings: DiffSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.diff.transport import WordPressTransport

    return WordPressTransport(settings, ledger, slug)


SPEC = ChannelSpec(
    name="diff", label="Diff (WordPress)", settings=DiffSettings, options=DiffOptions,
    render=lambda update, context, settings, options: Diff().render(update, context, options),
    live_transport=_live, pane=diff_pane, waits_for_diff=False,
)
