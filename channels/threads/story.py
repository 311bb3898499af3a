"""The body as a thread tells it: its blocks, and the blocks that go together in a post."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from channels.threads import split
from content.markdown import Block, bare_link, blocks, clean_url
from content.model import Update

SKIPPED_KINDS = frozenset({"rule", "footnote"})
KEPT = frozenset({"code", "image"})  # blocks whose text is never edited
SECTION_LEVEL = 2
OPENING_QUOTES = ('"', "'", "“", "‘", "«", "„", "‚", "‹", "「", "『", "”")
ATTRIBUTION_DASHES = ("—", "–", "―", "-")  # "— Jane Doe, Counsel": a quote's source, not more of the quote
MARK_CHARS = (  # directional and zero-width marks: never part of a URL
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)

CELL_SEPARATOR = " | "  # how content.markdown joins a table row's cells

_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.I)
_FOOTNOTE_REF = re.compile(r"\[(\d{1,4})\]")


def tweet_link(text: str, href: str) -> str:
    """A link as thread text, `text URL` or the URL once; invisible marks stay outside the URL."""
    url = clean_url(href)
    shown = text.strip(MARK_CHARS)
    trailing = text[len(text.rstrip(MARK_CHARS)) :]
    if shown and _address(clean_url(shown)) == _address(url.removeprefix("mailto:")):
        shown = ""
    return bare_link(shown, url) + trailing


def _address(url: str) -> str:
    """A URL compared loosely: no scheme, no `www.`, no trailing slash, host in lower case."""
    rest = _SCHEME.sub("", url.strip())
    host, slash, path = rest.partition("/")
    return host.lower().removeprefix("www.") + (slash + path).rstrip("/")


def without_footnote_refs(text: str, count: int) -> str:
    """Text without the `[n]` markers of the body's `count` footnotes (the thread has no notes to point to)."""
    if not count:
        return text
    return _FOOTNOTE_REF.sub(lambda m: "" if 1 <= int(m[1]) <= count else m[0], text)


def thread_blocks(update: Update) -> list[Block]:
    """The body's blocks as the thread tells them: no rules, no footnotes and no footnote markers; an image is an
    `image` block of its alt text, never words of a post."""
    every = blocks(update.body, tweet_link, images=False)
    count = max((int(block.text[1:block.text.index("]")]) for block in every if block.kind == "footnote"), default=0)
    return [
        replace(block, text=without_footnote_refs(block.text, count)) if count and block.kind not in KEPT else block
        for block in every if block.kind not in SKIPPED_KINDS
    ]


def block_text(block: Block) -> str:
    """A body block as thread text: list items keep their marker, quotes get quotation marks unless quoted,
    a table is a list of its rows."""
    if block.kind == "item":
        return f"{block.marker} {block.text}"
    if block.kind == "quote" and not block.text.startswith(OPENING_QUOTES + ATTRIBUTION_DASHES):
        return f"“{block.text}”"
    if block.kind == "table":
        return table_text(block.text)
    return block.text


def table_text(text: str) -> str:
    """A table's rows as list items: `• first cell: second cell`, or `• first cell — Header: cell; ...`."""
    header, *rows = (line.split(CELL_SEPARATOR) for line in text.split("\n"))
    items = []
    for row in rows:
        first, *rest = row
        if len(rest) == 1:
            items.append(f"• {first}: {rest[0]}")
            continue
        pairs = (f"{label}: {cell}" if label else cell for label, cell in zip(header[1:], rest, strict=False))
        items.append(f"• {first} — {'; '.join(pairs)}" if rest else f"• {first}")
    return "\n".join(items)


@lru_cache(maxsize=2048)
def block_sentences(block: Block, measure: split.Measure = split.X) -> tuple[split.Sentence, ...]:
    """A block's text as sentences; a list item or a table row is one, so that no tweet ends on its first words."""
    if block.kind == "table":
        return split.joined(one_sentence(line, measure) for line in block_text(block).split("\n"))
    if block.kind == "item":
        return one_sentence(block_text(block), measure)
    return split.quoted(split.sentences(split.clean(block_text(block)), measure))


def one_sentence(text: str, measure: split.Measure = split.X) -> tuple[split.Sentence, ...]:
    """A text kept together as one sentence (split only if it cannot fit a tweet)."""
    found = split.sentences(split.clean(text), measure)
    if len(found) > 1:
        return (split.Sentence(tuple(piece for sentence in found for piece in sentence.pieces)),)
    return found


def groups(body: Sequence[Block]) -> list[list[Block]]:
    """Blocks that go together in a tweet: a heading with what follows it, a list with its lead-in."""
    out: list[list[Block]] = []
    index = 0
    while index < len(body):
        group: list[Block] = []
        while index < len(body) and body[index].kind == "heading":
            group.append(body[index])
            index += 1
        if index < len(body):
            block = body[index]
            group.append(block)
            index += 1
            leads_in = block.kind == "paragraph" and block.text.rstrip().endswith((":", "："))
            if leads_in and index < len(body) and body[index].kind == "table":
                group.append(body[index])  # a table with its lead-in
                index += 1
            elif block.kind == "item" or (leads_in and index < len(body) and body[index].kind == "item"):
                while index < len(body) and body[index].kind == "item":
                    group.append(body[index])
                    index += 1
            while block.kind == "quote" and index < len(body) and body[index].kind == "quote":
                group.append(body[index])  # a quotation with its attribution
                index += 1
        out.append(group)
    return out


def group_chunk(group: Sequence[Block], measure: split.Measure = split.X) -> split.Chunk | None:
    """A group of blocks as one chunk, its blocks on their own lines."""
    found = split.joined(block_sentences(block, measure) for block in group)
    if not found:
        return None
    together = any(block.kind in ("item", "table", "quote") for block in group)
    head = sum(len(block_sentences(block, measure)) for block in group if block.kind == "heading")
    return split.Chunk(found, break_before=group[0].kind == "heading", together=together, head=head)
