"""The body as an X thread tells it: its blocks, the blocks that go together, and the sections a condensed
thread draws from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from channels.threads import split
from content.markdown import Block, bare_link, blocks, clean_url, footnote_count
from content.model import Update

SKIPPED_KINDS = frozenset({"rule", "footnote"})
TEXT_KINDS = frozenset({"paragraph", "item", "quote"})
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
_ITEM = re.compile(r"(?:•|\d{1,3}\.) ")


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
    count = footnote_count(update.body)
    return [
        replace(block, text=without_footnote_refs(block.text, count)) if count and block.kind not in KEPT else block
        for block in blocks(update.body, tweet_link, images=False)
        if block.kind not in SKIPPED_KINDS
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


def units(group: Sequence[Block], measure: split.Measure = split.X) -> list[tuple[split.Sentence, ...]]:
    """What a condensed tweet takes whole or not at all: a question heading with its answer's first sentence,
    a list with its lead-in, else one sentence."""
    found: list[tuple[Block, tuple[split.Sentence, ...]]] = []
    for block in group:
        if block.kind in TEXT_KINDS or block.kind == "heading":
            found.append((block, split.led(block_sentences(block, measure), "\n")))
        elif found and found[-1][1] and split.announces(found[-1][1][-1]):
            found[-1] = (found[-1][0], found[-1][1][:-1])  # it announced a table or code left to the post
    out: list[tuple[split.Sentence, ...]] = []
    index = 0
    while index < len(found):
        block, sentences = found[index]
        index += 1
        if not sentences:
            continue
        if block.kind == "heading":
            answer = found[index][1] if index < len(found) and found[index][0].kind != "heading" else ()
            out.append((*sentences, *answer[:1]))
            out.extend((sentence,) for sentence in answer[1:])
            index += 1 if answer else 0
            continue
        if block.kind == "item" or (index < len(found) and found[index][0].kind == "item"):
            lead_in = () if block.kind == "item" else sentences[-1:]
            out.extend((sentence,) for sentence in (() if block.kind == "item" else sentences[:-1]))
            items = [block] if block.kind == "item" else []
            while index < len(found) and found[index][0].kind == "item":
                items.append(found[index][0])
                index += 1
            out.append(list_unit(lead_in, items, measure))
            continue
        out.extend((sentence,) for sentence in sentences)
    return out


class Unit(tuple):
    """Sentences a condensed tweet takes whole or not at all; `short`, a shorter form to take instead;
    `listed`, a list with its lead-in."""

    short: tuple[split.Sentence, ...] | None
    listed: bool

    def __new__(
        cls, sentences: Sequence[split.Sentence], short: tuple[split.Sentence, ...] | None = None, listed: bool = False
    ) -> Unit:
        unit = super().__new__(cls, sentences)
        unit.short, unit.listed = short, listed
        return unit


def list_unit(lead_in: tuple[split.Sentence, ...], items: Sequence[Block], measure: split.Measure = split.X) -> Unit:
    """A list with its lead-in; its short form gives each item by its first sentence."""
    whole = [split.led(block_sentences(item, measure), "\n") for item in items]
    firsts = [split.sentences(split.clean(block_text(item)), measure) for item in items]
    short = None
    if any(len(found) > 1 for found in firsts):
        short = (*lead_in, *(split.led(found[:1], "\n")[0] for found in firsts if found))
    return Unit((*lead_in, *(sentence for sentences in whole for sentence in sentences)), short, listed=True)


@dataclass(frozen=True)
class Section:
    """Text under one heading (or a paragraph, without headings), as a condensed thread tells it."""

    heading: Block | None
    blocks: tuple[Block, ...]
    measure: split.Measure = split.X

    @cached_property
    def title(self) -> str:
        """The heading as thread text, or "" for text without one."""
        return split.clean(self.heading.text) if self.heading else ""

    @cached_property
    def units(self) -> list[tuple[split.Sentence, ...]]:
        """What a single tweet of this section takes whole or not at all."""
        return units(self.blocks, self.measure)

    @cached_property
    def chunks(self) -> list[split.Chunk]:
        """The whole section as chunks, heading first."""
        head = (self.heading,) if self.heading else ()
        return [chunk for group in groups([*head, *self.blocks]) if (chunk := group_chunk(group, self.measure))]

    def needs(self, budget: int) -> int:
        """How many tweets the whole section fills."""
        return len(split.pack(self.chunks, lambda _: budget))

    def lead(self, budget: int) -> str:
        """The heading and the leading units that fit one tweet."""
        if not self.title:
            return split.lead_units(self.units, budget)
        room = budget - split.text_weight(self.title, self.measure) - 1
        if room < 0:
            return split.lead_text(split.sentences(self.title, self.measure), budget)
        lead = split.lead_units(self.units, room) if room > split.plain_weight(split.ELLIPSIS) and self.units else ""
        return f"{self.title}\n{lead}" if lead else self.title

    def tweets(self, budget_for: split.BudgetFor, count: int) -> list[str]:
        """The section in at most `count` tweets: one lead tweet, or the first tweets of the whole section."""
        if count == 1:
            return [self.lead(budget_for(0))]
        texts = split.pack(self.chunks, budget_for)
        if len(texts) > count:
            kept, dropped = texts[:count], texts[count]
            in_list = _ITEM.match(kept[-1].rsplit("\n", 1)[-1]) and _ITEM.match(dropped)
            if in_list and split.text_weight(kept[-1], self.measure) + 2 <= budget_for(count - 1):
                kept[-1] += f"\n{split.ELLIPSIS}"  # the list goes on in the post
            texts = kept
        return texts


def sections(body: Sequence[Block], measure: split.Measure = split.X) -> list[Section]:
    """The body's sections under its main headings; without headings, each paragraph or list with its lead-in."""
    text = list(body)
    levels = {block.level for block in text if block.kind == "heading"}
    if not levels:
        return [Section(None, tuple(group), measure) for group in groups(text) if units(group)]
    level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels)
    found: list[tuple[Block, list[Block]]] = []
    for block in text:
        if block.kind == "heading" and block.level <= level:
            found.append((block, []))
        elif found:
            found[-1][1].append(block)
    return [section for heading, under in found if (section := Section(heading, tuple(under), measure)).title]


