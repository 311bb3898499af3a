"""X (Twitter): an update as a thread within twitter-text v3 weighted lengths, the Diff link and image on tweet 1."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from twitter_text import parse_tweet

from channels import thread_split as split
from channels.base import RenderContext, RenderError, json_bytes
from content.markdown import Block, bare_link, blocks, clean_url, footnote_count
from content.model import Update

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
DEFAULT_MAX_TWEETS = 10
MAX_ALT_TEXT = 1000  # X's limit for an image's alt text
MIN_BUDGET = MAX_WEIGHTED_LENGTH // 2  # re-splitting after a verification never shrinks a tweet below this
HOOK_SEPARATOR = " — "
LINK_SEPARATOR = "\n\n"
READ_MORE = "Read the full post: "
SKIPPED_KINDS = frozenset({"rule", "footnote"})
TEXT_KINDS = frozenset({"paragraph", "item", "quote"})
SECTION_LEVEL = 2
OPENING_QUOTES = ('"', "'", "“", "‘", "«", "„", "‚", "‹", "「", "『", "”")
ATTRIBUTION_DASHES = ("—", "–", "―", "-")  # "— Jane Doe, Counsel": a quote's source, not more of the quote
MARK_CHARS = (  # directional and zero-width marks: never part of a URL
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)

_REJECTED = re.compile("[\ufffe\ufeff\uffff]")
_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.I)
_FOOTNOTE_REF = re.compile(r"\[(\d{1,4})\]")
_ITEM = re.compile(r"(?:•|\d{1,3}\.) ")


@dataclass(frozen=True)
class ThreadDraft:
    """A thread ready to post: each tweet's exact text and weighted length, and tweet 1's image."""

    channel: str = "twitter"
    tweets: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    condensed: bool = False
    hand_written: bool = False
    warnings: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    image_file: Path | None = field(default=None, compare=False)

    def files(self) -> dict[str, bytes]:
        """`thread.json` (the tweets as sent) and `thread.txt` (a listing with each tweet's weight and the image)."""
        count = len(self.tweets)
        entries = []
        for number, (tweet, weight) in enumerate(zip(self.tweets, self.weights, strict=True), 1):
            media = f"[image: {self.image} | alt: {self.image_alt}]\n" if number == 1 and self.image else ""
            entries.append(f"--- {number}/{count} ({weight}/{MAX_WEIGHTED_LENGTH}) ---\n{tweet}\n{media}")
        return {"thread.json": json_bytes(list(self.tweets)), "thread.txt": "\n".join(entries).encode()}


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
    """The body's blocks as the thread tells them: no rules, no footnotes and no footnote markers."""
    count = footnote_count(update.body)
    return [
        block if block.kind == "code" else replace(block, text=without_footnote_refs(block.text, count))
        for block in blocks(update.body, tweet_link)
        if block.kind not in SKIPPED_KINDS
    ]


def block_text(block: Block) -> str:
    """A body block as thread text: list items keep their marker, quotes get quotation marks unless quoted."""
    if block.kind == "item":
        return f"{block.marker} {block.text}"
    if block.kind == "quote" and not block.text.startswith(OPENING_QUOTES + ATTRIBUTION_DASHES):
        return f"“{block.text}”"
    return block.text


def block_sentences(block: Block) -> tuple[split.Sentence, ...]:
    """A block's text as sentences; a list item is one, so that a tweet never ends on an item's first words."""
    found = split.sentences(split.clean(block_text(block)))
    if block.kind == "item" and len(found) > 1:
        return (split.Sentence(tuple(piece for sentence in found for piece in sentence.pieces)),)
    return found


def hook_text(update: Update) -> str:
    """The opening words of the thread: the title, then the summary if there is one."""
    return f"{update.title}{HOOK_SEPARATOR}{update.summary}" if update.summary else update.title


def read_more(context: RenderContext) -> str:
    """The closing line that links the Diff post, its URL exactly as given."""
    return f"{READ_MORE}{context.diff_url}"


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
            if block.kind == "item" or (leads_in and index < len(body) and body[index].kind == "item"):
                while index < len(body) and body[index].kind == "item":
                    group.append(body[index])
                    index += 1
            while block.kind == "quote" and index < len(body) and body[index].kind == "quote":
                group.append(body[index])  # a quotation with its attribution
                index += 1
        out.append(group)
    return out


def group_chunk(group: Sequence[Block]) -> split.Chunk | None:
    """A group of blocks as one chunk, its blocks on their own lines."""
    found = split.joined(block_sentences(block) for block in group)
    if not found:
        return None
    together = any(block.kind in ("item", "table", "quote") for block in group)
    head = sum(len(block_sentences(block)) for block in group if block.kind == "heading")
    return split.Chunk(found, break_before=group[0].kind == "heading", together=together, head=head)


def units(group: Sequence[Block]) -> list[tuple[split.Sentence, ...]]:
    """What a condensed tweet takes whole or not at all: a question heading with its answer's first sentence,
    a list with its lead-in, else one sentence."""
    found: list[tuple[Block, tuple[split.Sentence, ...]]] = []
    for block in group:
        if block.kind in TEXT_KINDS or block.kind == "heading":
            found.append((block, split.led(block_sentences(block), "\n")))
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
            out.append(list_unit(lead_in, items))
            continue
        out.extend((sentence,) for sentence in sentences)
    return out


class Unit(tuple):
    """Sentences a condensed tweet takes whole or not at all; `short`, a shorter form to take instead."""

    short: tuple[split.Sentence, ...] | None = None
    listed = False  # a list with its lead-in


def list_unit(lead_in: tuple[split.Sentence, ...], items: Sequence[Block]) -> Unit:
    """A list with its lead-in; its short form gives each item by its first sentence."""
    whole = [split.led(block_sentences(item), "\n") for item in items]
    unit = Unit((*lead_in, *(sentence for sentences in whole for sentence in sentences)))
    unit.listed = True
    firsts = [split.sentences(split.clean(block_text(item))) for item in items]
    if any(len(found) > 1 for found in firsts):
        unit.short = (*lead_in, *(split.led(found[:1], "\n")[0] for found in firsts if found))
    return unit


@dataclass(frozen=True)
class Section:
    """Text under one heading (or a paragraph, without headings), as a condensed thread tells it."""

    heading: Block | None
    blocks: tuple[Block, ...]
    max_units: int | None = None

    @cached_property
    def title(self) -> str:
        """The heading as thread text, or "" for text without one."""
        return split.clean(self.heading.text) if self.heading else ""

    @cached_property
    def units(self) -> list[tuple[split.Sentence, ...]]:
        """What a single tweet of this section takes whole or not at all."""
        return units(self.blocks)[: self.max_units]

    @cached_property
    def chunks(self) -> list[split.Chunk]:
        """The whole section as chunks, heading first."""
        head = (self.heading,) if self.heading else ()
        return [chunk for group in groups([*head, *self.blocks]) if (chunk := group_chunk(group))]

    def needs(self, budget: int) -> int:
        """How many tweets the whole section fills."""
        return len(split.pack(self.chunks, lambda _: budget))

    def lead(self, budget: int) -> str:
        """The heading and the leading units that fit one tweet."""
        if not self.title:
            return split.lead_units(self.units, budget)
        room = budget - split.text_weight(self.title) - 1
        if room < 0:
            return split.lead_text(split.sentences(self.title), budget)
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
            if in_list and split.text_weight(kept[-1]) + 2 <= budget_for(count - 1):
                kept[-1] += f"\n{split.ELLIPSIS}"  # the list goes on in the post
            texts = kept
        return texts


def sections(body: Sequence[Block]) -> list[Section]:
    """The body's sections under its main headings; without headings, each paragraph or list with its lead-in."""
    text = list(body)
    levels = {block.level for block in text if block.kind == "heading"}
    if not levels:
        return [Section(None, tuple(group)) for group in groups(text) if units(group)]
    level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels)
    found: list[Section] = []
    for block in text:
        if block.kind == "heading" and block.level <= level:
            found.append(Section(block, ()))
        elif found:
            found[-1] = replace(found[-1], blocks=(*found[-1].blocks, block))
    return [section for section in found if section.title]


