"""The Diff pane: the post as a reader sees it, then its settings."""

from __future__ import annotations

from html import escape

from channels.diff.render import DiffDraft
from channels.panes import figure, files_line, pane, terms


def diff_pane(draft: DiffDraft) -> str:
    """The Diff post as a reader sees it: image, title, excerpt, body, then the post's settings (no `lang` or `dir`
    around the body: it shows only the content's own, as the site would)."""
    image = figure(draft.image_file, draft.image_alt) if draft.featured_image else ""
    date = f" · scheduled {escape(draft.date)} UTC" if draft.date else ""
    body = (
        f"<dl><dt>Status</dt><dd>{escape(draft.status)}{date}</dd><dt>Link</dt><dd>{escape(draft.link)}</dd>"
        f"<dt>Tags</dt><dd>{terms(draft.tags)}</dd><dt>Categories</dt><dd>{terms(draft.categories)}</dd></dl>"
        f'<article class=post>{image}<h1>{escape(draft.title)}</h1>'
        f"<p class=excerpt>{escape(draft.excerpt)}</p>{draft.content}</article>{files_line(draft)}"
    )
    return pane("diff", "Diff (WordPress)", body)
