"""Mastodon: a thread of statuses within the instance's limits, exactly once through Idempotency-Key."""

from __future__ import annotations

import re

from channels.mastodon.options import MastodonOptions
from channels.mastodon.settings import MastodonSettings
from channels.spec import ChannelSpec


def _render(update, context, settings: MastodonSettings, options: MastodonOptions):  # noqa: ANN001, ANN202
    from channels.mastodon.render import render

    return render(update, context, settings, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.mastodon.pane import mastodon_pane

    return mastodon_pane(draft)


def _live(settings: MastodonSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.mastodon.transport import MastodonTransport

    return MastodonTransport(settings, ledger, slug)


def _status_id(url: str) -> str:
    """The status id in a URL a person pasted (https://instance/@user/ID), else the URL."""
    found = re.search(r"/(?:@[^/]+|statuses|notice)/(\d+)/?(?:[?#].*)?$", url)
    return found.group(1) if found else url


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="mastodon", settings=MastodonSettings, options=MastodonOptions, render=_render, pane=_pane,
    live_transport=_live, label="Mastodon", done_word="thread posted", thread=True, looks_up=True,
    remote_id=_status_id, recap_label="the thread on Mastodon", lifecycle="channels.mastodon.lifecycle",
)
