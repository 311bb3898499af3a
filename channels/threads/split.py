"""Pure helpers that weigh text by twitter-text v3 and pack it into tweet-sized pieces."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, pairwise
from typing import NamedTuple, Protocol

import regex
from twitter_text import extract_urls_with_indices
from twitter_text.config import config
from twitter_text.get_character_weight import get_character_weight
from twitter_text.has_invalid_characters import has_invalid_characters
from twitter_text.regexp.emoji import emoji as EMOJI
from twitter_text.regexp.emoji import emoji_list as EMOJI_LIST
from twitter_text.regexp.spaces_group import spaces_group as SPACES

OPTIONS = config["defaults"]
SCALE = OPTIONS["scale"]
URL_UNITS = OPTIONS["transformed_url_length"]
EMOJI_UNITS = OPTIONS["default_weight"] // SCALE
MIN_FILL = 0.5  # open a new tweet at a paragraph or sentence boundary only once the current one is half full
MAX_ROUNDS = 60  # verification rounds before giving up on a pathological text
ELLIPSIS = "…"
NUMBERING = " {number}/{count}"  # the suffix of each post of a numbered thread
SHORT_QUESTION = 4  # words: a question this short ("What happens next?") is a heading within a paragraph

_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_LINE_ENDINGS = re.compile(r"\r\n|\r")
_WORD = re.compile(r"\S+")
_URL_WORD = re.compile(  # a run without twitter-text's spaces (no URL holds one) around a dot: `name.tld`
    rf"(?<![^{SPACES}])[^{SPACES}]*?[^{SPACES}.]\.[^{SPACES}.][^{SPACES}]*")
_TAG = regex.compile(r"(?<![\p{L}\p{N}_])[@＠#＃][\p{L}\p{M}\p{N}_]+")
_CJK_STOP = regex.compile(r"[。！？、，；：]+")
_CLAUSE_END = regex.compile(r"[,;:\u2014\u2013][\"'\u201d\u2019\u00bb)\]]*$")
CLAUSE_MIN_FILL = 0.5
_LIST_MARKER = regex.compile(r"\d{1,3}[.)]")  # "1." opens a list item; it does not end a sentence
_ABBREVIATION = regex.compile(  # "Doe v. Online Platforms Inc.", "e.g.", "U.S.", "J. Smith": no sentence ends here
    r"(?:^|[^\p{L}])(?:v|vs|Inc|Ltd|Co|Corp|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Sra|Dra|e\.g|i\.e|cf|al|Art|Sec|pp?|\p{Lu})\.$"
)
_NUMBER_SIGN = regex.compile(r"(?:^|[^\p{L}])(?:No|Nos|Nr|Nº|n\.º)\.$")  # "Law No. 175"; "No. We did" ends
_SENTENCE_END = regex.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_END_OR_CLOSER = frozenset(".!?…。！？\"'”’»)]")
_ANNOUNCES = regex.compile(r"[:：]$")
_COUNT = (r"(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|deux|trois|quatre|cinq|dos|tres|cuatro|cinco|"
          r"zwei|drei|vier|fünf|duas|três|два|две|три|четыре)")
_THINGS = (r"(?:requests?|recommendations?|demands?|asks?|changes?|proposals?|points?|things|steps|priorities|"
           r"arguments?|principles?|reasons?|ways|questions?|amendments?|calls?|commitments?|demandes?|"
           r"recommandations?|propositions?|mesures?|exigences?|peticiones?|recomendaciones?|propuestas?|medidas?|"
           r"Forderungen|Empfehlungen|Vorschläge|pedidos?|recomendações|propostas?|требования|рекомендации)")
ANNOUNCING = regex.compile(rf"(?:^|\s){_COUNT}\s+(?:\S+\s+){{0,2}}?{_THINGS}(?=[\s.,:：]|$)", regex.IGNORECASE)
_CLOSERS = "\"'”’»)]"  # what may follow a sentence's last mark
_GRAPHEME = regex.compile(r"\X")
_SAID = (r"(?:said|says|added|adds|explained|explains|told|wrote|writes|noted|notes|stated|a déclaré|a dit|a ajouté|"
         r"a expliqué|déclare|explique|dijo|afirmó|añadió|explicó|sagte|erklärte|disse|afirmou|заявила?|сказала?)")
_ATTRIBUTED = regex.compile(  # “...,” said Jane Doe / Jane Doe said: “...”
    rf"[”»“\"」』],?\s+(?:\S+\s+){{0,4}}?{_SAID}(?:\s|[.,:]|$)|^(?:\S+\s+){{0,6}}?{_SAID}:?\s*[“«„\"]"
)
_QUOTE_CLOSERS = {"“": "”", "«": "»", "„": "“", "‹": "›", "「": "」", "『": "』", '"': '"'}  # double quotes only: ’ is
_CLOSES_QUOTE = regex.compile(r"[”»“›」』\"][.!?…。！？]?$")  # also an apostrophe
_QUOTE_MARK = re.compile(f"[{re.escape(''.join(sorted({*_QUOTE_CLOSERS, *_QUOTE_CLOSERS.values()})))}]")
_ATTRIBUTION = regex.compile(
    rf"^(?:[—–―-]\s|(?:\S+\s+){{0,10}}?{_SAID}(?:\s|[.,:]|$)|قال|قالت|表示|说|說)"
)

BudgetFor = Callable[[int], int]


def _char_class(chars: Sequence[str]) -> str:
    """A regex character class of sorted characters, as ranges (a long list of singles is slow)."""
    ranges: list[list[int]] = []
    for point in sorted({ord(c) for c in chars}):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    spans = (re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return f"[{''.join(spans)}]"


def _emoji_starts() -> re.Pattern[str]:
    """Where an emoji can begin, from the library's own emoji list (ASCII keycap bases need a follower)."""
    followers: dict[str, set[str]] = {}
    for entry in EMOJI_LIST:
        points = [chr(int(code, 16)) for code in entry.codepoint.split()]
        followers.setdefault(points[0], set()).add(points[1] if len(points) > 1 else "")
    wide = [c for c, after in followers.items() if ord(c) >= 128 or "" in after]
    narrow = [c for c, after in followers.items() if ord(c) < 128 and "" not in after]
    after = [f for c in narrow for f in followers[c]]
    return re.compile(f"{_char_class(wide)}|{_char_class(narrow)}(?={_char_class(after)})")


