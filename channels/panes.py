"""The frame and small parts every channel's preview pane is drawn with (pure HTML, no I/O but reading images)."""

from __future__ import annotations

import base64
import mimetypes
from html import escape
from pathlib import Path

from content.i18n import is_rtl
from herald.core.draft import Draft, draft_digest


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


def figure(file: Path | None, alt: str | None, css: str = "featured") -> str:
    """An image as the service shows it, with the alt text it is given (or a warning when there is none)."""
    uri = data_uri(file)
    shown = "<p class=warn>image file missing</p>"
    if uri:
        shown = f'<img class={css} src="{attr(uri)}" alt="{attr(alt or "")}">'
    caption = escape(alt) if alt else "<span class=warn>no alt text</span>"
    return f"<figure>{shown}<figcaption>Alt text: {caption}</figcaption></figure>"
