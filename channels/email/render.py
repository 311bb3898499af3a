"""Email: an announcement to the mailing list, text/plain first, then HTML."""

from __future__ import annotations

import copy
import email.policy
import hashlib
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import base64mime, quoprimime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cached_property
from html import escape

from channels.email.options import EmailOptions
from channels.email.settings import EmailSettings
from content import i18n
from content.markdown import (
    Block,
    ImageStyle,
    LinkStyle,
    blocks,
    footnote_count,
    inline_text,
    render_html,
    tokens,
)
from content.model import Update
from herald.core.draft import RenderContext, RenderError, fenced

MAX_MESSAGE_BYTES = 40 * 1024  # Mailman's max_message_size (KB) is of the message as received: encoded
MAX_8BIT_LINE_BYTES = 998  # RFC 5321: a longer line cannot go as 8bit
SEVEN_BIT = ("quoted-printable", "base64")
DATE_HEADER_BYTES = len("Date: Wed, 30 Sep 2026 23:59:59 +0000\r\n")  # the transport adds it when sending
WRAP_WIDTH = 72
SMTP_LINE = email.policy.SMTP.max_line_length
SECTION_LEVEL = 2
MIN_LEAD = 20  # a lead shorter than this ("No.") takes the next sentence too
LEAD_KINDS = frozenset({"paragraph", "item"})
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[^\sa-z])|(?<=[。！？])(?=\S)")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:e\.g|i\.e|etc|vs?|Mr|Mrs|Ms|Dr|St|Art|para|cf))\.$")
FORBIDDEN_HEADERS = ("List-Id", "List-Post", "List-Unsubscribe", "Archived-At")


@dataclass(frozen=True)
class EmailDraft:
    """A ready email message for the list; its Date is set by the transport at the moment of sending."""

    message: EmailMessage
    message_id: str
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update it does not carry
    planned_at: datetime | None = None
    lang: str = "en"
    channel: str = "email"

    def as_bytes(self, sent_at: datetime | None = None) -> bytes:
        """The message exactly as it goes over SMTP; with `sent_at`, dated then (a copy: the draft is unchanged)."""
        if sent_at is None:
            return self._undated
        dated = copy.deepcopy(self.message)
        del dated["Date"]
        dated["Date"] = format_datetime(sent_at)
        return dated.as_bytes(policy=email.policy.SMTP)

    @cached_property
    def _undated(self) -> bytes:  # serialised once: render, check, preview and the outbox all ask for it
        return self.message.as_bytes(policy=email.policy.SMTP)

    def files(self) -> dict[str, bytes]:
        """`email.eml`: the whole message (without a Date: it is set when sent)."""
        return {"email.eml": self.as_bytes()}

    def plain(self) -> str:
        """The text/plain part as sent, decoded, with its lines ending in `\n` (base64 carries SMTP's CRLF)."""
        body = self.message.get_body(("plain",)) if self.message.is_multipart() else self.message
        return body.get_content().replace("\r\n", "\n") if body is not None else ""

    def summary(self) -> str:
        """The message's size."""
        return f"{len(self.as_bytes()) / 1024:.1f} KB"

    def facts(self) -> str:
        """Subject and size against the list's limit."""
        return f"“{self.message['Subject']}”, {len(self.as_bytes()) / 1024:.1f} KB of {MAX_MESSAGE_BYTES // 1024} KB"

    def text(self) -> str:
        """Subject and the text part."""
        return f"{self.message['Subject']}\n{self.plain()}"

    def markdown(self) -> str:
        """The headers people see and the text part, exactly as sent."""
        head = "".join(f"{name}: {self.message[name]}\n" for name in ("From", "To", "Subject"))
        sent = email.message_from_bytes(self.as_bytes(), policy=email.policy.default).get_body(("plain",))
        text = sent.get_content().replace("\r\n", "\n")
        return f"\n## Email (text/plain, as sent)\n\n{fenced(head + chr(10) + text)}"


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


def image_label(lang: str) -> ImageStyle:
    """An image in plain text: `[Image: alt]` in the update's language, never a bare line of alt text."""
    word = i18n.t(lang, "Image")
    return lambda alt: f"[{word}: {alt}]" if alt else f"[{word}]"


def no_image(alt: str) -> str:
    """An image left out (of the highlights: a lead is a sentence)."""
    return ""


