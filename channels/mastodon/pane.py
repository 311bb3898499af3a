"""The Mastodon pane: the thread as status cards, each counted as the instance counts it."""

from __future__ import annotations

from html import escape

from channels.mastodon.draft import MastodonDraft
from channels.panes import figure, files_line, lang_attrs, pane
from channels.threads.left_out import left_out_html

NEAR = 0.9  # a status past this share of the limit is marked "near"


def mastodon_pane(draft: MastodonDraft) -> str:
    """Each status with its length against the instance's limit; the visibility and content warning above."""
    count = len(draft.statuses)
    cards = []
    for number, (text, length) in enumerate(zip(draft.statuses, draft.lengths, strict=True), 1):
        level = " over" if length > draft.limit else " near" if length > NEAR * draft.limit else ""
        warning = f"<p class=cw>CW: {escape(draft.spoiler_text)}</p>" if draft.spoiler_text else ""
        media = figure(draft.image_file, draft.image_alt) if number == 1 and draft.image else ""
        cards.append(
            f'<div class=tweet data-number={number}><div class=tweet-head>{number}/{count}</div>{warning}'
            f'<div class=tweet-text {lang_attrs(draft.language)}>{escape(text)}</div>{media}'
            f'<div class="count{level}" data-length={length}>{length}/{draft.limit}</div></div>'
        )
    meta = f"<p class=meta>{count} status{'es' * (count != 1)}, {escape(draft.visibility)}</p>"
    body = meta + "".join(cards) + left_out_html(draft.left_out) + files_line(draft)
    return pane("mastodon", "Mastodon thread", body)
