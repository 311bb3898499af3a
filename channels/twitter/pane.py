"""The X pane: the thread as numbered cards, each weighed against the limit."""

from __future__ import annotations

from html import escape

from twitter_text import extract_urls_with_indices

from channels.panes import attr, data_uri, files_line, pane
from channels.threads.left_out import left_out_html
from channels.twitter.draft import MAX_WEIGHTED_LENGTH, URL_WEIGHT, ThreadDraft

NEAR_LIMIT = 260


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
    return pane("twitter", "X thread", meta + "".join(cards) + left_out_html(draft.left_out) + files_line(draft))