def intro(body: Sequence[Block]) -> Section | None:
    """The text before the first heading, when there are headings."""
    text = list(body)
    first = next((i for i, block in enumerate(text) if block.kind == "heading"), 0)
    return Section(None, tuple(text[:first])) if first and units(text[:first]) else None


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


def single_tweet(chunks: Sequence[split.Chunk]) -> str | None:
    """All chunks as one tweet, if they fit one."""
    weight = chunks[0].weight + sum(c.sep_weight + c.weight for c in chunks[1:])
    if weight > MAX_WEIGHTED_LENGTH:
        return None
    return chunks[0].text + "".join(c.sep + c.text for c in chunks[1:])


def tweets_needed(chunks: Sequence[split.Chunk], link_room: Callable[[int], int]) -> int:
    """How many numbered tweets the full text needs (by the incremental count, unverified)."""
    count = 1
    while True:
        reserve = split.numbering_reserve(count)
        limit = MAX_WEIGHTED_LENGTH - reserve
        needed = len(split.pack(chunks, lambda index, limit=limit: limit - link_room(index)))
        if split.numbering_reserve(needed) <= reserve:
            return needed
        count = needed


def rejection(number: int, tweet: str, weight: int) -> str:
    """Why X would refuse a hand-written tweet."""
    if weight > MAX_WEIGHTED_LENGTH:
        return f"tweet {number} is {weight}/{MAX_WEIGHTED_LENGTH} weighted characters"
    bad = _REJECTED.search(tweet)
    code = f" (U+{ord(bad.group()):04X})" if bad else ""
    return f"tweet {number} contains a character X does not accept{code}"