_EMOJI_START = _emoji_starts()


def clean(text: str) -> str:
    """Text as parse_tweet counts it: NFC, LF line endings, no characters X rejects."""
    return _INVALID.sub("", _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text)))


@lru_cache(maxsize=8192)
def char_weight(char: str) -> int:
    """Weight of one code point outside any URL or emoji."""
    return get_character_weight(char, OPTIONS) // SCALE


@lru_cache(maxsize=4096)
def url_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, length) of each URL twitter-text finds in the text.

    A URL holds no whitespace and its domain has a dot between two non-space characters (`name.tld`), so only the
    words with such a dot are searched, each with the character before it (what a URL may follow): twitter-text's
    pattern costs about 0.1 ms per 1,000 characters searched."""
    spans: list[tuple[int, int]] = []
    for word in _URL_WORD.finditer(text):
        start = max(word.start() - 1, 0)
        spans.extend((start + url["indices"][0], len(url["url"]))
                     for url in extract_urls_with_indices(text[start : word.end()]))
    return tuple(spans)


def has_url(text: str) -> bool:
    """Whether twitter-text finds a URL in the text."""
    return bool(url_spans(text))


@lru_cache(maxsize=256)
def plain_weight(text: str) -> int:
    """Weight of text counted code point by code point (for whitespace and cut fragments)."""
    return sum(char_weight(char) for char in text)


@dataclass(frozen=True)
class Weighed:
    """A text with prefix sums of its twitter-text weights and the spans that must not be cut."""

    text: str
    prefix: tuple[int, ...]
    locked: tuple[tuple[int, int], ...]

    def weight(self, start: int, end: int) -> int:
        """Weight of text[start:end], a span that cuts no URL or emoji."""
        return self.prefix[end] - self.prefix[start]

    def breakable(self, index: int) -> bool:
        """Whether a cut before text[index] leaves every URL, emoji, mention and hashtag whole."""
        return not any(start < index < end for start, end in self.locked)


def emoji_spans(text: str) -> dict[int, int]:
    """Start -> length of each emoji as extract_emojis_with_indices finds them, tried where one can begin."""
    spans: dict[int, int] = {}
    if text.isascii():  # every emoji in the library's list has a code point beyond ASCII
        return spans
    position = 0
    while start := _EMOJI_START.search(text, position):
        match = EMOJI.match(text, start.start())
        if match:
            spans[match.start()] = match.end() - match.start()
            position = match.end()
        else:
            position = start.start() + 1
    return spans


@lru_cache(maxsize=2048)
def weigh(text: str) -> Weighed:
    """Per-code-point weights of a text, exactly as parse_tweet walks it, as prefix sums (the same sentence is
    weighed again by each pass of a render: kept)."""
    weights = [1] * len(text) if text.isascii() else list(map(char_weight, text))  # ASCII: Latin-1, 1 each
    urls = dict(url_spans(text))
    emojis = emoji_spans(text)
    locked: list[tuple[int, int]] = []
    covered = 0
    for start in sorted(urls.keys() | emojis.keys()):
        if start < covered:
            continue  # parse_tweet has already stepped over this index
        size, units = (urls[start], URL_UNITS) if start in urls else (emojis[start], EMOJI_UNITS)
        weights[start : start + size] = [units] + [0] * (size - 1)
        covered = start + size
        if size > 1:
            locked.append((start, covered))
    locked.extend(match.span() for match in _TAG.finditer(text))
    return Weighed(text, tuple(accumulate(weights, initial=0)), tuple(locked))


class Measure(Protocol):
    """How a service counts a post: weights to pack by, and the service's own verdict on a whole post."""

    def weigh(self, text: str) -> Weighed: ...

    def check(self, text: str) -> tuple[bool, int]: ...


