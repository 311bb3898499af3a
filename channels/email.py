"""Email: an announcement to the mailing list, text/plain first, then HTML."""

from __future__ import annotations

import email.policy
import hashlib
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from channels.base import RenderContext, RenderError
from content.markdown import Block, blocks, footnote_count, render_html
from content.model import Update

MAX_MESSAGE_BYTES = 40 * 1024
WRAP_WIDTH = 72
SECTION_LEVEL = 2
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
FORBIDDEN_HEADERS = ("List-Id", "List-Post", "List-Unsubscribe", "Archived-At")


@dataclass(frozen=True)
class EmailDraft:
    """A ready email message for the list."""

    message: EmailMessage
    message_id: str
    warnings: tuple[str, ...] = ()
    channel: str = "email"

    def as_bytes(self) -> bytes:
        """The message exactly as it goes over SMTP."""
        return self.message.as_bytes(policy=email.policy.SMTP)

    def files(self) -> dict[str, bytes]:
        """`email.eml`: the whole message."""
        return {"email.eml": self.as_bytes()}


class _References:
    """Numbered link references for plain text, numbered after the footnotes so `[n]` is never ambiguous."""

    def __init__(self, first: int = 1) -> None:
        self.first = first
        self.urls: list[str] = []

    def __call__(self, text: str, href: str) -> str:
        shown = href.removeprefix("mailto:")
        if not text or text in {href, shown}:
            return shown
        if href not in self.urls:
            self.urls.append(href)
        return f"{text} [{self.urls.index(href) + self.first}]"


def plain_text(update: Update, diff_url: str, site_name: str = "Diff") -> str:
    """The text/plain part: the Diff link on top, wrapped paragraphs, then the link references."""
    references = _References(first=footnote_count(update.body) + 1)
    lines = [*_wrap(f"Read on {site_name}: {diff_url}"), ""]
    if update.summary:
        lines += [*_wrap(update.summary), ""]
    for block in blocks(update.body, references):
        lines += [*_format(block), ""]
    if references.urls:
        lines += ["Links:", *(f"[{n}] {url}" for n, url in enumerate(references.urls, references.first)), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, WRAP_WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    ) or [first.rstrip()]


def _format(block: Block) -> list[str]:
    indent = "  " * max(block.level - 1, 0)
    if block.kind == "heading":
        underline = "=" if block.level <= 2 else "-"
        return [block.text, underline * min(len(block.text), WRAP_WIDTH)]
    if block.kind == "item":
        marker = "-" if block.marker == "•" else block.marker
        return _wrap(block.text, f"{indent}{marker} ", indent + " " * (len(marker) + 1))
    if block.kind == "quote":
        return _wrap(block.text, "> " * block.level, "> " * block.level)
    if block.kind in {"code", "table"}:
        return ["    " + line if line else "" for line in block.text.split("\n")]
    if block.kind == "rule":
        return ["-" * 20]
    lines: list[str] = []
    for piece in block.text.split("\n"):
        lines += _wrap(piece, indent + "  " * bool(block.level), indent + "  " * bool(block.level))
    return lines


def html_part(update: Update, diff_url: str, site_name: str, image_urls: Mapping[str, str] | None = None) -> str:
    """The text/html part; body images point at `image_urls` (by src)."""
    url = escape(diff_url)
    summary = f"<p><em>{escape(update.summary)}</em></p>\n" if update.summary else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(update.lang)}">\n<head><meta charset="utf-8">'
        f"<title>{escape(update.title)}</title></head>\n<body>\n"
        f'<p><a href="{url}">Read on {escape(site_name)}</a></p>\n'
        f"<h1>{escape(update.title)}</h1>\n{summary}{render_html(update.body, image_urls).strip()}\n</body>\n</html>\n"
    )


def highlights(update: Update) -> list[str]:
    """One line per section: its heading and the first sentence under it (or each paragraph's first sentence)."""
    found: list[list[str]] = []
    body = blocks(update.body, lambda text, href: text or href)
    has_sections = any(block.kind == "heading" and block.level == SECTION_LEVEL for block in body)
    for block in body:
        if block.kind == "heading" and (block.level == SECTION_LEVEL or not has_sections):
            found.append([block.text])
        elif block.kind == "paragraph" and (not has_sections or found) and (not found or len(found[-1]) < 2):
            first = _SENTENCE_END.split(block.text, maxsplit=1)[0]
            if found and len(found[-1]) == 1:
                found[-1].append(first)
            elif not has_sections:
                found.append([first])
    return [": ".join(parts) for parts in found]