class Twitter:
    """The X/Twitter thread adapter."""

    name = "twitter"
    max_weighted_length = MAX_WEIGHTED_LENGTH
    url_weight = URL_WEIGHT
    default_max_tweets = DEFAULT_MAX_TWEETS

    def render(self, update: Update, context: RenderContext) -> ThreadDraft:
        """The thread for an update: hand-written if given, else the whole body, else condensed."""
        max_tweets = max(1, context.max_tweets)
        if update.image_alt and len(update.image_alt) > MAX_ALT_TEXT:
            message = f"is {len(update.image_alt)} characters; X takes {MAX_ALT_TEXT} for an image's alt text"
            raise RenderError(update, "image_alt", message)
        image = {"image": update.image.as_posix(), "image_alt": update.image_alt,
                 "image_file": update.image_path} if update.image else {}  # fmt: skip
        if update.twitter.thread is not None:
            return replace(self.hand_written(update, context, max_tweets), **image)
        body = thread_blocks(update)
        first = context.twitter_link == "first"
        hook, opening = self.hook_chunks(update, first)
        chunks = [hook, *opening, *filter(None, map(group_chunk, groups(body)))]
        closing = split.Chunk((split.whole(context.diff_url if first else read_more(context)),))
        single = single_tweet([*chunks, closing])
        if single is not None and parse_tweet(single).valid:
            return ThreadDraft(tweets=(single,), weights=(parse_tweet(single).weightedLength,), **image)
        link_room = self.link_room(first)
        if not first:
            chunks.append(closing)
        needed = tweets_needed(chunks, link_room)
        if needed <= max_tweets:
            tweets, weights = split.verified_thread(
                lambda limit_for: self.linked(split.pack(chunks, lambda i: limit_for(i) - link_room(i)), context),
                MAX_WEIGHTED_LENGTH,
                MIN_BUDGET,
                needed,
            )
            if len(tweets) <= max_tweets:
                return ThreadDraft(tweets=tuple(tweets), weights=tuple(weights), **image)
            needed = len(tweets)
        tweets, weights = self.condensed(update, context, body, max_tweets)
        warning = f"thread condensed: the full body needs {needed} tweets, max_tweets is {max_tweets}"
        return ThreadDraft(
            tweets=tuple(tweets), weights=tuple(weights), condensed=True, warnings=(warning,), **image
        )

    @staticmethod
    def hook_chunks(update: Update, first: bool) -> tuple[split.Chunk, list[split.Chunk]]:
        """Tweet 1's words; with the link on tweet 1, a summary too long to share it opens the body instead."""
        hook = split.chunk(split.clean(hook_text(update)), break_after=bool(update.summary))
        assert hook is not None  # the model guarantees a non-blank title
        room = MAX_WEIGHTED_LENGTH - split.numbering_reserve(DEFAULT_MAX_TWEETS) - URL_WEIGHT - len(LINK_SEPARATOR)
        if not first or not update.summary or hook.weight <= room:
            return hook, []
        title = split.chunk(split.clean(update.title), break_after=True)
        summary = split.chunk(split.clean(update.summary))
        assert title is not None
        return title, [summary] if summary else []

    @staticmethod
    def link_room(first: bool) -> Callable[[int], int]:
        """The weight each tweet keeps free for the Diff link: tweet 1's, when it carries it."""
        reserve = URL_WEIGHT + len(LINK_SEPARATOR) if first else 0
        return lambda index: reserve if index == 0 else 0

    @staticmethod
    def linked(texts: list[str], context: RenderContext) -> list[str]:
        """The texts with the Diff link after tweet 1's words, when tweet 1 carries it."""
        if context.twitter_link != "first" or not texts:
            return texts
        return [f"{texts[0]}{LINK_SEPARATOR}{context.diff_url}", *texts[1:]]

    def condensed(
        self, update: Update, context: RenderContext, body: Sequence[Block], max_tweets: int
    ) -> tuple[list[str], list[int]]:
        """Hook and link, then each section's lead (more of a section while slots last), the link last if so set."""
        first = context.twitter_link == "first"
        hook = split.sentences(split.clean(hook_text(update)))
        link = context.diff_url if first else read_more(context)
        slots = max(0, max_tweets - (1 if first else 2))
        room = MAX_WEIGHTED_LENGTH - split.numbering_reserve(max_tweets) - URL_WEIGHT - len(LINK_SEPARATOR)
        leads = sections(body)
        opening = intro(body)
        if opening is not None and len(leads) < slots:
            leads.insert(0, opening)
        if first and update.summary and split.text_weight(split.clean(hook_text(update))) > room and slots:
            hook = split.sentences(split.clean(update.title))  # tweet 1: the title and the link; then the summary
            leads.insert(0, Section(None, (Block("paragraph", update.summary),)))
        leads = chosen(leads, slots)
        counts = allocate(leads, slots, MAX_WEIGHTED_LENGTH - split.numbering_reserve(max_tweets))

        def build(limit_for: split.BudgetFor) -> list[str]:
            if max_tweets == 1 or first:
                lead = split.lead_text(hook, limit_for(0) - split.text_weight(link) - len(LINK_SEPARATOR))
                out = [f"{lead}{LINK_SEPARATOR}{link}"]
            else:
                out = [split.lead_text(hook, limit_for(0))]
            if max_tweets == 1:
                return out
            for section, count in zip(leads, counts, strict=True):
                start = len(out)
                out.extend(section.tweets(lambda index, start=start: limit_for(start + index), count))
            return out if first else [*out, link]

        expected = 1 if max_tweets == 1 else 1 + sum(counts) + (0 if first else 1)
        return split.verified_thread(build, MAX_WEIGHTED_LENGTH, MIN_BUDGET, expected)

    def hand_written(self, update: Update, context: RenderContext, max_tweets: int) -> ThreadDraft:
        """The update's own thread, verbatim; refuse it rather than cut it."""
        thread = update.twitter.thread or ()
        if len(thread) > max_tweets:
            raise RenderError(
                update,
                f"twitter.thread.{max_tweets + 1}",
                f"the hand-written thread has {len(thread)} tweets; max_tweets is {max_tweets}",
            )
        weights = []
        for number, tweet in enumerate(thread, 1):
            result = parse_tweet(tweet)
            if not result.valid:
                raise RenderError(update, f"twitter.thread.{number}", rejection(number, tweet, result.weightedLength))
            weights.append(result.weightedLength)
        warnings = ()
        if not any(context.diff_url in tweet for tweet in thread):
            warnings = (f"the hand-written thread does not link the Diff post ({context.diff_url})",)
        return ThreadDraft(tweets=tuple(thread), weights=tuple(weights), hand_written=True, warnings=warnings)
