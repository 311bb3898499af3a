"""Write each channel's exact output to a folder, plus one self-contained page showing all four."""

from __future__ import annotations

import email
import email.policy
from html import escape
from pathlib import Path

from herald.drafts import Rendered

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#202122}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #c8ccd1}
.problems{background:#fef6e7;border:1px solid #fc3;padding:8px 16px;margin:12px 20px}
.panes{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px;padding:16px 20px}
section.pane{background:#fff;border:1px solid #c8ccd1;border-radius:4px;padding:12px 16px;overflow:auto}
.tweet{border:1px solid #cfd9de;border-radius:12px;padding:8px 12px;margin:8px 0;white-space:pre-wrap}
.count{color:#54595d;font-size:12px}.near{color:#b32424;font-weight:bold}
pre{white-space:pre-wrap;background:#f8f9fa;padding:8px;font-size:13px}
.meta{color:#54595d;font-size:13px}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
NEAR_LIMIT = 260


def write_preview(rendered: Rendered, out: Path) -> list[Path]:
    """Write every draft's files and an `index.html`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for draft in rendered.drafts.values():
        for name, data in draft.files().items():
            (out / name).write_bytes(data)
            written.append(out / name)
    index = out / "index.html"
    index.write_text(preview_page(rendered), encoding="utf-8")
    return [*written, index]


def preview_page(rendered: Rendered) -> str:
    """One self-contained HTML page (no scripts, no network) showing every channel's output."""
    update = rendered.update
    panes = "".join(_PANES[name](draft) for name, draft in rendered.drafts.items())
    problems = "".join(f"<li>{escape(w)}</li>" for w in rendered.warnings)
    problems_html = f'<div class="problems"><strong>Check before publishing</strong><ul>{problems}</ul></div>'
    return (
        f'<!DOCTYPE html><html lang="{escape(update.lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>Preview: {escape(update.title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{escape(update.title)}</h1><div class=meta>{escape(str(update.source))} · "
        f"Diff URL: {escape(rendered.context.diff_url)}</div></header>"
        f"{problems_html if problems else ''}<div class=panes>{panes}</div></body></html>\n"
    )


def _diff_pane(draft) -> str:
    terms = ", ".join(draft.tags) or "none"
    image = ""
    if draft.featured_image:
        alt = escape(draft.image_alt or "")
        image = f"<p class=meta>Featured image: {escape(draft.featured_image)} — alt: {alt}</p>"
    return (
        f'<section class=pane id=diff><h2>Diff</h2><p class=meta>status {escape(draft.status)} · slug '
        f"{escape(draft.slug)} · tags {escape(terms)} · categories {escape(', '.join(draft.categories) or 'none')}</p>"
        f"{image}<h1>{escape(draft.title)}</h1>"
        f"<p><em>{escape(draft.excerpt)}</em></p>{draft.content}</section>"
    )


def _medium_pane(draft) -> str:
    return (
        f"<section class=pane id=medium><h2>Medium</h2><p class=meta>{escape(draft.publish_status)} · tags "
        f"{escape(', '.join(draft.tags) or 'none')} · canonical {escape(draft.canonical_url)}</p>"
        f"{draft.content}</section>"
    )


def _twitter_pane(draft) -> str:
    cards = "".join(
        f'<div class=tweet>{escape(text)}<div class="count{" near" if weight > NEAR_LIMIT else ""}">'
        f"{weight}/280</div></div>"
        for text, weight in zip(draft.tweets, draft.weights, strict=True)
    )
    kind = "condensed" if draft.condensed else "hand-written" if draft.hand_written else "full body"
    meta = f"{len(draft.tweets)} tweets, {kind}"
    return f"<section class=pane id=twitter><h2>X thread</h2><p class=meta>{meta}</p>{cards}</section>"


def _email_pane(draft) -> str:
    data = draft.as_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    headers = "".join(f"<div><strong>{k}:</strong> {escape(str(message[k]))}</div>" for k in ("From", "To", "Subject"))
    return (
        f"<section class=pane id=email><h2>Email</h2>{headers}<p class=meta>{len(data) / 1024:.1f} KB of 40 KB</p>"
        f"<pre>{escape(text)}</pre></section>"
    )


_PANES = {"diff": _diff_pane, "medium": _medium_pane, "twitter": _twitter_pane, "email": _email_pane}


def default_out(rendered: Rendered) -> Path:
    """`preview/<slug>/`."""
    return Path("preview") / rendered.update.slug
