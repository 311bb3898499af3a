"""X: a thread split by X's weighted-length rules, posted through tweepy."""

from __future__ import annotations

import re

from channels.spec import ChannelSpec
from channels.twitter.options import TwitterOptions
from channels.twitter.settings import TwitterSettings


def _render(update, context, settings: TwitterSettings, options: TwitterOptions):  # noqa: ANN001, ANN202
    from channels.twitter.render import Twitter

    return Twitter(settings).render(update, context, options)


def _pane(draft) -> str:  # noqa: ANN001
    from channels.twitter.pane import twitter_pane

    return twitter_pane(draft)


def _live(settings: TwitterSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.twitter.transport import XTransport

    return XTransport(settings, ledger, slug)


def _status_id(url: str) -> str:
    """The tweet's id in a status URL a person pasted (x.com/.../status/ID), else the URL."""
    found = re.search(r"/status(?:es)?/(\d+)", url)
    return found.group(1) if found else url


SPEC = ChannelSpec(  # the heavy parts (renderer, pane, transport) load when first used
    name="twitter", settings=TwitterSettings, options=TwitterOptions, render=_render, pane=_pane, live_transport=_live,
    label="X thread", done_word="thread posted", thread=True, looks_up=True, remote_id=_status_id,
    recap_label="the thread on X", part_kind="tweet",
    lifecycle="channels.twitter.lifecycle",
)