class XMeasure:
    """X's twitter-text v3 weighted length."""

    def weigh(self, text: str) -> Weighed:
        """Per-code-point weights as parse_tweet walks the text."""
        return weigh(text)

    def check(self, text: str) -> tuple[bool, int]:
        """Whether X accepts the tweet, and its weighted length, as `parse_tweet` decides, on the whole text.

        The same walk as parse_tweet (its URL extraction, character weights and emoji pattern), with the emoji
        pattern tried only where an emoji can begin: the library tries it at every index, 0.9 ms per tweet."""
        normal = _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text))  # as parse_tweet normalizes
        weight = weigh(normal).prefix[-1]
        return 0 < weight <= OPTIONS["max_weighted_tweet_length"] and not has_invalid_characters(normal), weight


X = XMeasure()


def grapheme_weighed(
    text: str, entities: Iterable[tuple[int, int, int]] = (), grapheme_weight: Callable[[str], int] | None = None
) -> Weighed:
    """Weights for a service that counts grapheme clusters (each 1, or `grapheme_weight` of it); each entity
    (start, end, weight) counts `weight` whole and is never cut, nor is a grapheme, mention or hashtag."""
    weights = [0] * len(text)
    locked: list[tuple[int, int]] = []
    for match in _GRAPHEME.finditer(text):
        weights[match.start()] = 1 if grapheme_weight is None else grapheme_weight(match.group())
        if match.end() - match.start() > 1:
            locked.append(match.span())
    for start, end, units in entities:
        weights[start:end] = [units] + [0] * (end - start - 1)
        locked.append((start, end))
    locked.extend(match.span() for match in _TAG.finditer(text))
    return Weighed(text, tuple(accumulate(weights, initial=0)), tuple(locked))


def text_weight(text: str, measure: Measure = X) -> int:
    """Weight of a whole text, URLs and emoji included."""
    return measure.weigh(text).prefix[-1]


class Piece(NamedTuple):
    """A whitespace-free run of text (split no further by preference) and the whitespace before it.

    A named tuple: a 3,000-word update makes thousands of them, and a tuple is the cheapest to build."""

    sep: str
    text: str
    weight: int
    source: Weighed
    start: int = 0

    @property
    def sep_weight(self) -> int:
        """Weight of the whitespace before the piece."""
        return plain_weight(self.sep)


@dataclass(frozen=True)
class Sentence:
    """Pieces up to a sentence end or a line break."""

    pieces: tuple[Piece, ...]

    @cached_property
    def text(self) -> str:
        """The sentence as written, without the whitespace before it."""
        return self.pieces[0].text + "".join(piece.sep + piece.text for piece in self.pieces[1:])

    @cached_property
    def weight(self) -> int:
        """Weight of the sentence's text."""
        return self.pieces[0].weight + sum(piece.sep_weight + piece.weight for piece in self.pieces[1:])