def intro(body: Sequence[Block], measure: split.Measure = split.X) -> Section | None:
    """The text before the first heading, when there are headings."""
    text = list(body)
    first = next((i for i, block in enumerate(text) if block.kind == "heading"), 0)
    return Section(None, tuple(text[:first]), measure) if first and units(text[:first]) else None


def chosen(leads: Sequence[Section], slots: int) -> list[Section]:
    """The sections that get a tweet, in reading order: the first ones, but paragraphs without headings that
    carry a link (a registration page, the full text) go before those that do not."""
    if len(leads) <= slots or any(section.heading for section in leads[1:]):
        return list(leads[:slots])
    linked = [i for i, section in enumerate(leads) if i and any(split.has_url(c.text) for c in section.chunks)]
    order = [0, *linked, *(i for i in range(1, len(leads)) if i not in linked)][:slots]
    return [leads[i] for i in sorted(order)]


def allocate(leads: Sequence[Section], slots: int, budget: int) -> list[int]:
    """Tweets per section: one each, then the spare slots to the sections that need more, headed ones first."""
    counts = [1] * len(leads)
    spare = slots - len(leads)
    if spare <= 0:
        return counts
    needs = [section.needs(budget) for section in leads]
    for headed in (True, False):
        while spare > 0:
            wanting = [i for i, section in enumerate(leads) if counts[i] < needs[i] and bool(section.heading) == headed]
            for i in wanting[:spare]:
                counts[i] += 1
            spare -= len(wanting[:spare])
            if not wanting:
                break
    return counts
