"""X: a thread split by X's weighted-length rules, posted through tweepy."""

from __future__ import annotations

from channels.spec import ChannelSpec
from channels.twitter.options import TwitterOptions
from channels.twitter.pane import twitter_pane
from channels.twitter.render import Twitter
from channels.twitter.settings import TwitterSettings


def _live(settings: TwitterSettings, ledger, slug: str):  # noqa: ANN001, ANN202
    from channels.twitter.transport import XTransport

    return XTransport(settings, ledger, slug)


SPEC = ChannelSpec(
    name="twitter", label="X thread", settings=TwitterSettings, options=TwitterOptions,
    render=lambda update, context, settings, options: Twitter(settings).render(update, context, options),
    live_transport=_live, pane=twitter_pane,
)