@dataclass(frozen=True)
class Chunk:
    """A block of a thread's source: sentences, the separator before it, and forced tweet breaks."""

    sentences: tuple[Sentence, ...]
    sep: str = "\n\n"
    break_before: bool = False
    break_after: bool = False
    together: bool = False  # a list with its lead-in: moves to a new tweet whole when it fits one
    head: int = 0  # how many leading sentences are a heading, never left alone at the end of a tweet

    @cached_property
    def text(self) -> str:
        """The block as written."""
        first, *rest = self.sentences
        return first.text + "".join(s.pieces[0].sep + s.text for s in rest)

    @cached_property
    def weight(self) -> int:
        """Weight of the block's text."""
        first, *rest = self.sentences
        return first.weight + sum(s.pieces[0].sep_weight + s.weight for s in rest)

    @cached_property
    def sep_weight(self) -> int:
        """Weight of the separator before the block."""
        return plain_weight(self.sep)


def _pieces(source: Weighed) -> Iterator[Piece]:
    """Whitespace-separated words, also split after CJK punctuation (which needs no space)."""
    text, prefix, last = source.text, source.prefix, None
    for word in _WORD.finditer(text):
        begin, finish = word.span()
        sep = "" if last is None else text[last:begin]
        last = finish
        found = word.group()
        if found.isascii():  # no CJK stop inside: the word is one piece
            yield Piece(sep, found, prefix[finish] - prefix[begin], source, begin)
            continue
        stops = [m.end() for m in _CJK_STOP.finditer(text, begin, finish)]
        bounds = [begin, *(s for s in stops if s < finish and source.breakable(s)), finish]
        for number, (start, end) in enumerate(pairwise(bounds)):
            yield Piece(sep if number == 0 else "", text[start:end], source.weight(start, end), source, start)


@lru_cache(maxsize=512)
def sentences(text: str, measure: Measure = X) -> tuple[Sentence, ...]:
    """A cleaned text as sentences: breaks after sentence punctuation and at line breaks."""
    out: list[Sentence] = []
    group: list[Piece] = []
    for piece in _pieces(measure.weigh(text)):
        if group and ("\n" in piece.sep or ends_sentence(group[-1].text, piece.text, len(group) == 1)):
            out.append(Sentence(tuple(group)))
            group = []
        group.append(piece)
    if group:
        out.append(Sentence(tuple(group)))
    return tuple(out)


def ends_sentence(word: str, following: str, opens: bool = False) -> bool:
    """Whether a sentence ends after `word` (the next word being `following`; `opens`: the word opens a line)."""
    if word[-1] not in _END_OR_CLOSER or not _SENTENCE_END.search(word):  # the common case, without a regex
        return False
    if (opens and _LIST_MARKER.fullmatch(word)) or _ABBREVIATION.search(word):
        return False
    return not (_NUMBER_SIGN.search(word) and following[:1].isdigit())


def open_quotes(text: str, stack: list[str]) -> list[str]:
    """The closing marks of the quotations still open after `text`, given those open before it."""
    for mark in _QUOTE_MARK.finditer(text):  # no other character opens or closes one
        char = mark.group()
        if stack and char == stack[-1]:
            stack.pop()
        elif char in _QUOTE_CLOSERS:
            stack.append(_QUOTE_CLOSERS[char])
    return stack


def quoted(found: Sequence[Sentence]) -> tuple[Sentence, ...]:
    """Sentences with each quotation made one sentence, with the attribution that follows its closing mark: a quote
    goes whole with its source or not at all."""
    out: list[Sentence] = []
    stack: list[str] = []
    attributed = False  # the sentence before is a quotation with its source: a quotation right after it goes on
    for sentence in found:
        attributes = bool(out) and bool(_CLOSES_QUOTE.search(out[-1].text[-2:])) \
            and bool(_ATTRIBUTION.search(sentence.text))
        goes_on = attributed and sentence.text[:1] in _QUOTE_CLOSERS
        if out and (stack or attributes or goes_on):
            out[-1] = Sentence((*out[-1].pieces, *sentence.pieces))
        else:
            out.append(sentence)
        open_quotes(sentence.text, stack)
        attributed = not stack and bool(attributes or goes_on or attributed_quote(out[-1].text))
    return tuple(out)


