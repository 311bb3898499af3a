"""The one reply a correction posts under the thread."""

from __future__ import annotations

from twitter_text import parse_tweet

from channels.threads.lifecycle import correction_text
from content.model import Update
from herald.core.draft import RenderError

MAX_TWEET_WEIGHT = 280


def correction_tweet(update: Update, diff_url: str) -> str:
    """The one reply a correction posts under the thread; its weighted length must fit one tweet."""
    assert update.correction is not None
    text = correction_text(update.correction, diff_url)
    weight = parse_tweet(text).weightedLength
    if weight > MAX_TWEET_WEIGHT:
        raise RenderError(update, "correction", f"the correction tweet is {weight} weighted characters (with the "
                          f"Diff link); X takes {MAX_TWEET_WEIGHT}: shorten `correction:`")
    return text
