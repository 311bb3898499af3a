"""X: a thread split by X's weighted-length rules, posted through tweepy."""

from __future__ import annotations

import re

from channels.twitter.options import TwitterOptions
from channels.twitter.settings import TwitterSettings
from herald.core.spec import ChannelSpec, lazy


def _status_id(url: str) -> str:
    """The tweet's id in a status URL a person pasted (x.com/.../status/ID), else the URL."""
    found = re.search(r"/status(?:es)?/(\d+)", url)
    return found.group(1) if found else url


SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="twitter", settings=TwitterSettings, options=TwitterOptions,
    render=lazy("channels.twitter.render:render"), pane=lazy("channels.twitter.pane:twitter_pane"),
    live_transport=lazy("channels.twitter.transport:XTransport"),
    done_word="thread posted", thread=True, looks_up=True, remote_id=_status_id,
    recap_label="the thread on X", part_kind="tweet", parts_word="tweets",
    lifecycle="channels.twitter.lifecycle",
)