def attributed_quote(text: str) -> bool:
    """Whether a text is a quotation with its source ("...," said Jane Doe / Jane Doe said: "...")."""
    return bool(_QUOTE_MARK.search(text)) and bool(_ATTRIBUTED.search(text))  # either form has a quotation mark


def led(group: tuple[Sentence, ...], sep: str) -> tuple[Sentence, ...]:
    """A block's sentences with `sep` as the whitespace before the first one."""
    if not group or group[0].pieces[0].sep == sep:
        return group
    first = group[0]
    return (Sentence((first.pieces[0]._replace(sep=sep), *first.pieces[1:])), *group[1:])


def joined(groups: Iterable[tuple[Sentence, ...]], sep: str = "\n") -> tuple[Sentence, ...]:
    """Several blocks' sentences as one run, each block after the first led by `sep`."""
    out: list[Sentence] = []
    for group in groups:
        out.extend(led(group, sep) if out else group)
    return tuple(out)


def announces(sentence: Sentence) -> bool:
    """Whether a sentence only announces what follows (a lead-in ending in ':', "three requests")."""
    return announces_items(sentence.text)


def announces_items(text: str) -> bool:
    """Whether a sentence or heading announces items (a lead-in ending in ':', "three requests")."""
    text = text.rstrip()
    return text.endswith((":", "：")) or (len(text.split()) <= 14 and bool(ANNOUNCING.search(text)))


def asks(sentence: Sentence) -> bool:
    """Whether a sentence is a question, which its answer should follow in the same tweet."""
    return sentence.text.rstrip().rstrip(_CLOSERS)[-1:] in ("?", "？")


def whole(text: str, measure: Measure = X) -> Sentence:
    """A text kept together as one piece (split only if it cannot fit a tweet at all)."""
    source = measure.weigh(text)
    return Sentence((Piece("", text, source.weight(0, len(text)), source, 0),))


def chunk(text: str, sep: str = "\n\n", measure: Measure = X, **flags: bool) -> Chunk | None:
    """A block of source text as a chunk, or None when it has no words."""
    found = sentences(text, measure)
    return Chunk(found, sep, **flags) if found else None


def atoms(piece: Piece) -> list[tuple[str, int]]:
    """A piece cut at grapheme boundaries that split no URL, emoji, mention or hashtag."""
    source, start, end = piece.source, piece.start, piece.start + len(piece.text)
    bounds = [start, *(start + m.end() for m in _GRAPHEME.finditer(piece.text))]
    bounds = [b for b in bounds if b in (start, end) or source.breakable(b)]
    return [(source.text[a:b], source.weight(a, b)) for a, b in pairwise(bounds)]


def fragments(text: str, limit: int) -> list[tuple[str, int]]:
    """An atom too heavy for any tweet, as graphemes, or code points for a monstrous grapheme."""
    out: list[tuple[str, int]] = []
    for match in _GRAPHEME.finditer(text):
        grapheme = match.group()
        if plain_weight(grapheme) <= limit:
            out.append((grapheme, plain_weight(grapheme)))
        else:
            out.extend((char, char_weight(char)) for char in grapheme)
    return out


