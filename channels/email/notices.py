"""Short notices to the list: a correction or a retraction (pure: the send time is passed in)."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime

from channels.email.options import EmailOptions
from channels.email.render import EmailDraft
from channels.email.settings import EmailSettings
from content.model import Update


def original_message_id(slug: str, date: dt.date, settings: EmailSettings) -> str:
    """The Message-ID of the update's announcement (as the email channel makes it)."""
    return f"<herald.{date:%Y%m%d}.{slug}@{settings.message_id_domain}>"


def _notice(slug: str, date: dt.date, lang: str, settings: EmailSettings, kind: str, subject: str, text: str,
            sent_at: dt.datetime) -> EmailDraft:
    message_id = f"<herald.{kind}.{slug}@{settings.message_id_domain}>"
    original = original_message_id(slug, date, settings)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = settings.from_addr
    message["To"] = settings.list_addr
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message["In-Reply-To"] = original
    message["References"] = original
    message.set_content(text, cte="quoted-printable")
    message["Content-Language"] = lang
    return EmailDraft(message=message, message_id=message_id)


def correction_email(update: Update, settings: EmailSettings, diff_url: str, revision: int, passage: str,
                     sent_at: dt.datetime) -> EmailDraft:
    """One short "Correction:" message: what was corrected, the changed passage, the Diff link."""
    assert update.correction is not None
    subject = f"Correction: {update.block('email', EmailOptions).subject or update.title}"
    quoted = "\n".join(f"> {line}" for line in passage.splitlines()) or "> (see the post)"
    text = (f"Correction: {update.correction}\n\nThe corrected passage now reads:\n\n{quoted}\n\n"
            f"The corrected post: {diff_url}\n")
    return _notice(update.slug, update.date, update.lang, settings, f"correction-{revision}", subject, text, sent_at)


def retraction_email(slug: str, title: str, date: dt.date, settings: EmailSettings, reason: str,
                     sent_at: dt.datetime, lang: str = "en") -> EmailDraft:
    """One short retraction notice to the list (an email cannot be unsent)."""
    text = (f"We have retracted our update \"{title}\" ({date:%d %B %Y}).\n\n"
            f"Reason: {reason}\n\nPlease disregard the earlier message.\n")
    return _notice(slug, date, lang, settings, "retraction", f"Retracted: {title}", text, sent_at)
