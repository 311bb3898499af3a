"""X (Twitter): an update as a numbered thread within twitter-text v3 weighted lengths."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from twitter_text import parse_tweet

from channels import thread_split as split
from channels.base import RenderContext, RenderError, json_bytes
from content.i18n import t
from content.markdown import Block, bare_link, blocks
from content.model import Update

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
DEFAULT_MAX_TWEETS = 10
MIN_BUDGET = MAX_WEIGHTED_LENGTH // 2  # re-splitting after a verification never shrinks a tweet below this
HOOK_SEPARATOR = " — "
READ_MORE = "Read the full post: {url}"  # msgid: content/locale
SKIPPED_KINDS = frozenset({"rule"})
TEXT_KINDS = frozenset({"paragraph", "item", "quote"})
SECTION_LEVEL = 2

_REJECTED = re.compile("[\ufffe\ufeff\uffff]")


@dataclass(frozen=True)
class ThreadDraft:
    """A thread ready to post: each tweet's exact text and its weighted length."""

    channel: str = "twitter"
    tweets: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    condensed: bool = False
    hand_written: bool = False
    warnings: tuple[str, ...] = ()

    def files(self) -> dict[str, bytes]:
        """`thread.json` (the tweets as sent) and `thread.txt` (a listing with each tweet's weight)."""
        count = len(self.tweets)
        listing = "\n".join(
            f"--- {number}/{count} ({weight}/{MAX_WEIGHTED_LENGTH}) ---\n{tweet}\n"
            for number, (tweet, weight) in enumerate(zip(self.tweets, self.weights, strict=True), 1)
        )
        return {"thread.json": json_bytes(list(self.tweets)), "thread.txt": listing.encode()}


def block_text(block: Block) -> str:
    """A body block as thread text: list items keep their marker, quotes get quotation marks."""
    if block.kind == "item":
        return f"{block.marker} {block.text}"
    if block.kind == "quote":
        return f"“{block.text}”"
    return block.text


def hook_text(update: Update) -> str:
    """The opening words of the thread: the title, then the summary if there is one."""
    return f"{update.title}{HOOK_SEPARATOR}{update.summary}" if update.summary else update.title


def read_more(context: RenderContext, lang: str = "en") -> str:
    """The closing line that links the Diff post, its URL exactly as given."""
    return t(lang, READ_MORE, url=context.diff_url)


def body_chunks(body: Sequence[Block]) -> list[split.Chunk]:
    """Body blocks as chunks: headings open a tweet; items and text under a heading follow on one line."""
    out: list[split.Chunk] = []
    previous: Block | None = None
    for block in body:
        tight = previous is not None and (previous.kind == "heading" or previous.kind == block.kind == "item")
        found = split.chunk(
            split.clean(block_text(block)), "\n" if tight else "\n\n", break_before=block.kind == "heading"
        )
        if found:
            out.append(found)
            previous = block
    return out


def source_chunks(update: Update, context: RenderContext, body: Sequence[Block]) -> list[split.Chunk]:
    """The whole thread's source: hook, body, and the Diff link."""
    hook = split.chunk(split.clean(hook_text(update)), break_after=bool(update.summary))
    assert hook is not None  # the model guarantees a non-blank title
    closing = split.Chunk((split.whole(read_more(context, update.lang)),))
    return [hook, *body_chunks(body), closing]


def single_tweet(chunks: Sequence[split.Chunk]) -> str | None:
    """All chunks as one tweet, if they fit one."""
    weight = chunks[0].weight + sum(c.sep_weight + c.weight for c in chunks[1:])
    if weight > MAX_WEIGHTED_LENGTH:
        return None
    return chunks[0].text + "".join(c.sep + c.text for c in chunks[1:])


def tweets_needed(chunks: Sequence[split.Chunk]) -> int:
    """How many numbered tweets the full text needs (by the incremental count, unverified)."""
    count = 1
    while True:
        reserve = split.numbering_reserve(count)
        needed = len(split.pack(chunks, lambda _, reserve=reserve: MAX_WEIGHTED_LENGTH - reserve))
        if split.numbering_reserve(needed) <= reserve:
            return needed
        count = needed


def sections(body: Sequence[Block]) -> list[tuple[str, tuple[split.Sentence, ...]]]:
    """(heading, text sentences) per section; without headings, ("", first sentence) per paragraph."""
    levels = {block.level for block in body if block.kind == "heading"}
    if not levels:
        found = (split.sentences(split.clean(block_text(b))) for b in body if b.kind in TEXT_KINDS)
        return [("", sentences[:1]) for sentences in found if sentences]
    level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels)
    grouped: list[tuple[str, list[tuple[split.Sentence, ...]]]] = []
    for block in body:
        if block.kind == "heading" and block.level <= level:
            grouped.append((split.clean(block.text), []))
        elif grouped and block.kind in TEXT_KINDS:
            grouped[-1][1].append(split.sentences(split.clean(block_text(block))))
    return [(heading, split.joined(groups)) for heading, groups in grouped if heading]


def section_tweet(heading: str, found: Sequence[split.Sentence], budget: int) -> str:
    """A heading and the first sentence(s) of its section that fit the budget."""
    if not heading:
        return split.lead_text(found, budget)
    room = budget - split.text_weight(heading) - 1
    if room < 0:
        return split.lead_text(split.sentences(heading), budget)
    lead = split.lead_text(found, room) if room > split.plain_weight(split.ELLIPSIS) else ""
    return f"{heading}\n{lead}" if lead else heading


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
        if update.twitter.thread is not None:
            return self.hand_written(update, context, max_tweets)
        body = [block for block in blocks(update.body, bare_link) if block.kind not in SKIPPED_KINDS]
        chunks = source_chunks(update, context, body)
        single = single_tweet(chunks)
        if single is not None and parse_tweet(single).valid:
            return ThreadDraft(tweets=(single,), weights=(parse_tweet(single).weightedLength,))
        needed = tweets_needed(chunks)
        if needed <= max_tweets:
            tweets, weights = split.verified_thread(
                lambda budget_for: split.pack(chunks, budget_for), MAX_WEIGHTED_LENGTH, MIN_BUDGET
            )
            if len(tweets) <= max_tweets:
                return ThreadDraft(tweets=tuple(tweets), weights=tuple(weights))
            needed = len(tweets)
        tweets, weights = self.condensed(update, context, body, max_tweets)
        warning = f"thread condensed: the full body needs {needed} tweets, max_tweets is {max_tweets}"
        return ThreadDraft(tweets=tuple(tweets), weights=tuple(weights), condensed=True, warnings=(warning,))

    def condensed(
        self, update: Update, context: RenderContext, body: Sequence[Block], max_tweets: int
    ) -> tuple[list[str], list[int]]:
        """Hook, one tweet per section (or paragraph) while slots last, then the Diff link."""
        hook = split.sentences(split.clean(hook_text(update)))
        closing = read_more(context, update.lang)
        leads = sections(body)[: max(0, max_tweets - 2)]

        def build(budget_for: split.BudgetFor) -> list[str]:
            if max_tweets == 1:
                room = budget_for(0) - split.text_weight(closing) - 2
                return [f"{split.lead_text(hook, room)}\n\n{closing}"]
            middle = [section_tweet(h, found, budget_for(i)) for i, (h, found) in enumerate(leads, 1)]
            return [split.lead_text(hook, budget_for(0)), *middle, closing]

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