def title_lines(update: Update) -> list[str]:
    """The title as a plain-text reader expects it: first, underlined, then a blank line."""
    return [*_heading(update.title, 1), ""]


def tables(body: str, link: LinkStyle, image: ImageStyle) -> list[list[list[str]]]:
    """Every table of the body as rows of cell texts, the header row first."""
    found: list[list[list[str]]] = []
    inside = False
    for token in tokens(body):
        if token.type in {"table_open", "table_close"}:
            inside = token.type == "table_open"
            if inside:
                found.append([])
        elif inside and token.type == "tr_open":
            found[-1].append([])
        elif inside and token.type == "inline":
            found[-1][-1].append(inline_text(token.children or [], link, image))
    return found


def table_lines(rows: list[list[str]]) -> list[str]:
    """A table as text: one entry per row, each cell a wrapped `Header: value` line."""
    if not rows:
        return []
    header, lines = rows[0], []
    for row in rows[1:]:
        for index, cell in enumerate(row):
            label = header[index] if index < len(header) and header[index] else ""
            text = f"{label}: {cell}" if label else cell
            lines += _wrap(text, "- " if index == 0 else "  ", "    ")
        lines.append("")
    return lines[:-1]


def plain_text(update: Update, diff_url: str, site_name: str = "Diff") -> str:
    """The text/plain part: the title, the Diff link, byline, wrapped paragraphs, notes, then the link references."""
    lang, image = update.lang, image_label(update.lang)
    references = _References(first=footnote_count(update.body) + 1)
    lines = [*title_lines(update), *_wrap(i18n.t(lang, "Read on {site}: {url}", site=site_name, url=diff_url)), ""]
    if update.authors:
        lines += [*_wrap(i18n.byline(lang, update.authors)), ""]
    if update.summary:
        lines += [*_wrap(update.summary), ""]
    body = blocks(update.body, references, image)
    found = iter(tables(update.body, references, image))
    notes = False
    for block in body:
        if block.kind == "footnote" and not notes:
            notes = True
            lines += _heading(i18n.t(lang, "Notes"), 3) + [""]
        lines += [*(table_lines(next(found, [])) if block.kind == "table" else _format(block)), ""]
    if references.urls:
        lines += [i18n.t(lang, "Links:"), *(f"[{n}] {url}" for n, url in enumerate(references.urls, references.first)),
                  ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, WRAP_WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    ) or [first.rstrip()]


def display_width(text: str) -> int:
    """The columns a monospace font gives the text: wide East Asian characters two, combining marks none."""
    return sum(0 if unicodedata.category(char) in {"Mn", "Me", "Cf"}
               else 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1 for char in text)


def _heading(text: str, level: int) -> list[str]:
    lines = _wrap(text)
    return [*lines, ("=" if level <= 2 else "-") * min(max(display_width(line) for line in lines), WRAP_WIDTH)]


def _code(text: str, indent: str) -> list[str]:
    """Code lines kept as they are, except that a line too long is cut, its rest indented below."""
    room = WRAP_WIDTH - len(indent)
    lines = []
    for line in text.split("\n"):
        lines.append(indent + line[:room] if line else "")
        rest = line[room:]
        while rest:
            lines.append(indent + "  " + rest[: room - 2])
            rest = rest[room - 2:]
    return lines


def _format(block: Block) -> list[str]:
    indent = "  " * max(block.level - 1, 0)
    if block.kind == "heading":
        return _heading(block.text, block.level)
    if block.kind == "item":
        marker = "-" if block.marker == "•" else block.marker
        return _wrap(block.text, f"{indent}{marker} ", indent + " " * (len(marker) + 1))
    if block.kind == "quote":
        return _wrap(block.text, "> " * block.level, "> " * block.level)
    if block.kind in {"code", "table"}:
        return _code(block.text, "    ")
    if block.kind == "rule":
        return ["-" * 20]
    lines: list[str] = []
    for piece in block.text.split("\n"):
        lines += _wrap(piece, indent + "  " * bool(block.level), indent + "  " * bool(block.level))
    return lines


def _html_open(update: Update) -> str:
    lang = escape(update.lang)
    direction = ' dir="rtl"' if i18n.is_rtl(update.lang) else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"{direction}>\n<head><meta charset="utf-8">'
            f"<title>{escape(update.title)}</title></head>\n<body>\n")