class Packer:
    """Greedy packing: whole blocks, else whole sentences, else words, else graphemes."""

    def __init__(self, budget_for: BudgetFor) -> None:
        self.budget_for = budget_for
        self.tweets: list[str] = []
        self.parts: list[str] = []
        self.weight = 0
        self.tail: Sentence | None = None  # the last whole sentence put, while it ends the current tweet
        self.opening = ""  # the heading that opens the current tweet, if any

    @property
    def budget(self) -> int:
        """The budget of the tweet being filled."""
        return self.budget_for(len(self.tweets))

    @property
    def next_budget(self) -> int:
        """The budget of the tweet after this one."""
        return self.budget_for(len(self.tweets) + 1)

    def fits(self, sep_weight: int, weight: int) -> bool:
        """Whether a unit fits the current tweet (a tweet's first unit drops its separator)."""
        return self.weight + (sep_weight if self.parts else 0) + weight <= self.budget

    def put(self, sep: str, sep_weight: int, text: str, weight: int) -> None:
        """Append a unit to the current tweet."""
        if self.parts:
            self.parts.append(sep)
            self.weight += sep_weight
        self.parts.append(text)
        self.weight += weight

    def flush(self) -> None:
        """Close the current tweet, if it has anything in it."""
        if self.parts:
            self.tweets.append("".join(self.parts))
            self.parts, self.weight, self.tail, self.opening = [], 0, None, ""

    def moves_on(self, weight: int, min_fill: float) -> bool:
        """Open a new tweet for a unit that fits one whole, if the current one is full enough; a sentence
        that only announces the unit (a list's lead-in) goes with it."""
        if self.parts and weight <= self.next_budget and self.weight >= self.budget * min_fill:
            carried = self.carry(weight)
            self.flush()
            if carried is not None:
                self.put("", 0, *carried)
            return True
        return False

    def carry(self, weight: int) -> tuple[str, int] | None:
        """Take an announcing last sentence off the current tweet, when it and the next unit fit a new tweet."""
        tail = self.tail
        if tail is None or not (announces(tail) or asks(tail)) or tail.weight + 2 + weight > self.next_budget:
            return None
        text = "".join(self.parts)
        if not text.endswith(tail.text):
            return None
        rest = text[: len(text) - len(tail.text)]
        kept = rest.rstrip()
        if not kept or kept == self.opening:
            return None
        self.parts, self.weight = [kept], self.weight - tail.weight - plain_weight(rest[len(kept) :])
        return tail.text, tail.weight

    def strands_tail(self, block: Chunk) -> bool:
        """Whether moving a block on whole would leave an announcing last sentence ("three requests.") at the end of
        the current tweet, when going sentence by sentence keeps it with the block's first sentence."""
        tail = self.tail
        if tail is None or block.together or len(block.sentences) < 2 or not announces(tail):
            return False
        return tail.weight + 2 + block.weight > self.next_budget

    def add_chunk(self, block: Chunk) -> None:
        """Add a block whole if it fits, else sentence by sentence."""
        if block.break_before:
            self.flush()
        if self.fits(block.sep_weight, block.weight) or (
                not self.strands_tail(block) and self.moves_on(block.weight, 0 if block.together else MIN_FILL)):
            self.put(block.sep, block.sep_weight, block.text, block.weight)
            self.tail = block.sentences[-1]
        else:
            fresh, tweets = not self.parts, len(self.tweets)
            for number, sentence in enumerate(block.sentences):
                lead = (block.sep, block.sep_weight) if number == 0 else None
                self.add_sentence(sentence, lead)
                if fresh and number + 1 == block.head and len(self.tweets) == tweets:
                    self.opening = "".join(self.parts)
        if block.break_after:
            self.flush()

    def add_sentence(self, sentence: Sentence, lead: tuple[str, int] | None = None) -> None:
        """Add a sentence whole if it fits, else in a new tweet; cut only a sentence longer than a tweet."""
        sep, sep_weight = lead or (sentence.pieces[0].sep, sentence.pieces[0].sep_weight)
        if self.fits(sep_weight, sentence.weight) or self.moves_on(sentence.weight, 0):
            self.put(sep, sep_weight, sentence.text, sentence.weight)
            self.tail = sentence
            return
        self.tail = None
        pieces, index = sentence.pieces, 0
        while (cut := self.clause_cut(pieces, index, sep_weight)) is not None:
            for number in range(index, cut):
                piece = pieces[number]
                piece_sep = (sep, sep_weight) if number == 0 else (piece.sep, piece.sep_weight)
                self.put(*piece_sep, piece.text, piece.weight)
            self.flush()
            index = cut
        for number in range(index, len(pieces)):
            self.add_piece(pieces[number], (sep, sep_weight) if number == 0 else None)

    def clause_cut(self, pieces: Sequence[Piece], start: int, first_sep_weight: int) -> int | None:
        """Where to end this tweet inside a sentence: after the last clause (`,` `;` `:` dash) that fits and
        leaves the tweet at least half full; None when the rest fits or no such clause ends in reach."""
        weight, cut = self.weight, None
        for number in range(start, len(pieces)):
            piece = pieces[number]
            sep_weight = first_sep_weight if number == 0 else piece.sep_weight
            weight += (sep_weight if weight or self.parts or number > start else 0) + piece.weight
            if weight > self.budget:
                return cut
            if _CLAUSE_END.search(piece.text) and weight >= self.budget * CLAUSE_MIN_FILL and number + 1 < len(pieces):
                cut = number + 1
        return None

    def add_piece(self, piece: Piece, lead: tuple[str, int] | None = None) -> None:
        """Add a word, moving to a new tweet if needed; cut only a word longer than a tweet."""
        sep, sep_weight = lead or (piece.sep, piece.sep_weight)
        if self.fits(sep_weight, piece.weight) or self.moves_on(piece.weight, 0):
            self.put(sep, sep_weight, piece.text, piece.weight)
            return
        for text, weight in atoms(piece):
            limit = min(self.budget, self.next_budget)
            if weight > limit:
                for small, small_weight in fragments(text, limit):
                    self.add_atom(sep, sep_weight, small, small_weight)
                    sep, sep_weight = "", 0
            else:
                self.add_atom(sep, sep_weight, text, weight)
            sep, sep_weight = "", 0

    def add_atom(self, sep: str, sep_weight: int, text: str, weight: int) -> None:
        """Add a fragment of a cut word, opening a new tweet when the current one is full."""
        if not self.fits(sep_weight, weight):
            self.flush()
        self.put(sep, sep_weight, text, weight)


