"""Bluesky post text: links shown short with a facet carrying the full URI, hashtags as tags, lengths in graphemes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import regex

from channels.bluesky.draft import MAX_BYTES, MAX_GRAPHEMES, BlueskyPost, Facet
from channels.bluesky.tlds import TLDS
from channels.threads import split

SHORT_PATH = 15  # graphemes of path a link shows whole (as Bluesky's app does); a longer one is cut
KEPT_PATH = 14  # ...after the last "/", "-" or "_" among its first KEPT_PATH graphemes, then MORE
MORE = "…"
SEPARATORS = "/-_"
MAX_TAG_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: maxGraphemes 64 and maxLength 640 (UTF-8 bytes)
MAX_TAG_BYTES = 640

# A link as herald writes it: http(s) and the characters a URL may hold (herald's links are percent-encoded).
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_LINK = regex.compile(rf"(?<![\w@/.:])https?://{_URL_CHARS}+", regex.IGNORECASE)
# Bluesky's app links a bare domain after a space or "(": ASCII labels without hyphens, the last a real TLD
# (herald leaves out an e-mail address, which the app would link as https://first.last@host).
_DOMAIN = regex.compile(rf"(?<![^\s(])(?P<host>(?>[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+))(?!@){_URL_CHARS}*")
# The app's hashtag: "#" or "＃" after a space, not a keycap (#️⃣), up to a space or an invisible separator, with
# something other than ASCII digits and punctuation in it.
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(rf"(?<!\S)[#＃](?!\ufe0f)([^\s{_INVISIBLE}]*[^0-9\s\p{{P}}{_INVISIBLE}][^\s{_INVISIBLE}]*)")
_TAG_END = regex.compile(r"\p{P}+$")
_TRAILING = ".,;:!?'*"
_GRAPHEME = regex.compile(r"\X")


class Mark(NamedTuple):
    """A facet on the text as written: its span, its text as shown, and the URI it links or the tag it carries."""

    start: int
    end: int
    label: str
    uri: str = ""
    tag: str = ""


def graphemes(text: str) -> int:
    """Grapheme clusters, as Bluesky counts a post's length."""
    return len(_GRAPHEME.findall(text))


def overweight(made: BlueskyPost) -> str | None:
    """Why Bluesky would refuse the post's text, or None."""
    if made.graphemes > MAX_GRAPHEMES:
        return f"{made.graphemes}/{MAX_GRAPHEMES} graphemes"
    if (size := len(made.text.encode())) > MAX_BYTES:
        return f"{size}/{MAX_BYTES} bytes of UTF-8"
    return None


def _weight(grapheme: str) -> int:
    """A grapheme's share of both limits: 1, or more for an emoji sequence of over 10 bytes (300 of them would
    pass the 3,000 bytes)."""
    return max(1, -(-len(grapheme.encode()) * MAX_GRAPHEMES // MAX_BYTES))


def _trimmed(text: str, start: int, end: int) -> int:
    """Where a link ends without the sentence punctuation after it or a closing parenthesis it does not open."""
    while end > start:
        last = text[end - 1]
        unopened = last == ")" and text.count("(", start, end) < text.count(")", start, end)
        if last not in _TRAILING and not unopened:
            break
        end -= 1
    return end


def links(text: str) -> list[tuple[int, int]]:
    """Each http(s) link's span, without the punctuation after it or a closing parenthesis it does not open."""
    return [(match.start(), _trimmed(text, *match.span())) for match in _LINK.finditer(text)]


def domains(text: str) -> list[tuple[int, int]]:
    """Each bare domain (with its path) that Bluesky's app links, its TLD a real one, trimmed as a link is."""
    return [(match.start(), _trimmed(text, *match.span())) for match in _DOMAIN.finditer(text)
            if match["host"].rsplit(".", 1)[1] in TLDS]


def tags(text: str) -> list[tuple[int, int, str]]:
    """Each hashtag's span ("#" and the tag, no punctuation after it) and tag, as the app finds them, if in limits."""
    found = []
    for match in _TAG.finditer(text):
        tag = _TAG_END.sub("", match[1])
        if graphemes(tag) <= MAX_TAG_GRAPHEMES and len(tag.encode()) <= MAX_TAG_BYTES:
            found.append((match.start(), match.start(1) + len(tag), tag))
    return found


def _free(span: tuple[int, int], taken: list[Mark]) -> bool:
    """Whether a span overlaps none of the marks taken."""
    return all(span[1] <= mark.start or mark.end <= span[0] for mark in taken)


@lru_cache(maxsize=1024)
def marks(text: str) -> tuple[Mark, ...]:
    """A text's facets in order, never overlapping: http(s) links, then bare domains, then hashtags outside them."""
    found = [Mark(start, end, short(text[start:end]), text[start:end]) for start, end in links(text)]
    found += [Mark(start, end, text[start:end], f"https://{text[start:end]}")
              for start, end in domains(text) if _free((start, end), found)]
    found += [Mark(start, end, text[start:end], tag=tag)
              for start, end, tag in tags(text) if _free((start, end), found)]
    return tuple(sorted(found))


def _readable(path: str) -> str:
    """A percent-encoded path as its reader would type it, when it decodes to text."""
    try:
        shown = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return path
    return path if any(not char.isprintable() or char.isspace() for char in shown) else shown


@lru_cache(maxsize=1024)
def short(url: str) -> str:
    """A link as shown: host and path (decoded), a long path cut after a separator, as "diff.wikimedia.org/2026/…"."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    path = _readable("" if parts.path == "/" else parts.path)
    path += (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    pieces = _GRAPHEME.findall(path)
    if len(pieces) > SHORT_PATH:
        kept = pieces[:KEPT_PATH]
        cut = max((i for i, piece in enumerate(kept) if i and piece in SEPARATORS), default=KEPT_PATH - 1)
        path = "".join(kept[: cut + 1 if kept[cut] == "/" else cut]) + MORE
    return parts.netloc + path


def post(text: str) -> BlueskyPost:
    """A post's text, links shown short, with a facet on each link and hashtag (UTF-8 byte offsets, as shown)."""
    shown: list[str] = []
    facets: list[Facet] = []
    size = last = 0
    for mark in marks(text):
        before = text[last : mark.start]
        size += len(before.encode())
        facets.append(Facet(size, size + len(mark.label.encode()), mark.uri, mark.tag))
        size += len(mark.label.encode())
        shown += [before, mark.label]
        last = mark.end
    shown.append(text[last:])
    body = "".join(shown)
    return BlueskyPost(text=body, facets=tuple(facets), graphemes=graphemes(body))


@dataclass(frozen=True)
class PostLength:
    """The thread splitter's measure for Bluesky: graphemes of the text as shown, a link as its short form, and
    a heavy emoji sequence as its share of the byte limit."""

    def weigh(self, text: str) -> split.Weighed:
        """Grapheme weights, each link whole at the length of its short form (a bare domain as written)."""
        return _weighed(text)

    def check(self, text: str) -> tuple[bool, int]:
        """Whether Bluesky takes the post, and its length by the tighter of the two limits."""
        made = post(text)
        size = -(-len(made.text.encode()) * MAX_GRAPHEMES // MAX_BYTES)
        return overweight(made) is None, max(made.graphemes, size)


@lru_cache(maxsize=1024)
def _weighed(text: str) -> split.Weighed:
    """Weights of a text for the splitter, each link whole (cached: condensing weighs the same sentences again)."""
    found = [(mark.start, mark.end, graphemes(mark.label)) for mark in marks(text) if mark.uri]
    return split.grapheme_weighed(text, found, _weight)