def _html_head(update: Update) -> str:
    summary = f"<p><em>{escape(update.summary)}</em></p>\n" if update.summary else ""
    byline = f"<p>{escape(i18n.byline(update.lang, update.authors))}</p>\n" if update.authors else ""
    return f"<h1>{escape(update.title)}</h1>\n{byline}{summary}"


def html_part(update: Update, diff_url: str, site_name: str, image_urls: Mapping[str, str] | None = None) -> str:
    """The text/html part; body images point at `image_urls` (by src)."""
    link = escape(i18n.t(update.lang, "Read on {site}", site=site_name))
    return (
        f'{_html_open(update)}<p><a href="{escape(diff_url)}">{link}</a></p>\n'
        f"{_html_head(update)}{render_html(update.body, image_urls).strip()}\n</body>\n</html>\n"
    )


def lead_sentence(text: str) -> str:
    """The first full sentence of a text: never cut at an abbreviation, never a bare "No."."""
    for found in _BOUNDARY.finditer(text):
        lead = text[: found.start()].strip()
        if len(lead) >= MIN_LEAD and not _ABBREVIATION.search(lead):
            return lead
    return text.strip()


def _point(heading: str, content: list[Block]) -> str:
    """A section as one line: its heading, a sub-heading it opens with, and its first full sentence."""
    question = ""
    for index, block in enumerate(content):
        if block.kind == "heading":
            question = question or block.text
            continue
        if block.kind not in LEAD_KINDS:
            continue
        lead = lead_sentence(block.text)
        if lead.endswith(":"):  # a lead-in: its first item says what follows
            after = next((b for b in content[index + 1:] if b.kind in LEAD_KINDS), None)
            lead = f"{lead} {lead_sentence(after.text)}" if after else lead
        text = f"{question} {lead}" if question else lead
        return f"{heading} {text}" if heading.endswith(("?", "!", ":", "？", "！", "：")) else f"{heading}: {text}"
    return heading


def highlights(update: Update) -> list[str]:
    """One line per section: its heading and its first full sentence (without sections, each paragraph's)."""
    body = blocks(update.body, lambda text, href: text or href, no_image)
    levels = {block.level for block in body if block.kind == "heading"}
    if not levels:
        return [lead_sentence(block.text) for block in body if block.kind == "paragraph"]
    level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels)
    sections: list[tuple[str, list[Block]]] = []
    for block in body:
        if block.kind == "heading" and block.level <= level:
            sections.append((block.text, []))
        elif sections and block.kind != "footnote":
            sections[-1][1].append(block)
    return [_point(heading, content) for heading, content in sections]


def announcement(update: Update, diff_url: str, site_name: str) -> tuple[str, str]:
    """A short note for a long update: the summary, each section's lead, and the link (text and HTML parts)."""
    lang, points = update.lang, highlights(update)
    lines = [*title_lines(update), *_wrap(i18n.t(lang, "Read on {site}: {url}", site=site_name, url=diff_url)), ""]
    if update.authors:
        lines += [*_wrap(i18n.byline(lang, update.authors)), ""]
    if update.summary:
        lines += [*_wrap(update.summary), ""]
    if points:
        lines += [i18n.t(lang, "Highlights:"), ""]
        for point in points:
            lines += _wrap(point, "- ", "  ")
        lines.append("")
    lines += _wrap(i18n.t(lang, "Read the full post on {site}: {url}", site=site_name, url=diff_url))
    items = "".join(f"<li>{escape(point)}</li>\n" for point in points)
    listed = f"<p>{escape(i18n.t(lang, 'Highlights:'))}</p>\n<ul>\n{items}</ul>\n" if items else ""
    link = escape(i18n.t(lang, "Read the full post on {site}", site=site_name))
    html = (f'{_html_open(update)}{_html_head(update)}{listed}<p><a href="{escape(diff_url)}">{link}</a></p>\n'
            "</body>\n</html>\n")
    return "\n".join(lines) + "\n", html


