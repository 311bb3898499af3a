"""X (Twitter): an update as a thread within twitter-text v3 weighted lengths, the Diff link and image on tweet 1."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from twitter_text import parse_tweet

from channels import thread_split as split
from channels.base import RenderContext, RenderError, json_bytes
from content.markdown import Block, bare_link, blocks, footnote_count
from content.model import Update

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
DEFAULT_MAX_TWEETS = 10
MIN_BUDGET = MAX_WEIGHTED_LENGTH // 2  # re-splitting after a verification never shrinks a tweet below this
HOOK_SEPARATOR = " — "
LINK_SEPARATOR = "\n\n"
READ_MORE = "Read the full post: "
SKIPPED_KINDS = frozenset({"rule", "footnote"})
TEXT_KINDS = frozenset({"paragraph", "item", "quote"})
SECTION_LEVEL = 2
OPENING_QUOTES = ('"', "'", "“", "‘", "«", "„", "‚", "‹", "「", "『", "”")
MARK_CHARS = (  # directional and zero-width marks: never part of a URL
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)

_REJECTED = re.compile("[\ufffe\ufeff\uffff]")
_MARKS = re.compile(f"[{MARK_CHARS}]")
_ENCODED_MARKS = re.compile(r"(?:%E2%80%8[B-F]|%E2%80%A[A-E]|%E2%81%A[0-46-9]|%D8%9C|%EF%BB%BF)+$", re.I)
_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.I)
_FOOTNOTE_REF = re.compile(r"\[(\d{1,4})\]")


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
    url = _ENCODED_MARKS.sub("", _MARKS.sub("", href))
    shown = _MARKS.sub("", text)
    trailing = text[len(text.rstrip(MARK_CHARS)) :] if text else ""
    if shown and _address(shown) == _address(url.removeprefix("mailto:")):
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
        replace(block, text=without_footnote_refs(block.text, count))
        for block in blocks(update.body, tweet_link)
        if block.kind not in SKIPPED_KINDS
    ]


def block_text(block: Block) -> str:
    """A body block as thread text: list items keep their marker, quotes get quotation marks unless quoted."""
    if block.kind == "item":
        return f"{block.marker} {block.text}"
    if block.kind == "quote" and not block.text.startswith(OPENING_QUOTES):
        return f"“{block.text}”"
    return block.text


def block_sentences(block: Block) -> tuple[split.Sentence, ...]:
    """A block's text as sentences."""
    return split.sentences(split.clean(block_text(block)))


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
        out.append(group)
    return out


def group_chunk(group: Sequence[Block]) -> split.Chunk | None:
    """A group of blocks as one chunk, its blocks on their own lines."""
    found = split.joined(block_sentences(block) for block in group)
    if not found:
        return None
    together = any(block.kind in ("item", "table") for block in group)
    return split.Chunk(found, break_before=group[0].kind == "heading", together=together)


def units(group: Sequence[Block]) -> list[tuple[split.Sentence, ...]]:
    """What a condensed tweet takes whole or not at all: a question heading with its answer's first sentence,
    a list with its lead-in, else one sentence."""
    found = [(block, split.led(block_sentences(block), "\n")) for block in group]
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
            items = list(sentences) if block.kind == "item" else []
            while index < len(found) and found[index][0].kind == "item":
                items.extend(found[index][1])
                index += 1
            out.append((*lead_in, *items))
            continue
        out.extend((sentence,) for sentence in sentences)
    return out


def sections(body: Sequence[Block]) -> list[tuple[str, list[tuple[split.Sentence, ...]]]]:
    """(heading, units) per section; without headings, ("", first unit) per paragraph or list."""
    text = [block for block in body if block.kind in TEXT_KINDS or block.kind == "heading"]
    levels = {block.level for block in text if block.kind == "heading"}
    if not levels:
        return [("", found[:1]) for group in groups(text) if (found := units(group))]
    level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels)
    grouped: list[tuple[str, list[Block]]] = []
    for block in text:
        if block.kind == "heading" and block.level <= level:
            grouped.append((split.clean(block.text), []))
        elif grouped:
            grouped[-1][1].append(block)
    return [(heading, units(section)) for heading, section in grouped if heading]


def intro(body: Sequence[Block]) -> list[tuple[split.Sentence, ...]]:
    """The units of the text before the first heading."""
    text = [block for block in body if block.kind in TEXT_KINDS or block.kind == "heading"]
    if not any(block.kind == "heading" for block in text):
        return []
    return units(text[: next(i for i, block in enumerate(text) if block.kind == "heading")])


def section_tweet(heading: str, found: Sequence[tuple[split.Sentence, ...]], budget: int) -> str:
    """A heading and the leading units of its section that fit the budget."""
    if not heading:
        return split.lead_units(found, budget)
    room = budget - split.text_weight(heading) - 1
    if room < 0:
        return split.lead_text(split.sentences(heading), budget)
    lead = split.lead_units(found, room) if room > split.plain_weight(split.ELLIPSIS) and found else ""
    return f"{heading}\n{lead}" if lead else heading


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
        """Hook and link, one tweet per section (or paragraph) while slots last (the link last if so configured)."""
        first = context.twitter_link == "first"
        hook = split.sentences(split.clean(hook_text(update)))
        link = context.diff_url if first else read_more(context)
        slots = max(0, max_tweets - (1 if first else 2))
        leads = sections(body)
        opening = intro(body)
        if opening and len(leads) < slots:
            leads.insert(0, ("", opening))
        leads = leads[:slots]

        def build(limit_for: split.BudgetFor) -> list[str]:
            if max_tweets == 1:
                room = limit_for(0) - split.text_weight(link) - len(LINK_SEPARATOR)
                return [f"{split.lead_text(hook, room)}{LINK_SEPARATOR}{link}"]
            middle = [section_tweet(h, found, limit_for(i)) for i, (h, found) in enumerate(leads, 1)]
            if first:
                room = limit_for(0) - URL_WEIGHT - len(LINK_SEPARATOR)
                return [f"{split.lead_text(hook, room)}{LINK_SEPARATOR}{link}", *middle]
            return [split.lead_text(hook, limit_for(0)), *middle, link]

        return split.verified_thread(build, MAX_WEIGHTED_LENGTH, MIN_BUDGET)

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
