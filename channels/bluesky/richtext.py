"""Bluesky post text: links shown short with a facet carrying the full URI, lengths in graphemes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import regex

from channels.bluesky.draft import MAX_BYTES, MAX_GRAPHEMES, BlueskyPost, Facet
from channels.threads import split

SHORT_PATH = 15  # graphemes of path a link shows whole (as Bluesky's app does); a longer one is cut
KEPT_PATH = 14  # ...after the last "/", "-" or "_" among its first KEPT_PATH graphemes, then MORE
MORE = "…"
SEPARATORS = "/-_"

# A link as herald writes it: http(s) and the characters a URL may hold (herald's links are percent-encoded).
_LINK = regex.compile(r"(?<![\w@/.:])https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", regex.IGNORECASE)
_TRAILING = ".,;:!?'*"
_GRAPHEME = regex.compile(r"\X")


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


def links(text: str) -> list[tuple[int, int]]:
    """Each link's span, without the sentence punctuation after it or a closing parenthesis it does not open."""
    found = []
    for match in _LINK.finditer(text):
        start, end = match.span()
        while end > start:
            last = text[end - 1]
            unopened = last == ")" and text.count("(", start, end) < text.count(")", start, end)
            if last not in _TRAILING and not unopened:
                break
            end -= 1
        found.append((start, end))
    return found


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
    """A post's text with its links shown short, a facet on each (UTF-8 byte offsets into the shown text)."""
    shown: list[str] = []
    facets: list[Facet] = []
    size = last = 0
    for start, end in links(text):
        before = text[last:start]
        label = short(text[start:end])
        size += len(before.encode())
        facets.append(Facet(size, size + len(label.encode()), text[start:end]))
        size += len(label.encode())
        shown += [before, label]
        last = end
    shown.append(text[last:])
    body = "".join(shown)
    return BlueskyPost(text=body, facets=tuple(facets), graphemes=graphemes(body))


@dataclass(frozen=True)
class PostLength:
    """The thread splitter's measure for Bluesky: graphemes of the text as shown, a link as its short form, and
    a heavy emoji sequence as its share of the byte limit."""

    def weigh(self, text: str) -> split.Weighed:
        """Grapheme weights, each link whole at the length of its short form."""
        return _weighed(text)

    def check(self, text: str) -> tuple[bool, int]:
        """Whether Bluesky takes the post, and its length by the tighter of the two limits."""
        made = post(text)
        size = -(-len(made.text.encode()) * MAX_GRAPHEMES // MAX_BYTES)
        return overweight(made) is None, max(made.graphemes, size)


@lru_cache(maxsize=1024)
def _weighed(text: str) -> split.Weighed:
    """Weights of a text for the splitter (cached: condensing weighs the same sentences again)."""
    found = [(start, end, graphemes(short(text[start:end]))) for start, end in links(text)]
    return split.grapheme_weighed(text, found, _weight)