def pack(blocks: Sequence[Chunk], budget_for: BudgetFor) -> list[str]:
    """Pack blocks greedily into tweet texts within each tweet's budget."""
    packer = Packer(budget_for)
    for block in blocks:
        packer.add_chunk(block)
    packer.flush()
    return packer.tweets


def lead_text(found: Sequence[Sentence], budget: int, max_sentences: int | None = None) -> str:
    """The leading whole sentences that fit the budget, or the leading words and an ellipsis."""
    parts: list[str] = []
    weight = 0
    for sentence in found[:max_sentences]:
        sep_weight = sentence.pieces[0].sep_weight if parts else 0
        if weight + sep_weight + sentence.weight > budget:
            break
        parts.append((sentence.pieces[0].sep if parts else "") + sentence.text)
        weight += sep_weight + sentence.weight
    if len(parts) > 1 and parts[-1].rstrip().endswith(":"):
        parts.pop()  # "We asked the Commission to:" announces what did not fit
    if parts or not found:
        return "".join(parts)
    return pack([Chunk(found[:1])], lambda _: budget - plain_weight(ELLIPSIS))[0] + ELLIPSIS


def numbered(texts: Sequence[str], numbering: str = NUMBERING) -> list[str]:
    """Append the numbering (" k/n") to each tweet of a thread of more than one tweet."""
    if len(texts) < 2:
        return list(texts)
    return [text + numbering.format(number=number, count=len(texts)) for number, text in enumerate(texts, 1)]


def numbering_reserve(count: int, numbering: str = NUMBERING) -> int:
    """Weight of the widest numbering suffix in a thread of `count` tweets."""
    return plain_weight(numbering.format(number=count, count=count))


def verified_thread(
    build: Callable[[BudgetFor], list[str]], limit: int, floor: int, expected: int = 1, measure: Measure = X,
    numbering: str = NUMBERING,
) -> tuple[list[str], list[int]]:
    """Build, number and check each tweet with the service's own count; shrink a tweet's budget when it counts
    more. `expected` (how many tweets the thread will likely have) saves a build when it is right."""
    cuts: dict[int, int] = {}
    parsed: dict[str, tuple[bool, int]] = {}
    count = max(1, expected)
    for _ in range(MAX_ROUNDS):
        reserve = numbering_reserve(count, numbering)
        texts = build(lambda index, reserve=reserve: max(floor, limit - reserve - cuts.get(index, 0)))
        if numbering_reserve(len(texts), numbering) > reserve:
            count = len(texts)
            continue
        final = numbered(texts, numbering)
        for text in final:
            if text not in parsed:
                parsed[text] = measure.check(text)
        bad = next((i for i, text in enumerate(final) if not parsed[text][0]), None)
        if bad is None:
            return final, [parsed[text][1] for text in final]
        cuts[bad] = cuts.get(bad, 0) + max(1, parsed[final[bad]][1] - limit)
    raise RuntimeError("could not split the text into valid tweets")  # pragma: no cover
