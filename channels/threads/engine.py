"""The thread engine: an update as numbered posts, by the rules a thread channel declares for itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from channels.threads import split
from channels.threads.story import Section, allocate, chosen, group_chunk, groups, intro, sections, thread_blocks
from content.i18n import t
from content.markdown import Block
from content.model import Update
from herald.core.draft import RenderContext

HOOK_SEPARATOR = " — "
LINK_SEPARATOR = "\n\n"
READ_MORE = "Read the full post: {url}"  # msgid: content/locale
SHORT_THREAD = 4  # posts: a short update without sections that needs more is condensed to its key facts
SHORT_BODY = 1500  # weighted units (about 250 words): up to this, an update without headings is short


@dataclass(frozen=True)
class ThreadRules:
    """What a thread channel declares: how it counts a post, its limits, and where the Diff link goes."""

    limit: int  # what one post may weigh, numbering included
    url_weight: int  # what the Diff link counts
    measure: split.Measure  # how the service weighs text, and its verdict on a whole post
    max_posts: int  # the longest thread the channel sends
    link: Literal["first", "last"] = "first"  # the Diff link on post 1, or a closing "Read the full post"
    numbering: str = split.NUMBERING  # the suffix of each post of a thread of more than one
    posts: str = "posts"  # what warnings call the posts
    max_setting: str = "max_posts"  # the setting warnings name as the cap
    blocks: Callable[[Update], list[Block]] = thread_blocks  # the body as the service should read it

    def reserve(self, count: int) -> int:
        """What the numbering of a thread of `count` posts takes from a post."""
        return split.numbering_reserve(count, self.numbering)


@dataclass(frozen=True)
class Thread:
    """An automatic thread: each post's exact text and weight, and whether it was condensed (and why)."""

    posts: tuple[str, ...]
    weights: tuple[int, ...]
    condensed: bool = False
    warnings: tuple[str, ...] = ()


def hook_text(update: Update) -> str:
    """The opening words of the thread: the title, then the summary if there is one."""
    return f"{update.title}{HOOK_SEPARATOR}{update.summary}" if update.summary else update.title


def read_more(context: RenderContext, lang: str = "en") -> str:
    """The closing line that links the Diff post, its URL exactly as given."""
    return t(lang, READ_MORE, url=context.diff_url)


def single_post(chunks: Sequence[split.Chunk], limit: int) -> str | None:
    """All chunks as one post, if they fit one."""
    weight = chunks[0].weight + sum(c.sep_weight + c.weight for c in chunks[1:])
    if weight > limit:
        return None
    return chunks[0].text + "".join(c.sep + c.text for c in chunks[1:])


def posts_needed(chunks: Sequence[split.Chunk], link_room: Callable[[int], int], rules: ThreadRules) -> int:
    """How many numbered posts the full text needs (by the incremental count, unverified)."""
    count = 1
    while True:
        reserve = rules.reserve(count)
        limit = rules.limit - reserve
        needed = len(split.pack(chunks, lambda index, limit=limit: limit - link_room(index)))
        if rules.reserve(needed) <= reserve:
            return needed
        count = needed


def is_short(body: Sequence[Block], chunks: Sequence[split.Chunk]) -> bool:
    """A short piece without sections (an announcement): its thread is its key facts, not every sentence."""
    if any(block.kind == "heading" for block in body):
        return False
    return sum(chunk.weight for chunk in chunks) <= SHORT_BODY


def build_thread(update: Update, context: RenderContext, rules: ThreadRules) -> Thread:
    """The update's automatic thread under a channel's rules."""
    return ThreadEngine(rules).build(update, context)


