"""The Bluesky thread of an update: X's story of the body in posts of at most 300 graphemes, links as facets."""

from __future__ import annotations

from dataclasses import replace

from channels.base import RenderContext, RenderError
from channels.bluesky.draft import MAX_GRAPHEMES, BlueskyDraft, LinkCard
from channels.bluesky.options import BlueskyOptions
from channels.bluesky.richtext import PostLength, graphemes, post, short
from channels.bluesky.settings import BlueskySettings
from channels.twitter import Twitter
from content.model import Update

MAX_ALT_TEXT = 2000  # graphemes: what Bluesky's app lets an image's alt text hold


def render(update: Update, context: RenderContext, settings: BlueskySettings, options: BlueskyOptions) -> BlueskyDraft:
    """The posts of the thread, post 1 with the Diff link (shown short) and its link card."""
    if update.image_alt and graphemes(update.image_alt) > MAX_ALT_TEXT:
        message = f"is {graphemes(update.image_alt)} graphemes; Bluesky takes {MAX_ALT_TEXT} for an image's alt text"
        raise RenderError(update, "image_alt", message)
    measure = PostLength(MAX_GRAPHEMES)
    link_weight = graphemes(short(context.diff_url))
    thread = Twitter(MAX_GRAPHEMES, link_weight, measure, posts="posts", max_setting="max_posts")
    draft = thread.automatic(update, replace(context, twitter_link="first"), max(1, settings.max_posts))
    image = update.image.as_posix() if update.image else None
    return BlueskyDraft(
        posts=tuple(post(text) for text in draft.tweets),
        card=LinkCard(uri=context.diff_url, title=update.title, description=update.summary),
        language=update.lang,
        warnings=draft.warnings,
        image=image,
        image_alt=update.image_alt if image else None,
        image_file=update.image_path,
    )
