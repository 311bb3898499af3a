"""The Medium pane: the article, its canonical link and the tags Medium keeps."""

from __future__ import annotations

import re
from html import escape

from channels.medium.render import MAX_TAGS, MediumDraft
from channels.panes import attr, data_uri, files_line, pane, terms

_SRC = re.compile(r'src="[^"]*"')


def featured_note(draft: MediumDraft) -> str:
    """Where the featured image (the article's first figure) is sent from."""
    if draft.image_src is not None:
        return escape(draft.image_src)
    if draft.pending_figure:
        return "the first figure, sent at the URL of its Diff upload once the Diff post is out"
    return "<span class=meta>none</span>" if draft.image_file is None else "<span class=warn>left out</span>"


def shown_content(draft: MediumDraft) -> str:
    """The article with its featured image as its first figure, shown from the file (the page loads nothing)."""
    uri = data_uri(draft.image_file)
    if uri is None:
        return draft.content
    if draft.image_src is not None:
        return draft.content.replace(f'src="{attr(draft.image_src)}"', f'src="{attr(uri)}"', 1)
    if not draft.pending_figure:
        return draft.content
    lines = draft.content.split("\n")
    lines.insert(draft.figure_at, _SRC.sub(f'src="{attr(uri)}"', draft.pending_figure, count=1))
    return "\n".join(lines)


def medium_pane(draft: MediumDraft) -> str:
    """The Medium article (its featured image the first figure), its canonical link and the tags Medium keeps."""
    body = (
        f"<dl><dt>Status</dt><dd>{escape(draft.publish_status)}</dd>"
        f"<dt>Canonical</dt><dd>{escape(draft.canonical_url)}</dd>"
        f"<dt>Tags ({len(draft.tags)}/{MAX_TAGS})</dt><dd>{terms(draft.tags)}</dd>"
        f"<dt>Featured image</dt><dd>{featured_note(draft)}</dd></dl>"
        f"<article class=post>{shown_content(draft)}</article>{files_line(draft)}"
    )
    return pane("medium", "Medium", body)
