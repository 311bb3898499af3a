"""Short notices to the list and the thread: a correction or a retraction (pure: the send time is passed in)."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime

from twitter_text import parse_tweet

from channels.base import RenderContext, RenderError
from channels.email.render import EmailDraft
from content.model import Update

MAX_TWEET_WEIGHT = 280


def original_message_id(slug: str, date: dt.date, context: RenderContext) -> str:
    """The Message-ID of the update's announcement (as the email channel makes it)."""
    return f"<herald.{date:%Y%m%d}.{slug}@{context.message_id_domain}>"


def _notice(slug: str, date: dt.date, lang: str, context: RenderContext, kind: str, subject: str, text: str,
            sent_at: dt.datetime) -> EmailDraft:
    message_id = f"<herald.{kind}.{slug}@{context.message_id_domain}>"
    original = original_message_id(slug, date, context)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = context.email_from
    message["To"] = context.email_to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message["In-Reply-To"] = original
    message["References"] = original
    message.set_content(text, cte="quoted-printable")
    message["Content-Language"] = lang
    return EmailDraft(message=message, message_id=message_id)


def correction_email(update: Update, context: RenderContext, revision: int, passage: str,
                     sent_at: dt.datetime) -> EmailDraft:
    """One short "Correction:" message: what was corrected, the changed passage, the Diff link."""
    assert update.correction is not None
    subject = f"Correction: {update.email.subject or update.title}"
    quoted = "\n".join(f"> {line}" for line in passage.splitlines()) or "> (see the post)"
    text = (f"Correction: {update.correction}\n\nThe corrected passage now reads:\n\n{quoted}\n\n"
            f"The corrected post: {context.diff_url}\n")
    return _notice(update.slug, update.date, update.lang, context, f"correction-{revision}", subject, text, sent_at)


def retraction_email(slug: str, title: str, date: dt.date, context: RenderContext, reason: str,
                     sent_at: dt.datetime, lang: str = "en") -> EmailDraft:
    """One short retraction notice to the list (an email cannot be unsent)."""
    text = (f"We have retracted our update \"{title}\" ({date:%d %B %Y}).\n\n"
            f"Reason: {reason}\n\nPlease disregard the earlier message.\n")
    return _notice(slug, date, lang, context, "retraction", f"Retracted: {title}", text, sent_at)


def correction_tweet(update: Update, diff_url: str) -> str:
    """The one reply a correction posts under the thread; its weighted length must fit one tweet."""
    assert update.correction is not None
    text = f"Correction: {update.correction} {diff_url}"
    weight = parse_tweet(text).weightedLength
    if weight > MAX_TWEET_WEIGHT:
        raise RenderError(update, "correction", f"the correction tweet is {weight} weighted characters (with the "
                          f"Diff link); X takes {MAX_TWEET_WEIGHT}: shorten `correction:`")
    return text