def encoded_size(text: str, encoding: str) -> int:
    """The characters a text part's body takes in `encoding`, encoded as the email package encodes a part (base64
    over SMTP's CRLF line ends, quoted-printable over LF), without building a message to measure."""
    lines = text.encode().splitlines()
    if encoding == "base64":
        return len(base64mime.body_encode(b"\r\n".join(lines) + b"\r\n"))  # 57 bytes a line, as for 78
    return len(quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), SMTP_LINE))


def transfer_encoding(text: str, setting: str) -> str:
    """A part's Content-Transfer-Encoding: `8bit` where its lines allow, a fixed one as set, or with `auto` the
    smaller 7-bit one (quoted-printable triples every byte of non-Latin text, base64 adds a third)."""
    if setting == "8bit":
        fits = all(len(line.encode()) <= MAX_8BIT_LINE_BYTES for line in text.splitlines())
        return "8bit" if fits else transfer_encoding(text, "auto")
    if setting != "auto":
        return setting
    return min(SEVEN_BIT, key=lambda encoding: encoded_size(text, encoding))


def mime_boundary(text: str, html: str) -> str:
    """A boundary derived from the parts, so the same update always gives the same bytes."""
    return "herald-" + hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]


def sent_size(draft: EmailDraft) -> int:
    """The message's size on the wire, with the Date header the transport adds."""
    return len(draft.as_bytes()) + DATE_HEADER_BYTES


def render(update: Update, context: RenderContext, settings: EmailSettings, options: EmailOptions) -> EmailDraft:
    """The list's email for an update (the channel's entry point)."""
    return Email(settings).render(update, context, options)


class Email:
    """The mailing-list adapter."""

    name = "email"
    max_message_bytes = MAX_MESSAGE_BYTES
    wrap_width = WRAP_WIDTH

    def __init__(self, settings: EmailSettings | None = None) -> None:
        self.settings = settings or EmailSettings()

    def render(self, update: Update, context: RenderContext, options: EmailOptions | None = None) -> EmailDraft:
        """The whole update as a multipart/alternative email; an announcement with highlights if it is too big."""
        options = options or update.block(self.name, EmailOptions)
        text = plain_text(update, context.diff_url, context.site_name)
        html = html_part(update, context.diff_url, context.site_name, dict(context.image_urls))
        floor = len(text.encode()) + len(html.encode())  # no transfer encoding makes a part smaller
        if floor <= MAX_MESSAGE_BYTES:
            full = self._message(update, context, options, text, html)
            size = sent_size(full)
            if size <= MAX_MESSAGE_BYTES:
                return full
            whole = f"{size / 1024:.1f} KB"
        else:  # the message cannot fit: not worth encoding
            whole = f"over {floor / 1024:.1f} KB"
        note = (f"email condensed to highlights: the whole body would be {whole} "
                f"and the list holds posts over {MAX_MESSAGE_BYTES // 1024} KB")
        highlights = announcement(update, context.diff_url, context.site_name)
        short = self._message(update, context, options, *highlights, note)
        size = sent_size(short)
        if size > MAX_MESSAGE_BYTES:
            raise RenderError(
                update, "email", f"even condensed, the message is {size / 1024:.1f} KB; the list holds posts over "
                f"{MAX_MESSAGE_BYTES // 1024} KB (shorten the summary and headings or leave email out of channels)",
            )
        return short

    def _message(
        self, update: Update, context: RenderContext, options: EmailOptions, text: str, html: str, note: str = ""
    ) -> EmailDraft:
        subject = options.subject or update.title
        message_id = f"<herald.{update.date:%Y%m%d}.{update.slug}@{self.settings.message_id_domain}>"
        message = EmailMessage(policy=email.policy.SMTP)
        try:
            message["From"] = self.settings.from_addr
            message["To"] = self.settings.list_addr
            message["Subject"] = subject
        except ValueError as error:
            raise RenderError(update, "email.subject", str(error)) from None
        message["Message-ID"] = message_id
        encoding = self.settings.transfer_encoding
        message.set_content(text, cte=transfer_encoding(text, encoding))
        message.add_alternative(html, subtype="html", cte=transfer_encoding(html, encoding))
        message.set_boundary(mime_boundary(text, html))
        message["Content-Language"] = update.lang  # after add_alternative, which moves Content-* into the first part
        return EmailDraft(message=message, message_id=message_id, warnings=(note,) if note else (),
                          planned_at=update.publish_at, lang=update.lang)
