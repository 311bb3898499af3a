"""X (Twitter): an update as a thread within twitter-text v3 weighted lengths, the Diff link and image on tweet 1."""

from __future__ import annotations

import re
from dataclasses import replace

from twitter_text import parse_tweet

from channels.threads import split
from channels.threads.engine import ThreadRules, build_thread
from channels.twitter.draft import MAX_WEIGHTED_LENGTH, URL_WEIGHT, ThreadDraft
from channels.twitter.options import TwitterOptions
from channels.twitter.settings import TwitterSettings
from content.model import Update
from herald.core.draft import RenderContext, RenderError

__all__ = ["MAX_WEIGHTED_LENGTH", "URL_WEIGHT", "ThreadDraft", "Twitter", "render", "rules"]

DEFAULT_MAX_TWEETS = 10
MAX_ALT_TEXT = 1000  # X's limit for an image's alt text

_REJECTED = re.compile("[\ufffe\ufeff\uffff]")


def rules(settings: TwitterSettings) -> ThreadRules:
    """X's thread rules: twitter-text v3 weights, every URL 23 (t.co), the link where the settings put it."""
    return ThreadRules(
        limit=MAX_WEIGHTED_LENGTH, url_weight=URL_WEIGHT, measure=split.X, max_posts=settings.max_tweets,
        link=settings.link, posts="tweets", max_setting="max_tweets",
    )


def rejection(number: int, tweet: str, weight: int) -> str:
    """Why X would refuse a hand-written tweet."""
    if weight > MAX_WEIGHTED_LENGTH:
        return f"tweet {number} is {weight}/{MAX_WEIGHTED_LENGTH} weighted characters"
    bad = _REJECTED.search(tweet)
    code = f" (U+{ord(bad.group()):04X})" if bad else ""
    return f"tweet {number} contains a character X does not accept{code}"


def hand_written(update: Update, context: RenderContext, max_tweets: int, thread: tuple[str, ...]) -> ThreadDraft:
    """The update's own thread, verbatim; refuse it rather than cut it."""
    if len(thread) > max_tweets:
        raise RenderError(
            update,
            f"twitter.thread.{max_tweets + 1}",
            f"the hand-written thread has {len(thread)} tweets; max_tweets is {max_tweets}",
        )
    weights = []
    for number, tweet in enumerate(thread, 1):
        result = parse_tweet(tweet)
        if not result.valid:
            raise RenderError(update, f"twitter.thread.{number}", rejection(number, tweet, result.weightedLength))
        weights.append(result.weightedLength)
    warnings = ()
    if not any(context.diff_url in tweet for tweet in thread):
        warnings = (f"the hand-written thread does not link the Diff post ({context.diff_url})",)
    return ThreadDraft(tweets=tuple(thread), weights=tuple(weights), hand_written=True, warnings=warnings)


def render(
    update: Update, context: RenderContext, settings: TwitterSettings | None = None,
    options: TwitterOptions | None = None,
) -> ThreadDraft:
    """The X thread for an update (the channel's entry point): hand-written if given, else automatic."""
    settings = settings or TwitterSettings()
    options = options or update.block("twitter", TwitterOptions)
    if update.image_alt and len(update.image_alt) > MAX_ALT_TEXT:
        message = f"is {len(update.image_alt)} characters; X takes {MAX_ALT_TEXT} for an image's alt text"
        raise RenderError(update, "image_alt", message)
    image = {"image": update.image.as_posix(), "image_alt": update.image_alt,
             "image_file": update.image_path} if update.image else {}  # fmt: skip
    if options.thread is not None:
        return replace(hand_written(update, context, max(1, settings.max_tweets), options.thread), **image)
    thread = build_thread(update, context, rules(settings))
    draft = ThreadDraft(tweets=thread.posts, weights=thread.weights, condensed=thread.condensed,
                        warnings=thread.warnings, left_out=thread.left_out)
    return replace(draft, **image)


class Twitter:
    """The X channel adapter: its name, its limits, and `render(update, context)` under its settings."""

    name = "twitter"
    max_weighted_length = MAX_WEIGHTED_LENGTH
    url_weight = URL_WEIGHT
    default_max_tweets = DEFAULT_MAX_TWEETS

    def __init__(self, settings: TwitterSettings | None = None) -> None:
        self.settings = settings or TwitterSettings()

    def render(self, update: Update, context: RenderContext, options: TwitterOptions | None = None) -> ThreadDraft:
        """The thread for an update."""
        return render(update, context, self.settings, options)
