"""X (Twitter): an update as a thread within twitter-text v3 weighted lengths, the Diff link and image on tweet 1."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from twitter_text import parse_tweet

from channels.threads import split
from channels.threads.story import Section, allocate, chosen, group_chunk, groups, intro, sections, thread_blocks
from channels.twitter.options import TwitterOptions
from channels.twitter.settings import TwitterSettings
from content.i18n import t
from content.markdown import Block
from content.model import Update
from herald.core.draft import RenderContext, RenderError, fenced, json_bytes

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
DEFAULT_MAX_TWEETS = 10
MAX_ALT_TEXT = 1000  # X's limit for an image's alt text
HOOK_SEPARATOR = " — "
LINK_SEPARATOR = "\n\n"
READ_MORE = "Read the full post: {url}"  # msgid: content/locale

_REJECTED = re.compile("[\ufffe\ufeff\uffff]")


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

    @property
    def kind(self) -> str:
        """How the thread was made: condensed, hand-written or the full body."""
        return "condensed" if self.condensed else "hand-written" if self.hand_written else "full body"

    def summary(self) -> str:
        """How many tweets, and whether condensed or hand-written."""
        kind = "" if self.kind == "full body" else f", {self.kind}"
        return f"{len(self.tweets)} tweets{kind}"

    def facts(self) -> str:
        """How many tweets, how made, and the heaviest against the limit."""
        return f"{len(self.tweets)} tweets ({self.kind}), longest {max(self.weights)}/{MAX_WEIGHTED_LENGTH}"

    def text(self) -> str:
        """The tweets as read."""
        return "\n\n".join(self.tweets)

    def markdown(self) -> str:
        """Each tweet, numbered and weighed, exactly as posted."""
        count = len(self.tweets)
        return "\n## X thread\n" + "".join(
            f"\n**{number}/{count}** ({weight}/{MAX_WEIGHTED_LENGTH})\n\n{fenced(tweet)}"
            for number, (tweet, weight) in enumerate(zip(self.tweets, self.weights, strict=True), 1))


def hook_text(update: Update) -> str:
    """The opening words of the thread: the title, then the summary if there is one."""
    return f"{update.title}{HOOK_SEPARATOR}{update.summary}" if update.summary else update.title


def read_more(context: RenderContext, lang: str = "en") -> str:
    """The closing line that links the Diff post, its URL exactly as given."""
    return t(lang, READ_MORE, url=context.diff_url)


def single_tweet(chunks: Sequence[split.Chunk], limit: int = MAX_WEIGHTED_LENGTH) -> str | None:
    """All chunks as one tweet, if they fit one."""
    weight = chunks[0].weight + sum(c.sep_weight + c.weight for c in chunks[1:])
    if weight > limit:
        return None
    return chunks[0].text + "".join(c.sep + c.text for c in chunks[1:])


def tweets_needed(
    chunks: Sequence[split.Chunk], link_room: Callable[[int], int], most: int = MAX_WEIGHTED_LENGTH
) -> int:
    """How many numbered tweets the full text needs (by the incremental count, unverified)."""
    count = 1
    while True:
        reserve = split.numbering_reserve(count)
        limit = most - reserve
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


SHORT_THREAD = 4  # tweets: a short update without sections that needs more is condensed to its key facts
SHORT_BODY = 1500  # weighted units (about 250 words): up to this, an update without headings is short


def is_short(body: Sequence[Block], chunks: Sequence[split.Chunk]) -> bool:
    """A short piece without sections (an announcement): its thread is its key facts, not every sentence."""
    if any(block.kind == "heading" for block in body):
        return False
    return sum(chunk.weight for chunk in chunks) <= SHORT_BODY


def render(update: Update, context: RenderContext, settings: TwitterSettings, options: TwitterOptions) -> ThreadDraft:
    """The X thread for an update (the channel's entry point)."""
    return Twitter(settings).render(update, context, options)


class Twitter:
    """The X/Twitter thread adapter; with another service's length rule, that service's thread of the update."""

    name = "twitter"
    max_weighted_length = MAX_WEIGHTED_LENGTH
    url_weight = URL_WEIGHT
    default_max_tweets = DEFAULT_MAX_TWEETS

    def __init__(
        self,
        settings: TwitterSettings | None = None,
        limit: int = MAX_WEIGHTED_LENGTH,
        url_weight: int = URL_WEIGHT,
        measure: split.Measure = split.X,
        posts: str = "tweets",
        max_setting: str = "max_tweets",
        blocks: Callable[[Update], list[Block]] = thread_blocks,
    ) -> None:
        """X's rules by default; `url_weight` is what the Diff link counts, `posts` and `max_setting` name the
        thread's posts and their cap in warnings, `blocks` gives the body as the service should read it."""
        self.settings = settings or TwitterSettings()
        self.max_weighted_length, self.url_weight, self.measure = limit, url_weight, measure
        self.posts, self.max_setting, self.blocks = posts, max_setting, blocks

    def render(self, update: Update, context: RenderContext, options: TwitterOptions | None = None) -> ThreadDraft:
        """The thread for an update: hand-written if given, else the whole body, else condensed."""
        options = options or update.block(self.name, TwitterOptions)
        max_tweets = max(1, self.settings.max_tweets)
        if update.image_alt and len(update.image_alt) > MAX_ALT_TEXT:
            message = f"is {len(update.image_alt)} characters; X takes {MAX_ALT_TEXT} for an image's alt text"
            raise RenderError(update, "image_alt", message)
        image = {"image": update.image.as_posix(), "image_alt": update.image_alt,
                 "image_file": update.image_path} if update.image else {}  # fmt: skip
        if options.thread is not None:
            return replace(self.hand_written(update, context, max_tweets, options.thread), **image)
        return replace(self.automatic(update, context, max_tweets), **image)

    def automatic(self, update: Update, context: RenderContext, max_tweets: int) -> ThreadDraft:
        """The whole body as a thread if it fits `max_tweets`, else condensed (no image: the caller adds it)."""
        body = self.blocks(update)
        first = self.settings.link == "first"
        hook, opening = self.hook_chunks(update, first)
        chunks = [hook, *opening, *filter(None, (group_chunk(group, self.measure) for group in groups(body)))]
        link = context.diff_url if first else read_more(context, update.lang)
        closing = split.Chunk((split.whole(link, self.measure),))
        single = single_tweet([*chunks, closing], self.max_weighted_length)
        parsed = self.measure.check(single) if single is not None else None
        if single is not None and parsed is not None and parsed[0]:
            return ThreadDraft(tweets=(single,), weights=(parsed[1],))
        link_room = self.link_room(first)
        if not first:
            chunks.append(closing)
        needed = tweets_needed(chunks, link_room, self.max_weighted_length)
        short = is_short(body, chunks)
        if short and needed > SHORT_THREAD:
            max_tweets = min(max_tweets, SHORT_THREAD)  # a short piece without sections: its key facts, not all of it
        if needed <= max_tweets:
            tweets, weights = split.verified_thread(
                lambda limit_for: self.linked(split.pack(chunks, lambda i: limit_for(i) - link_room(i)), context),
                self.max_weighted_length,
                self.max_weighted_length // 2,
                needed,
                self.measure,
            )
            if len(tweets) <= max_tweets:
                return ThreadDraft(tweets=tuple(tweets), weights=tuple(weights))
            needed = len(tweets)
        tweets, weights = self.condensed(update, context, body, max_tweets)
        posts = self.posts
        warning = (f"thread condensed to its key facts: the full body needs {needed} {posts}, and a short update "
                   f"without sections takes at most {SHORT_THREAD}" if short and needed > SHORT_THREAD else
                   f"thread condensed: the full body needs {needed} {posts}, {self.max_setting} is {max_tweets}")
        return ThreadDraft(tweets=tuple(tweets), weights=tuple(weights), condensed=True, warnings=(warning,))

    def hook_chunks(self, update: Update, first: bool) -> tuple[split.Chunk, list[split.Chunk]]:
        """Tweet 1's words; with the link on tweet 1, a summary too long to share it opens the body instead."""
        hook = split.chunk(split.clean(hook_text(update)), measure=self.measure, break_after=bool(update.summary))
        assert hook is not None  # the model guarantees a non-blank title
        room = (self.max_weighted_length - split.numbering_reserve(DEFAULT_MAX_TWEETS) - self.url_weight
                - len(LINK_SEPARATOR))  # fmt: skip
        if not first or not update.summary or hook.weight <= room:
            return hook, []
        title = split.chunk(split.clean(update.title), measure=self.measure, break_after=True)
        summary = split.chunk(split.clean(update.summary), measure=self.measure)
        assert title is not None
        return title, [summary] if summary else []

    def link_room(self, first: bool) -> Callable[[int], int]:
        """The weight each tweet keeps free for the Diff link: tweet 1's, when it carries it."""
        reserve = self.url_weight + len(LINK_SEPARATOR) if first else 0
        return lambda index: reserve if index == 0 else 0

    def linked(self, texts: list[str], context: RenderContext) -> list[str]:
        """The texts with the Diff link after tweet 1's words, when tweet 1 carries it."""
        if self.settings.link != "first" or not texts:
            return texts
        return [f"{texts[0]}{LINK_SEPARATOR}{context.diff_url}", *texts[1:]]

    def condensed(
        self, update: Update, context: RenderContext, body: Sequence[Block], max_tweets: int
    ) -> tuple[list[str], list[int]]:
        """Hook and link, then each section's lead (more of a section while slots last), the link last if so set."""
        first = self.settings.link == "first"
        measure, most = self.measure, self.max_weighted_length
        hook = split.sentences(split.clean(hook_text(update)), measure)
        link = context.diff_url if first else read_more(context, update.lang)
        slots = max(0, max_tweets - (1 if first else 2))
        room = most - split.numbering_reserve(max_tweets) - self.url_weight - len(LINK_SEPARATOR)
        leads = sections(body, measure)
        opening = intro(body, measure)
        if opening is not None and len(leads) < slots:
            leads.insert(0, opening)
        if first and update.summary and split.text_weight(split.clean(hook_text(update)), measure) > room and slots:
            hook = split.sentences(split.clean(update.title), measure)  # post 1: the title and the link; the summary
            leads.insert(0, Section(None, (Block("paragraph", update.summary),), measure))
        leads = chosen(leads, slots)
        counts = allocate(leads, slots, most - split.numbering_reserve(max_tweets))

        def build(limit_for: split.BudgetFor) -> list[str]:
            if max_tweets == 1 or first:
                lead = split.lead_text(hook, limit_for(0) - split.text_weight(link, measure) - len(LINK_SEPARATOR))
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
        return split.verified_thread(build, most, most // 2, expected, measure)

    def hand_written(
        self, update: Update, context: RenderContext, max_tweets: int, thread: tuple[str, ...]
    ) -> ThreadDraft:
        """The update's own thread, verbatim; refuse it rather than cut it."""
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