class ThreadEngine:
    """Cuts an update into a thread: the whole body if it fits the rules' cap, else condensed."""

    def __init__(self, rules: ThreadRules) -> None:
        self.rules = rules

    def build(self, update: Update, context: RenderContext) -> Thread:
        """The whole body as a thread if it fits `max_posts`, else condensed."""
        rules = self.rules
        max_posts = max(1, rules.max_posts)
        body = rules.blocks(update)
        first = rules.link == "first"
        hook, opening = self.hook_chunks(update, first)
        chunks = [hook, *opening, *filter(None, (group_chunk(group, rules.measure) for group in groups(body)))]
        link = context.diff_url if first else read_more(context, update.lang)
        closing = split.Chunk((split.whole(link, rules.measure),))
        single = single_post([*chunks, closing], rules.limit)
        parsed = rules.measure.check(single) if single is not None else None
        if single is not None and parsed is not None and parsed[0]:
            return Thread(posts=(single,), weights=(parsed[1],))
        link_room = self.link_room(first)
        if not first:
            chunks.append(closing)
        needed = posts_needed(chunks, link_room, rules)
        short = is_short(body, chunks)
        if short and needed > SHORT_THREAD:
            max_posts = min(max_posts, SHORT_THREAD)  # a short piece without sections: its key facts, not all of it
        if needed <= max_posts:
            posts, weights = split.verified_thread(
                lambda limit_for: self.linked(split.pack(chunks, lambda i: limit_for(i) - link_room(i)), context),
                rules.limit,
                rules.limit // 2,
                needed,
                rules.measure,
                rules.numbering,
            )
            if len(posts) <= max_posts:
                return Thread(posts=tuple(posts), weights=tuple(weights))
            needed = len(posts)
        posts, weights = self.condensed(update, context, body, max_posts)
        word = rules.posts
        warning = (f"thread condensed to its key facts: the full body needs {needed} {word}, and a short update "
                   f"without sections takes at most {SHORT_THREAD}" if short and needed > SHORT_THREAD else
                   f"thread condensed: the full body needs {needed} {word}, {rules.max_setting} is {max_posts}")
        return Thread(posts=tuple(posts), weights=tuple(weights), condensed=True, warnings=(warning,))

    def hook_chunks(self, update: Update, first: bool) -> tuple[split.Chunk, list[split.Chunk]]:
        """Post 1's words; with the link on post 1, a summary too long to share it opens the body instead."""
        rules = self.rules
        hook = split.chunk(split.clean(hook_text(update)), measure=rules.measure, break_after=bool(update.summary))
        assert hook is not None  # the model guarantees a non-blank title
        room = rules.limit - rules.reserve(rules.max_posts) - rules.url_weight - len(LINK_SEPARATOR)
        if not first or not update.summary or hook.weight <= room:
            return hook, []
        title = split.chunk(split.clean(update.title), measure=rules.measure, break_after=True)
        summary = split.chunk(split.clean(update.summary), measure=rules.measure)
        assert title is not None
        return title, [summary] if summary else []

    def link_room(self, first: bool) -> Callable[[int], int]:
        """The weight each post keeps free for the Diff link: post 1's, when it carries it."""
        reserve = self.rules.url_weight + len(LINK_SEPARATOR) if first else 0
        return lambda index: reserve if index == 0 else 0

    def linked(self, texts: list[str], context: RenderContext) -> list[str]:
        """The texts with the Diff link after post 1's words, when post 1 carries it."""
        if self.rules.link != "first" or not texts:
            return texts
        return [f"{texts[0]}{LINK_SEPARATOR}{context.diff_url}", *texts[1:]]

    def condensed(
        self, update: Update, context: RenderContext, body: Sequence[Block], max_posts: int
    ) -> tuple[list[str], list[int]]:
        """Hook and link, then each section's lead (more of a section while slots last), the link last if so set."""
        rules = self.rules
        first = rules.link == "first"
        measure, most = rules.measure, rules.limit
        hook = split.sentences(split.clean(hook_text(update)), measure)
        link = context.diff_url if first else read_more(context, update.lang)
        slots = max(0, max_posts - (1 if first else 2))
        room = most - rules.reserve(max_posts) - rules.url_weight - len(LINK_SEPARATOR)
        leads = sections(body, measure)
        opening = intro(body, measure)
        if opening is not None and len(leads) < slots:
            leads.insert(0, opening)
        if first and update.summary and split.text_weight(split.clean(hook_text(update)), measure) > room and slots:
            hook = split.sentences(split.clean(update.title), measure)  # post 1: the title and the link; the summary
            leads.insert(0, Section(None, (Block("paragraph", update.summary),), measure))
        leads = chosen(leads, slots)
        counts = allocate(leads, slots, most - rules.reserve(max_posts))

        def build(limit_for: split.BudgetFor) -> list[str]:
            if max_posts == 1 or first:
                lead = split.lead_text(hook, limit_for(0) - split.text_weight(link, measure) - len(LINK_SEPARATOR))
                out = [f"{lead}{LINK_SEPARATOR}{link}"]
            else:
                out = [split.lead_text(hook, limit_for(0))]
            if max_posts == 1:
                return out
            for section, count in zip(leads, counts, strict=True):
                start = len(out)
                out.extend(section.tweets(lambda index, start=start: limit_for(start + index), count))
            return out if first else [*out, link]

        expected = 1 if max_posts == 1 else 1 + sum(counts) + (0 if first else 1)
        return split.verified_thread(build, most, most // 2, expected, measure, rules.numbering)
