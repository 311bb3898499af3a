"""One HTML pane per channel for the reviewer preview, each drawn from the draft that is sent."""

from __future__ import annotations

import base64
import email
import email.policy
import mimetypes
from collections.abc import Callable
from email.utils import format_datetime
from html import escape
from pathlib import Path

from twitter_text import extract_urls_with_indices

from channels.base import Draft, draft_digest
from channels.diff.render import DiffDraft
from channels.email.render import MAX_MESSAGE_BYTES, EmailDraft
from channels.medium.render import MAX_TAGS, MediumDraft
from channels.twitter.render import MAX_WEIGHTED_LENGTH, URL_WEIGHT, ThreadDraft
from content.i18n import is_rtl

NEAR_LIMIT = 260
NEAR_SIZE = 0.9
SHOWN_HEADERS = ("From", "To", "Subject")


def attr(value: str) -> str:
    """A value escaped for a double-quoted HTML attribute."""
    return escape(value, quote=True)


def data_uri(path: Path | None) -> str | None:
    """The image file as a `data:` URI (the page may load nothing else), or None if it cannot be read."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    kind = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def terms(names: tuple[str, ...]) -> str:
    """Tags or categories as chips, or 'none'."""
    return "".join(f"<span class=chip>{escape(name)}</span>" for name in names) or "<span class=meta>none</span>"


def files_line(draft: Draft) -> str:
    """Links to the exact files this draft writes, with the digest an approval records."""
    links = " ".join(f'<a href="{attr(name)}">{escape(name)}</a>' for name in draft.files())
    return f"<p class=files>Exact files: {links} · digest <code>{draft_digest(draft)[:12]}</code></p>"


def lang_attrs(lang: str) -> str:
    """`lang` and, for a right-to-left language, `dir="rtl"`, for an element showing the update's text."""
    return f'lang="{attr(lang)}"' + (' dir="rtl"' if is_rtl(lang) else "")


def pane(channel: str, heading: str, body: str) -> str:
    """The frame shared by every pane."""
    return f'<section class=pane id={channel} data-channel={channel}><h2>{heading}</h2>{body}</section>'


def diff_pane(draft: DiffDraft) -> str:
    """The Diff post as a reader sees it: image, title, excerpt, body, then the post's settings."""
    image = ""
    if draft.featured_image:
        uri = data_uri(draft.image_file)
        alt = draft.image_alt or ""
        shown = "<p class=warn>image file missing</p>"
        if uri:
            shown = f'<img class=featured src="{attr(uri)}" alt="{attr(alt)}">'
        caption = escape(alt) if alt else "<span class=warn>no alt text</span>"
        image = f"<figure>{shown}<figcaption>Alt text: {caption}</figcaption></figure>"
    date = f" · scheduled {escape(draft.date)} UTC" if draft.date else ""
    body = (
        f"<dl><dt>Status</dt><dd>{escape(draft.status)}{date}</dd><dt>Link</dt><dd>{escape(draft.link)}</dd>"
        f"<dt>Tags</dt><dd>{terms(draft.tags)}</dd><dt>Categories</dt><dd>{terms(draft.categories)}</dd></dl>"
        f'<article class=post {lang_attrs(draft.lang)}>{image}<h1>{escape(draft.title)}</h1>'
        f"<p class=excerpt>{escape(draft.excerpt)}</p>{draft.content}</article>{files_line(draft)}"
    )
    return pane("diff", "Diff (WordPress)", body)


def medium_pane(draft: MediumDraft) -> str:
    """The Medium article, its canonical link and the tags Medium keeps."""
    body = (
        f"<dl><dt>Status</dt><dd>{escape(draft.publish_status)}</dd>"
        f"<dt>Canonical</dt><dd>{escape(draft.canonical_url)}</dd>"
        f"<dt>Tags ({len(draft.tags)}/{MAX_TAGS})</dt><dd>{terms(draft.tags)}</dd></dl>"
        f"<article class=post {lang_attrs(draft.lang)}>{draft.content}</article>{files_line(draft)}"
    )
    return pane("medium", "Medium", body)


def tweet_html(text: str) -> str:
    """A tweet's text with each link marked as X will shorten it."""
    out, last = [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        out.append(escape(text[last:start]))
        out.append(f'<span class=link title="shortened to a t.co link">{escape(text[start:end])}</span>'
                   f"<span class=tco>t.co link, counts {URL_WEIGHT}</span>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def tweet_image(draft: ThreadDraft) -> str:
    """The image attached to tweet 1, with the alt text X is given."""
    if not draft.image:
        return ""
    uri = data_uri(draft.image_file)
    alt = draft.image_alt or ""
    shown = "<p class=warn>image file missing</p>"
    if uri:
        shown = f'<img class=featured src="{attr(uri)}" alt="{attr(alt)}">'
    return f"<figure class=tweet-image>{shown}<figcaption>Alt text: {escape(alt)}</figcaption></figure>"


def twitter_pane(draft: ThreadDraft) -> str:
    """The thread as numbered cards, each with its weighted length against the limit."""
    count = len(draft.tweets)
    cards = []
    for number, (text, weight) in enumerate(zip(draft.tweets, draft.weights, strict=True), 1):
        level = " over" if weight > MAX_WEIGHTED_LENGTH else " near" if weight > NEAR_LIMIT else ""
        media = tweet_image(draft) if number == 1 else ""
        cards.append(
            f'<div class=tweet data-number={number}><div class=tweet-head>{number}/{count}</div>'
            f"<div class=tweet-text dir=auto>{tweet_html(text)}</div>{media}"
            f'<div class="count{level}" data-weight={weight}>{weight}/{MAX_WEIGHTED_LENGTH}</div></div>'
        )
    kind = "condensed" if draft.condensed else "hand-written" if draft.hand_written else "full body"
    meta = f"<p class=meta>{count} tweet{'s' * (count != 1)}, {kind}</p>"
    return pane("twitter", "X thread", meta + "".join(cards) + files_line(draft))


def planned_date(draft: EmailDraft) -> str:
    """What the Date header will say: it is set at the moment of sending."""
    if draft.planned_at is None:
        return "set when sent (the moment of publishing)"
    return f"set when sent; planned for {format_datetime(draft.planned_at)}"


def email_pane(draft: EmailDraft) -> str:
    """The headers, the text/plain part as sent, the HTML part in a sandbox, and the size against the limit."""
    data = draft.as_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's CRLF, shown as lines
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    headers = "".join(f"<dt>{name}</dt><dd>{escape(str(message[name]))}</dd>" for name in SHOWN_HEADERS)
    headers += f"<dt>Date</dt><dd class=planned>{escape(planned_date(draft))}</dd>"
    level = " over" if len(data) > MAX_MESSAGE_BYTES else " near" if len(data) > NEAR_SIZE * MAX_MESSAGE_BYTES else ""
    size = (f'<p class="size{level}" data-bytes={len(data)}>{len(data) / 1024:.1f} KB of '
            f"{MAX_MESSAGE_BYTES // 1024} KB</p>")
    body = (
        f"<dl>{headers}</dl>{size}<h3>Plain text (as sent)</h3>"
        f"<pre class=plain {lang_attrs(draft.lang)}>{escape(text)}</pre>"
        f'<h3>HTML part</h3><iframe class=email-html sandbox title="HTML part" srcdoc="{attr(html)}"></iframe>'
        f"{files_line(draft)}"
    )
    return pane("email", "Email", body)


PANES: dict[str, Callable] = {"diff": diff_pane, "medium": medium_pane, "twitter": twitter_pane, "email": email_pane}
