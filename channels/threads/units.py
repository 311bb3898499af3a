"""The body as the whole units a condensed thread chooses among, ranked by what a reader must not miss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import regex

from channels.threads import split
from channels.threads.story import SECTION_LEVEL, block_sentences, block_text
from content.markdown import Block

PINNED, ASKS, QUOTES, FIGURES, ACTIONS, LEADS, REST = range(7)  # ranks: a lower rank is chosen first
LABEL_WORDS = 6  # how many first words name a passage left out
SHORT_ANSWER = 4  # words: an answer this short ("No.") goes with the sentence that explains it
LABEL_CHARACTERS = 48  # or first characters, in a language written without spaces

_ORDINAL = regex.compile(
    r"^(?:First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Finally|Lastly|Premièrement|D'abord|"
    r"Deuxièmement|Troisièmement|Quatrièmement|Enfin|Primero|Segundo|Tercero|Cuarto|Por último|Erstens|Zweitens|"
    r"Drittens|Viertens|Primeiro|Terceiro|Во-первых|Во-вторых|В-третьих|أولاً|ثانياً|ثالثاً|第一|第二|第三|首先|其次|最后)"
    r"(?=[\s,:：、，])", regex.IGNORECASE,
)
_FIRST = regex.compile(r"^(?:First|Premièrement|D'abord|Primero|Erstens|Primeiro|Во-первых|أولاً|第一|首先)", regex.I)
_ASKING = regex.compile(
    r"\b(?:ask|asked|asking|asks|call|calls|called|urge|urged|urges|recommend\w*|demand\w*|request\w*|propos\w*|"
    r"want|need|should|must|demandons|appelons|recommand\w*|exig\w*|pedimos|solicit\w*|fordern|pedimos|"
    r"pedem|просим|призываем)\b|نطالب|ندعو|طالب|呼吁|要求|建议",
    regex.IGNORECASE,
)
_QUOTATION = regex.compile(r"[“«„「『\"][^”»“」』\"]{12,}[”»“」』\"]")  # a quotation of some words
_TAGS_ONLY = regex.compile(r"(?:[#＃@＠][\p{L}\p{M}\p{N}_.]+\s*)+")
_FIGURE = regex.compile(r"\p{Nd}|[一二三四五六七八九十百千万]+(?:个|項|项|件|次|人|年|月|日)")
_DATE = regex.compile(
    r"\d{1,2}[:h.]\d{2}|\d+\s*(?:am|pm)\b|\d+月\d+日|\b(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|lundi|mardi|mercredi|jeudi|vendredi)\b",
    regex.IGNORECASE,
)


@dataclass(frozen=True)
class Atom:
    """Text that goes into one post whole: a sentence, a quote with its source, a list item, a lead-in with its
    first item; `joins` is how it follows the atom before it in the same post."""

    text: str
    weight: int
    joins: str = "\n\n"


@dataclass(frozen=True)
class Unit:
    """What a condensed thread takes whole or not at all, in reading order (`order`), by rank; `kind` and `label`
    name it when it is left out, `section` is the heading it sits under."""

    atoms: tuple[Atom, ...]
    rank: int
    order: int
    block: int = 0  # the body block it starts in: sentences of one paragraph follow each other on a line
    kind: str = "sentence"
    label: str = ""
    section: str = ""
    texts: tuple[str, ...] = field(default=(), compare=False)  # the passages it carries, for `social:` to find

    @cached_property
    def weight(self) -> int:
        """Its weight in one post."""
        return sum(atom.weight for atom in self.atoms) + sum(split.plain_weight(a.joins) for a in self.atoms[1:])


def label(text: str) -> str:
    """A passage by its first words."""
    words = text.split()
    shown = " ".join(words[:LABEL_WORDS])
    if len(shown) > LABEL_CHARACTERS:
        shown = shown[:LABEL_CHARACTERS // 2]
    return shown + ("…" if shown != " ".join(words) else "")


announces = split.announces_items


def rank_of(text: str, lead: bool) -> int:
    """A sentence's rank: figures and dates, then calls to action with their links, then section leads."""
    if _FIGURE.search(text):
        return FIGURES
    if split.has_url(text):
        return ACTIONS
    return LEADS if lead else REST


def is_date(text: str) -> bool:
    """Whether a passage gives a date or a time."""
    return bool(_DATE.search(text))