def announcement(update: Update, diff_url: str, site_name: str) -> tuple[str, str]:
    """A short note for a long update: the summary, highlights, and the link (text and HTML parts)."""
    points = highlights(update)
    lines = [*_wrap(f"Read on {site_name}: {diff_url}"), ""]
    if update.summary:
        lines += [*_wrap(update.summary), ""]
    if points:
        lines += ["Highlights:", ""]
        for point in points:
            lines += _wrap(point, "- ", "  ")
        lines.append("")
    lines += _wrap(f"Read the full post on {site_name}: {diff_url}")
    url = escape(diff_url)
    items = "".join(f"<li>{escape(point)}</li>\n" for point in points)
    summary = f"<p><em>{escape(update.summary)}</em></p>\n" if update.summary else ""
    html = (
        f'<!DOCTYPE html>\n<html lang="{escape(update.lang)}">\n<head><meta charset="utf-8">'
        f"<title>{escape(update.title)}</title></head>\n<body>\n<h1>{escape(update.title)}</h1>\n{summary}"
        f"{f'<p>Highlights:</p>{chr(10)}<ul>{chr(10)}{items}</ul>{chr(10)}' if items else ''}"
        f'<p><a href="{url}">Read the full post on {escape(site_name)}</a></p>\n</body>\n</html>\n'
    )
    return "\n".join(lines) + "\n", html


def message_date(update: Update) -> datetime:
    """The Date header: the scheduled time, else the update's date at midnight UTC (keeps rendering pure)."""
    if update.publish_at is not None:
        return update.publish_at
    return datetime.combine(update.date, time(0, 0), tzinfo=UTC)


def mime_boundary(text: str, html: str) -> str:
    """A boundary derived from the parts, so the same update always gives the same bytes."""
    return "herald-" + hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]


class Email:
    """The mailing-list adapter."""

    name = "email"
    max_message_bytes = MAX_MESSAGE_BYTES
    wrap_width = WRAP_WIDTH

    def render(self, update: Update, context: RenderContext) -> EmailDraft:
        """The whole update as a multipart/alternative email; an announcement with highlights if it is too big."""
        full = self._message(update, context, plain_text(update, context.diff_url, context.site_name),
                             html_part(update, context.diff_url, context.site_name, dict(context.image_urls)))
        if len(full.as_bytes()) <= MAX_MESSAGE_BYTES:
            return full
        note = (f"email condensed to highlights: the whole body would be {len(full.as_bytes()) / 1024:.1f} KB "
                f"and the list holds posts over {MAX_MESSAGE_BYTES // 1024} KB")
        short = self._message(update, context, *announcement(update, context.diff_url, context.site_name), note)
        size = len(short.as_bytes())
        if size > MAX_MESSAGE_BYTES:
            raise RenderError(
                update, "email", f"even condensed, the message is {size / 1024:.1f} KB; the list holds posts over "
                f"{MAX_MESSAGE_BYTES // 1024} KB (shorten the summary and headings or leave email out of channels)",
            )
        return short

    def _message(self, update: Update, context: RenderContext, text: str, html: str, note: str = "") -> EmailDraft:
        subject = update.email.subject or update.title
        message_id = f"<herald.{update.date:%Y%m%d}.{update.slug}@{context.message_id_domain}>"
        message = EmailMessage(policy=email.policy.SMTP)
        try:
            message["From"] = context.email_from
            message["To"] = context.email_to
            message["Subject"] = subject
        except ValueError as error:
            raise RenderError(update, "email.subject", str(error)) from None
        message["Date"] = format_datetime(message_date(update))
        message["Message-ID"] = message_id
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        message.set_boundary(mime_boundary(text, html))
        message["Content-Language"] = update.lang  # after add_alternative, which moves Content-* into the first part
        return EmailDraft(message=message, message_id=message_id, warnings=(note,) if note else ())
