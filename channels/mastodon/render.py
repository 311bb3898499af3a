"""The Mastodon thread of an update: the thread engine under the instance's own rules."""

from __future__ import annotations

from dataclasses import replace

from channels.mastodon.draft import MastodonDraft
from channels.mastodon.length import StatusLength, detached, mentions
from channels.mastodon.options import MastodonOptions
from channels.mastodon.settings import MastodonSettings
from channels.threads.engine import ThreadRules, build_thread
from channels.threads.story import thread_blocks
from content.markdown import Block
from content.model import Update
from herald.core.draft import RenderContext, RenderError

MAX_ALT_TEXT = 1500  # MediaAttachment::MAX_DESCRIPTION_LENGTH, in characters
MIN_ROOM = 140  # what a content warning must leave each status for its words, its numbering and the link
REGIONAL_LANGUAGES = frozenset({"zh-CN", "zh-HK", "zh-TW", "zh-YUE"})  # LanguagesHelper::ISO_639_1_REGIONAL


def language(lang: str) -> str:
    """The update's BCP 47 tag as Mastodon takes it (an unknown tag falls back to the account's language)."""
    primary, _, region = lang.partition("-")
    regional = f"{primary.lower()}-{region.upper()}"
    return regional if regional in REGIONAL_LANGUAGES else primary.lower()


def local_mentions(statuses: tuple[str, ...], settings: MastodonSettings) -> tuple[str, ...]:
    """A warning when the thread names accounts without a server: Mastodon takes them for the instance's own."""
    found = (status[start:end] for status in statuses for start, end, _ in mentions(status))
    names = dict.fromkeys(name for name in found if "@" not in name[1:])
    if not names:
        return ()
    host = settings.api_base.split("://", 1)[-1]
    return (f"the thread mentions {', '.join(names)}: Mastodon notifies the account of that name on {host}, "
            "if there is one (write @user@server for an account elsewhere)",)  # fmt: skip


def hand_written(
    update: Update, context: RenderContext, settings: MastodonSettings, thread: tuple[str, ...], measure: StatusLength
) -> tuple[str, ...]:
    """The update's own statuses, verbatim; refused rather than cut. A warning when none links the Diff post."""
    if len(thread) > max(1, settings.max_posts):
        message = f"the hand-written thread has {len(thread)} statuses; max_posts is {settings.max_posts}"
        raise RenderError(update, f"mastodon.thread.{settings.max_posts + 1}", message)
    for number, status in enumerate(thread, 1):
        if (counted := measure.length(status)) > settings.max_characters:
            warned = ", the content warning included" if measure.spoiler_text else ""
            message = f"status {number} is {counted}/{settings.max_characters} characters, as Mastodon counts{warned}"
            raise RenderError(update, f"mastodon.thread.{number}", message)
    if any(context.diff_url in status for status in thread):
        return ()
    return (f"the hand-written thread does not link the Diff post ({context.diff_url})",)


def blocks(update: Update) -> list[Block]:
    """The body as a thread tells it, each link set apart from what follows it so that Mastodon links it whole."""
    body = thread_blocks(update)
    return [replace(block, text=detached(block.text)) if block.kind != "code" else block for block in body]


def rules(settings: MastodonSettings, measure: StatusLength) -> ThreadRules:
    """Mastodon's thread rules: the instance's count beside the content warning, the Diff link in status 1."""
    return ThreadRules(
        limit=measure.room, url_weight=settings.url_weight, measure=measure, max_posts=settings.max_posts,
        link="first", posts="statuses", max_setting="max_posts", blocks=blocks,
    )


def render(
    update: Update, context: RenderContext, settings: MastodonSettings, options: MastodonOptions
) -> MastodonDraft:
    """The statuses of the thread, each within max_characters beside the content warning."""
    warning = options.content_warning or ""
    measure = StatusLength(settings.url_weight, warning, settings.max_characters)
    if measure.room < MIN_ROOM:
        raise RenderError(
            update,
            "mastodon.content_warning",
            f"is {measure.warning_length} characters and counts in every status: it leaves {measure.room} of "
            f"max_characters {settings.max_characters}, a status needs {MIN_ROOM}",
        )
    if update.image_alt and len(update.image_alt) > MAX_ALT_TEXT:
        message = f"is {len(update.image_alt)} characters; Mastodon takes {MAX_ALT_TEXT} for an image's description"
        raise RenderError(update, "image_alt", message)
    left_out: tuple[str, ...] = ()
    if options.thread is not None:
        statuses, warnings = options.thread, hand_written(update, context, settings, options.thread, measure)
    else:
        thread = build_thread(update, context, rules(settings, measure))
        statuses, warnings, left_out = thread.posts, thread.warnings, thread.left_out
    image = update.image.as_posix() if update.image else None
    return MastodonDraft(
        statuses=statuses,
        lengths=tuple(measure.length(status) for status in statuses),
        limit=settings.max_characters,
        visibility=options.visibility,
        spoiler_text=warning,
        language=language(update.lang),
        warnings=warnings + local_mentions(statuses, settings),
        left_out=left_out,
        image=image,
        image_alt=update.image_alt if image else None,
        image_file=update.image_path,
    )
