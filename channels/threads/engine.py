"""The thread engine: an update as numbered posts, by the rules a thread channel declares for itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from channels.threads import split
from channels.threads.condense import choose, left_out, pack
from channels.threads.story import group_chunk, groups, thread_blocks
from channels.threads.units import ASKS, PINNED, Atom, Reader, Unit, is_date, label
from content.i18n import t
from content.markdown import Block
from content.model import Update
from herald.core.draft import RenderContext, RenderError

HOOK_SEPARATOR = " — "
LINK_SEPARATOR = "\n\n"
READ_MORE = "Read the full post: {url}"  # msgid: content/locale
SHORT_THREAD = 2  # posts: a short update without sections (an announcement) takes at most this many
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
    """An automatic thread: each post's exact text and weight, whether it was condensed (and why), and what of the
    update it leaves out (sections, lists, quotes and images, by their first words)."""

    posts: tuple[str, ...]
    weights: tuple[int, ...]
    condensed: bool = False
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()


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
    """A short piece without sections (an announcement): its thread is its key facts, not every sentence (the
    caller also asks that it makes no list of asks: a statement's requests are never cut for brevity)."""
    if any(block.kind == "heading" for block in body):
        return False
    return sum(chunk.weight for chunk in chunks) <= SHORT_BODY


def hashtags(update: Update) -> str:
    """The update's social hashtags as written in a post ("#A #B")."""
    return " ".join(f"#{tag}" for tag in update.hashtags)


def build_thread(update: Update, context: RenderContext, rules: ThreadRules) -> Thread:
    """The update's automatic thread under a channel's rules."""
    return ThreadEngine(rules).build(update, context)


class ThreadEngine:
    """Cuts an update into a thread: the whole body if it fits the rules' cap whole, else condensed."""

    def __init__(self, rules: ThreadRules) -> None:
        self.rules = rules
        self.link_weight = rules.url_weight  # the Diff link's weight; set per update by `build`

    def build(self, update: Update, context: RenderContext) -> Thread:
        """The whole body as a thread if every sentence fits whole within `max_posts` (2 for a short update without
        sections), else condensed to the units that matter most."""
        rules = self.rules
        # what the service counts the Diff link as: the declared URL weight, or more for an address its parser does
        # not take as a link (a host without a top-level domain, such as a test site on 127.0.0.1)
        self.link_weight = max(rules.url_weight, split.text_weight(context.diff_url, rules.measure))
        max_posts = max(1, rules.max_posts)
        every = rules.blocks(update)
        images = tuple(block.text for block in every if block.kind == "image")
        body = [block for block in every if block.kind != "image"]
        reader = Reader(body, rules.measure)
        units = reader.read()
        pinned = self.pinned(update, units)
        first = rules.link == "first"
        tags = hashtags(update)
        hook, opening = self.hook_chunks(update, first)
        chunks = [hook, *opening, *filter(None, (group_chunk(group, rules.measure) for group in groups(body)))]
        link = context.diff_url if first else read_more(context, update.lang)
        closing = [split.Chunk((split.whole(link, rules.measure),))] if not first else []
        if tags:
            closing.append(split.Chunk((split.whole(tags, rules.measure),), sep=" " if closing else "\n\n"))
        single = single_post([*chunks, *closing] if not first else [*chunks, *closing,
                             split.Chunk((split.whole(link, rules.measure),))], rules.limit)
        parsed = rules.measure.check(single) if single is not None else None
        if single is not None and parsed is not None and parsed[0]:
            return Thread(posts=(single,), weights=(parsed[1],), left_out=self.images_left(images))
        link_room = self.link_room(first)
        chunks.extend(closing)
        needed = posts_needed(chunks, link_room, rules)
        short = is_short(body, chunks) and not any(unit.kind == "list" and unit.rank == ASKS for unit in units)
        cap = min(max_posts, SHORT_THREAD) if short else max_posts
        widest = max((s.weight for chunk in chunks for s in chunk.sentences if len(s.pieces) > 1), default=0)
        whole = widest <= rules.limit - rules.reserve(cap) - link_room(0)
        if needed <= cap and whole:
            posts, weights = split.verified_thread(
                lambda limit_for: self.linked(split.pack(chunks, lambda i: limit_for(i) - link_room(i)), context),
                rules.limit, rules.limit // 2, needed, rules.measure, rules.numbering,
            )
            if len(posts) <= cap:
                return Thread(posts=tuple(posts), weights=tuple(weights), left_out=self.images_left(images))
            needed = len(posts)
        wanted = list(pinned)
        if short:
            pinned = [*pinned, *short_pins(units)]
        posts, weights, chosen = self.condensed(update, context, units, pinned, cap, short)
        word = rules.posts
        warning = (f"thread condensed to its key facts: the full body needs {needed} {word}, and a short update "
                   f"without sections takes at most {SHORT_THREAD}" if short and needed > SHORT_THREAD else
                   f"thread condensed: the full body needs {needed} {word}, {rules.max_setting} is {cap}")
        if not whole and needed <= cap:
            warning = f"thread condensed: a sentence of the body does not fit one of its {word} whole"
        missing = [unit for unit in wanted if unit not in chosen]
        warnings = (warning, *(f"social: “{unit.label}” does not fit the thread" for unit in missing))
        left = left_out(units, chosen, reader.sections, images)
        return Thread(tuple(posts), tuple(weights), condensed=True, warnings=warnings, left_out=left)

    def images_left(self, images: Sequence[str]) -> tuple[str, ...]:
        """The body's images, which a thread never tells as text."""
        return left_out((), (), (), images)

    def pinned(self, update: Update, units: Sequence[Unit]) -> list[Unit]:
        """The units that carry the update's `social:` passages; a passage found nowhere is refused."""
        found: list[Unit] = []
        for index, passage in enumerate(update.social):  # 0-based, as the loader names list items
            wanted = _plain(passage)
            unit = next((unit for unit in units if wanted in _plain(" ".join(unit.texts))), None)
            if unit is None:
                raise RenderError(update, f"social.{index}", f"“{label(passage)}” is not a passage of the body "
                                  "(give a sentence as written, or its first words)")
            found.append(unit)
        return found
    def hook_chunks(self, update: Update, first: bool) -> tuple[split.Chunk, list[split.Chunk]]:
        """Post 1's words; with the link on post 1, a summary too long to share it opens the body instead."""
        rules = self.rules
        hook = split.chunk(split.clean(hook_text(update)), measure=rules.measure, break_after=bool(update.summary))
        assert hook is not None  # the model guarantees a non-blank title
        room = rules.limit - rules.reserve(rules.max_posts) - self.link_weight - len(LINK_SEPARATOR)
        if not first or not update.summary or hook.weight <= room:
            return hook, []
        title = split.chunk(split.clean(update.title), measure=rules.measure, break_after=True)
        summary = split.chunk(split.clean(update.summary), measure=rules.measure)
        assert title is not None
        return title, [summary] if summary else []

    def link_room(self, first: bool) -> Callable[[int], int]:
        """The weight each post keeps free for the Diff link: post 1's, when it carries it."""
        reserve = self.link_weight + len(LINK_SEPARATOR) if first else 0
        return lambda index: reserve if index == 0 else 0

    def linked(self, texts: list[str], context: RenderContext) -> list[str]:
        """The texts with the Diff link after post 1's words, when post 1 carries it."""
        if self.rules.link != "first" or not texts:
            return texts
        return [f"{texts[0]}{LINK_SEPARATOR}{context.diff_url}", *texts[1:]]

    def condensed(
        self, update: Update, context: RenderContext, units: Sequence[Unit], pinned: Sequence[Unit], max_posts: int,
        short: bool = False,
    ) -> tuple[list[str], list[int], list[Unit]]:
        """Post 1's hook (and the Diff link, when first), the units that matter most in reading order, and a last
        post that links the Diff post; each unit whole or left out."""
        rules = self.rules
        measure, most = rules.measure, rules.limit
        first = rules.link == "first"
        tags = hashtags(update)
        if max_posts == 1:  # one post: the hook and the link
            ending = (context.diff_url if first else read_more(context, update.lang)) + (f" {tags}" if tags else "")
            closing = Atom(ending, split.text_weight(ending, measure))
            link_room = self.link_room(False)
            room = most - closing.weight - len(LINK_SEPARATOR)
        else:
            ending = read_more(context, update.lang) + (f" {tags}" if tags else "")
            closing = Atom(ending, split.text_weight(ending, measure))
            link_room = self.link_room(first)
            room = most - rules.reserve(max_posts) - link_room(0)
        hook = split.clean(hook_text(update))
        units = list(units)
        if split.text_weight(hook, measure) > room and update.summary and max_posts > 1:
            hook = split.clean(update.title)  # post 1: the title; the summary opens the thread after it
            summary = split.clean(update.summary)
            units.insert(0, Unit((Atom(summary, split.text_weight(summary, measure)),), PINNED, -1, -1, "summary",
                                 label(summary), texts=(summary,)))
            pinned = [units[0], *pinned]
        if split.text_weight(hook, measure) > room:
            hook = split.lead_text(split.sentences(hook, measure), room)
        opening = Atom(hook, split.text_weight(hook, measure))
        budget = most - rules.reserve(max_posts)
        chosen = [] if max_posts == 1 else choose(opening, units, closing, pinned,
                                                  lambda i: budget - link_room(i), max_posts, short)
        keep = max_posts if short else None

        def build(limit_for: split.BudgetFor) -> list[str]:
            packed = pack(opening, chosen, closing, lambda i: limit_for(i) - link_room(i), keep) or [opening.text]
            if max_posts > 1 and first and len(packed) == 1:  # one post after all: the Diff link once, tags after
                alone = pack(opening, chosen, None, lambda i: limit_for(i) - link_room(i)) or [opening.text]
                return [f"{alone[0]}{LINK_SEPARATOR}{context.diff_url}" + (f" {tags}" if tags else "")]
            return self.linked(packed, context) if max_posts > 1 else packed

        expected = len(pack(opening, chosen, closing, lambda i: budget - link_room(i), keep) or [0])
        posts, weights = split.verified_thread(build, most, most // 2, expected, measure, rules.numbering)
        return posts, weights, chosen


def short_pins(units: Sequence[Unit]) -> list[Unit]:
    """What a short announcement carries in its first two posts: its date or time, and its first action link."""
    dated = next((unit for unit in units if any(is_date(text) for text in unit.texts)), None)
    linked = next((unit for unit in units if any(split.has_url(text) for text in unit.texts)), None)
    return [unit for unit in (dated, linked) if unit is not None]


def _plain(text: str) -> str:
    """Text compared loosely: one space between words, case folded."""
    return " ".join(text.split()).casefold()