def _first_sentence(line: str, measure: split.Measure) -> Atom:
    """A list line by its first sentence (its marker kept), weighed."""
    found = split.quoted(split.sentences(split.clean(line), measure))
    return Atom(found[0].text, found[0].weight, "\n") if found else Atom(line, split.text_weight(line, measure), "\n")


def _tagged(sentences: Sequence[split.Sentence]) -> list[split.Sentence]:
    """Sentences with a run of hashtags and mentions joined to the sentence before it."""
    out: list[split.Sentence] = []
    for sentence in sentences:
        if out and _TAGS_ONLY.fullmatch(sentence.text):
            out[-1] = split.Sentence((*out[-1].pieces, *sentence.pieces))
        else:
            out.append(sentence)
    return out


def _glued(atoms: Sequence[Atom]) -> list[Atom]:
    """A unit's atoms with the first two made one: a lead-in never ends a post without its first item."""
    if len(atoms) < 2:
        return list(atoms)
    first, second, *rest = atoms
    return [Atom(first.text + second.joins + second.text, first.weight + split.plain_weight(second.joins)
                 + second.weight, first.joins), *rest]


class Reader:
    """Walks the thread blocks once and yields their units."""

    def __init__(self, body: Sequence[Block], measure: split.Measure) -> None:
        self.body, self.measure = list(body), measure
        levels = {block.level for block in self.body if block.kind == "heading"}
        self.level = SECTION_LEVEL if SECTION_LEVEL in levels else min(levels, default=SECTION_LEVEL)
        self.units: list[Unit] = []
        self.sections: list[str] = []
        self.section = ""
        self.lead = True  # the next sentence opens a section

    def atom(self, text: str, joins: str = "\n\n") -> Atom:
        """Text as an atom, weighed by the service's rule."""
        return Atom(text, split.text_weight(text, self.measure), joins)

    def add(self, atoms: Sequence[Atom], rank: int, kind: str, texts: Sequence[str], first: str, block: int) -> None:
        """Record a unit in reading order."""
        if atoms:
            self.units.append(Unit(tuple(atoms), rank, len(self.units), block, kind, label(first), self.section,
                                   tuple(texts)))

    def read(self) -> list[Unit]:
        """Every unit of the body, in reading order."""
        index = 0
        while index < len(self.body):
            index = self.step(index)
        return self.units

    def step(self, index: int) -> int:
        """Read the unit(s) starting at body[index]; the index after them."""
        block = self.body[index]
        if block.kind == "heading":
            return self.heading(index)
        if block.kind in ("item", "table"):
            return self.listed(index, None, ())
        if block.kind == "quote":
            return self.quote(index, ())
        following = self.body[index + 1] if index + 1 < len(self.body) else None
        if block.kind == "paragraph" and _FIRST.match(block.text) and following is not None \
                and following.kind == "paragraph" and _ORDINAL.match(following.text):
            return self.ordinals(index, None)  # "First, ..." promises a second: the run goes together
        if block.kind == "paragraph":
            return self.paragraph(index)
        return index + 1  # code and images are left to the post

    def heading(self, index: int) -> int:
        """A section heading opens a section; a question heading goes with its answer's first sentence."""
        block = self.body[index]
        text = split.clean(block.text)
        following = self.body[index + 1] if index + 1 < len(self.body) else None
        if block.level <= self.level:
            self.section, self.lead = text, True
            self.sections.append(text)
        if text.rstrip().endswith(("?", "？")) and following is not None and following.kind == "paragraph":
            sentences = block_sentences(following, self.measure)
            if sentences:
                taken = 2 if len(sentences) > 1 and len(sentences[0].pieces) < SHORT_ANSWER else 1  # "No." and why
                answer = " ".join(sentence.text for sentence in sentences[:taken])
                atoms = [self.atom(text), self.atom(answer, "\n")]
                self.add(_glued(atoms), REST, "question", [text, answer], text, index)
                self.sentences(sentences[taken:], index + 1)
                return index + 2
        if announces(text) and following is not None:
            if following.kind in ("item", "table"):
                return self.listed(index + 1, text, (), "\n")
            if following.kind == "paragraph" and _FIRST.match(following.text):
                return self.ordinals(index + 1, text)
        return index + 1

    def paragraph(self, index: int) -> int:
        """A paragraph's sentences; its last one leads into a list, a quote or ordinal paragraphs that follow."""
        block = self.body[index]
        sentences = block_sentences(block, self.measure)
        following = self.body[index + 1] if index + 1 < len(self.body) else None
        if sentences and following is not None and announces(sentences[-1].text):
            lead_in = sentences[-1].text
            if following.kind in ("item", "table"):
                self.sentences(sentences[:-1], index)
                return self.listed(index + 1, lead_in, sentences[:-1])
            if following.kind == "quote" and lead_in.endswith((":", "：")):
                self.sentences(sentences[:-1], index)
                return self.quote(index + 1, (lead_in,))
            if following.kind == "paragraph" and _FIRST.match(following.text):
                self.sentences(sentences[:-1], index)
                return self.ordinals(index + 1, lead_in)
        if sentences and following is not None and following.kind == "code" and announces(sentences[-1].text):
            sentences = sentences[:-1]  # it announced code left to the post
        self.sentences(sentences, index)
        return index + 1

    def sentences(self, sentences: Sequence[split.Sentence], index: int) -> None:
        """Each sentence as its own unit (a quotation in a paragraph is already one sentence with its source), the
        hashtags that end a paragraph with the sentence before them; never a question or an announcement alone."""
        for sentence in _tagged(sentences):
            text = sentence.text
            if announces(text) or split.asks(sentence):
                continue  # announces or asks what cannot follow it here
            quote = not split.open_quotes(text, []) and bool(_QUOTATION.search(text))
            rank = QUOTES if quote else rank_of(text, self.lead)
            self.add([Atom(text, sentence.weight, " ")], rank, "quote" if quote else "sentence", [text], text, index)
            self.lead = False

    def listed(self, index: int, lead_in: str | None, before: Sequence[split.Sentence], joins: str = "\n") -> int:
        """A list (or a table as one) with its lead-in, each item by its first sentence."""
        start = index - (1 if lead_in else 0)
        items: list[Block] = []
        while index < len(self.body) and self.body[index].kind in ("item", "table"):
            items.append(self.body[index])
            index += 1
        lines = [line for item in items for line in block_text(item).split("\n")]
        atoms = [self.atom(lead_in)] if lead_in else []
        atoms += [_first_sentence(line, self.measure) for line in lines]
        context = " ".join([lead_in or "", self.section, *(s.text for s in before)])
        rank = ASKS if _ASKING.search(context) or (lead_in and split.ANNOUNCING.search(lead_in)) else REST
        first = lead_in or lines[0]
        self.add(_glued(atoms), rank, "list", [first, *lines], first, start)
        self.lead = False
        return index

    def ordinals(self, index: int, lead_in: str | None) -> int:
        """Paragraphs that each open with an ordinal ("First, ...", "Second, ..."), with what announced them; each
        by its first sentence, the rest of each paragraph as sentences of its own."""
        start = index - (1 if lead_in else 0)
        atoms = [self.atom(lead_in)] if lead_in else []
        texts = [lead_in] if lead_in else []
        while index < len(self.body) and self.body[index].kind == "paragraph" and _ORDINAL.match(self.body[index].text):
            sentences = block_sentences(self.body[index], self.measure)
            atoms.append(Atom(sentences[0].text, sentences[0].weight, "\n" if atoms else "\n\n"))
            texts.append(sentences[0].text)
            index += 1
        context = f"{lead_in or texts[0]} {self.section}"
        rank = ASKS if _ASKING.search(context) or split.ANNOUNCING.search(lead_in or "") else REST
        self.add(_glued(atoms), rank, "list", texts, texts[0], start)
        self.lead = False
        return index  # the rest of each item's paragraph explains it: never posted without it

    def quote(self, index: int, lead_in: Sequence[str]) -> int:
        """A block quotation with its attribution (the quote blocks that follow it), and what introduced it."""
        start = index - (1 if lead_in else 0)
        texts = list(lead_in)
        while index < len(self.body) and self.body[index].kind == "quote":
            texts.append(block_text(self.body[index]))
            index += 1
        atoms = [self.atom(texts[0]), *(self.atom(text, "\n") for text in texts[1:])]
        self.add(_glued(atoms), QUOTES, "quote", texts, texts[len(lead_in)], start)
        self.lead = False
        return index
