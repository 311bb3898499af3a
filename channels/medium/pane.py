"""The Medium pane: the article, its canonical link and the tags Medium keeps."""

from __future__ import annotations

from html import escape

from channels.medium.render import MAX_TAGS, MediumDraft
from channels.panes import files_line, lang_attrs, pane, terms


def medium_pane(draft: MediumDraft) -> str:
    """The Medium article, its canonical link and the tags Medium keeps."""
    body = (
        f"<dl><dt>Status</dt><dd>{escape(draft.publish_status)}</dd>"
        f"<dt>Canonical</dt><dd>{escape(draft.canonical_url)}</dd>"
        f"<dt>Tags ({len(draft.tags)}/{MAX_TAGS})</dt><dd>{terms(draft.tags)}</dd></dl>"
        f"<article class=post {lang_attrs(draft.lang)}>{draft.content}</article>{files_line(draft)}"
    )
    return pane("medium", "Medium", body)
