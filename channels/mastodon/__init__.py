"""Mastodon: a thread of statuses within the instance's limits, exactly once through Idempotency-Key."""

from __future__ import annotations

import re

from channels.mastodon.options import MastodonOptions
from channels.mastodon.settings import MastodonSettings
from herald.core.spec import ChannelSpec, lazy

STATUS_URL = re.compile(r"/(?:@[^/]+|statuses|notice)/(\d+)/?(?:[?#].*)?$")  # https://instance/@user/ID


def status_id_in(url: str) -> str:
    """The status id in a URL a person pasted, else the URL."""
    found = STATUS_URL.search(url)
    return found.group(1) if found else url


SPEC = ChannelSpec(  # the renderer, pane and transport load when first used
    name="mastodon", settings=MastodonSettings, options=MastodonOptions,
    render=lazy("channels.mastodon.render:render"), pane=lazy("channels.mastodon.pane:mastodon_pane"),
    live_transport=lazy("channels.mastodon.transport:MastodonTransport"),
    done_word="thread posted", thread=True, looks_up=True, remote_id=status_id_in,
    recap_label="the thread on Mastodon", parts_word="statuses",
    lifecycle="channels.mastodon.lifecycle",
)
