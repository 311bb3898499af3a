"""The Bluesky thread of an update: the thread engine in posts of at most 300 graphemes, links as facets."""

from __future__ import annotations

from channels.bluesky.draft import MAX_GRAPHEMES, BlueskyDraft, BlueskyPost, LinkCard
from channels.bluesky.options import BlueskyOptions
from channels.bluesky.richtext import PostLength, graphemes, overweight, post, short
from channels.bluesky.settings import BlueskySettings
from channels.threads.engine import ThreadRules, build_thread
from content.model import Update
from herald.core.draft import RenderContext, RenderError

MAX_ALT_TEXT = 2000  # graphemes: what Bluesky's app lets an image's alt text hold


def hand_written(
    update: Update, context: RenderContext, settings: BlueskySettings, thread: tuple[str, ...]
) -> tuple[tuple[BlueskyPost, ...], tuple[str, ...]]:
    """The update's own posts, verbatim but for links shown short; refused rather than cut."""
    if len(thread) > max(1, settings.max_posts):
        message = f"the hand-written thread has {len(thread)} posts; max_posts is {settings.max_posts}"
        raise RenderError(update, f"bluesky.thread.{settings.max_posts + 1}", message)
    posts = tuple(map(post, thread))
    for number, made in enumerate(posts, 1):
        if (over := overweight(made)) is not None:
            message = f"post {number} is {over} (each link counted as shown)"
            raise RenderError(update, f"bluesky.thread.{number}", message)
    if any(facet.uri == context.diff_url for made in posts for facet in made.facets):
        return posts, ()
    return posts, (f"the hand-written thread does not link the Diff post ({context.diff_url})",)


def rules(settings: BlueskySettings, context: RenderContext) -> ThreadRules:
    """Bluesky's thread rules: graphemes, the Diff link as the app shows it short, in post 1."""
    return ThreadRules(
        limit=MAX_GRAPHEMES, url_weight=graphemes(short(context.diff_url)), measure=PostLength(),
        max_posts=settings.max_posts, link="first", posts="posts", max_setting="max_posts",
    )


def render(update: Update, context: RenderContext, settings: BlueskySettings, options: BlueskyOptions) -> BlueskyDraft:
    """The posts of the thread, post 1 with the Diff link (shown short) and its link card."""
    if update.image_alt and graphemes(update.image_alt) > MAX_ALT_TEXT:
        message = f"is {graphemes(update.image_alt)} graphemes; Bluesky takes {MAX_ALT_TEXT} for an image's alt text"
        raise RenderError(update, "image_alt", message)
    left_out: tuple[str, ...] = ()
    if options.thread is not None:
        posts, warnings = hand_written(update, context, settings, options.thread)
    else:
        thread = build_thread(update, context, rules(settings, context))
        posts, warnings, left_out = tuple(post(text) for text in thread.posts), thread.warnings, thread.left_out
    image = update.image.as_posix() if update.image else None
    return BlueskyDraft(
        posts=posts,
        card=LinkCard(uri=context.diff_url, title=update.title, description=update.summary),
        language=update.lang,
        warnings=warnings,
        left_out=left_out,
        image=image,
        image_alt=update.image_alt if image else None,
        image_file=update.image_path,
    )
