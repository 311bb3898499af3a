"""The Bluesky pane: the thread as post cards with their links, hashtags and grapheme counts, post 1's link card."""

from __future__ import annotations

from html import escape

from channels.bluesky.draft import MAX_GRAPHEMES, BlueskyDraft, BlueskyPost, Facet
from channels.panes import attr, figure, files_line, lang_attrs, pane
from channels.threads.left_out import left_out_html

NEAR = 0.9


def facet_html(facet: Facet, shown: str) -> str:
    """A link facet as a link to its full URI, a tag facet as a hashtag naming its tag."""
    if facet.tag:
        return f'<span class="link tag" title="{attr("#" + facet.tag)}">{escape(shown)}</span>'
    return f'<a class=link href="{attr(facet.uri)}" title="{attr(facet.uri)}">{escape(shown)}</a>'


def post_html(post: BlueskyPost) -> str:
    """A post's text with each link facet shown as a link to its full URI and each hashtag as a tag."""
    data = post.text.encode()
    out, last = [], 0
    for facet in sorted(post.facets, key=lambda f: f.byte_start):
        out.append(escape(data[last:facet.byte_start].decode()))
        out.append(facet_html(facet, data[facet.byte_start:facet.byte_end].decode()))
        last = facet.byte_end
    out.append(escape(data[last:].decode()))
    return "".join(out)


def card_html(draft: BlueskyDraft) -> str:
    """Post 1's external link card."""
    if draft.card is None:
        return ""
    card = draft.card
    return (f"<div class=card><small>{escape(card.uri)}</small><br><b>{escape(card.title)}</b><br>"
            f"{escape(card.description)}</div>")


def bluesky_pane(draft: BlueskyDraft) -> str:
    """Each post with its graphemes against Bluesky's limit."""
    count = len(draft.posts)
    cards = []
    for number, post in enumerate(draft.posts, 1):
        level = " over" if post.graphemes > MAX_GRAPHEMES else " near" if post.graphemes > NEAR * MAX_GRAPHEMES else ""
        extra = ""
        if number == 1:
            extra = figure(draft.image_file, draft.image_alt) if draft.image else card_html(draft)
        cards.append(
            f'<div class=tweet data-number={number}><div class=tweet-head>{number}/{count}</div>'
            f'<div class=tweet-text {lang_attrs(draft.language)}>{post_html(post)}</div>{extra}'
            f'<div class="count{level}" data-graphemes={post.graphemes}>{post.graphemes}/{MAX_GRAPHEMES}</div></div>'
        )
    meta = f"<p class=meta>{count} post{'s' * (count != 1)}</p>"
    body = meta + "".join(cards) + left_out_html(draft.left_out) + files_line(draft)
    return pane("bluesky", "Bluesky thread", body)
