"""A status's length as Mastodon counts it, by the stricter of its two rules, and the thread splitter's measure.

Mastodon's StatusLengthValidator counts grapheme clusters; its API documentation (and older servers) count
characters (code points). A code point count is never smaller, so herald counts code points: a status within it is
taken by either rule (an emoji ZWJ sequence costs its code points, not 1)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import regex
from twitter_text.extract_urls import is_valid_url
from twitter_text.regexp.latin_accent_chars import latin_accent_chars
from twitter_text.regexp.valid_domain import valid_domain
from twitter_text.regexp.valid_url_balanced_parens import valid_url_balanced_parens
from twitter_text.regexp.valid_url_preceding_chars import valid_url_preceding_chars

from channels.threads import split

# Mastodon's config/initializers/twitter_regex.rb overrides twitter-text's URL pattern: a path takes any character
# but white space, <, >, ( ) and ?; its last character may not be sentence punctuation (it is interpolated before
# the parentheses are redefined, so it keeps twitter-text's own balanced parentheses); queries take any non-ASCII.
_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
    "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd"
    "\U000e1000-\U000efffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_PATH_END = rf"""(?:[^\p{{White_Space}}()?!*"'「」<>;:=,.$%\[\]~&|@]|(?:{valid_url_balanced_parens.pattern}))"""
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:{_PATH_CHAR}+/))"
_QUERY = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_UCHARS}]"
_QUERY_END = rf"[a-z0-9_&=#/\-{_UCHARS}]"
URL = regex.compile(
    rf"(({valid_url_preceding_chars.pattern})"
    rf"(((?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?({valid_domain.pattern})(?::([0-9]+))?"
    rf"(/{_PATH}*)?(\?{_QUERY}*{_QUERY_END})?))",
    regex.IGNORECASE | regex.VERSION0,
)
# app/models/account.rb MENTION_RE (USERNAME_RE keeps its own /i), and twitter-text's end_mention_match
MENTION = regex.compile(r"(?<![=/\w])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?)", regex.VERSION0)
MENTION_END = regex.compile(rf"[@＠{latin_accent_chars.pattern}]|://")
_GRAPHEME = regex.compile(r"\X")
_URL_CHARS = regex.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")  # herald's links are percent-encoded
_TRAILING = ".,;:!?'*"


def graphemes(text: str) -> int:
    """Grapheme clusters, as Ruby's each_grapheme_cluster counts them."""
    return len(_GRAPHEME.findall(text))


def urls(text: str) -> list[tuple[int, int]]:
    """The spans of the URLs Mastodon gives the reserved length: those with a protocol."""
    if ":" not in text:
        return []
    found = []
    for match in URL.finditer(text):
        if match.group(4) and is_valid_url(match.group(3), match.group(4), match.group(5)):
            found.append(match.span(3))
    return found


def mentions(text: str) -> list[tuple[int, int, str]]:
    """Each mention's span and what it counts as: `@user` of `@user@domain`."""
    if "@" not in text and "＠" not in text:
        return []
    found = []
    for match in MENTION.finditer(text):
        if not MENTION_END.match(text, match.end()):
            found.append((match.start(), match.end(), "@" + match.group(1).split("@")[0]))
    return found


def entities(text: str, url_weight: int) -> list[tuple[int, int, str]]:
    """URLs and mentions by start, without overlaps, each with the text it counts as."""
    found = sorted([(start, end, "x" * url_weight) for start, end in urls(text)] + mentions(text))
    kept: list[tuple[int, int, str]] = []
    for entity in found:
        if not kept or kept[-1][1] <= entity[0]:
            kept.append(entity)
    return kept


def countable_text(text: str, url_weight: int) -> str:
    """The text as Mastodon counts it: each URL as `url_weight` characters, each mention without its domain."""
    if not text.strip():
        return ""
    out, last = [], 0
    for start, end, counted in entities(text, url_weight):
        out += [text[last:start], counted]
        last = end
    return "".join([*out, text[last:]])


def status_length(text: str, spoiler_text: str = "", url_weight: int = 23) -> int:
    """What Mastodon checks against max_characters: the content warning and the countable text together, in code
    points (never fewer than the validator's grapheme clusters)."""
    return len(spoiler_text + countable_text(text, url_weight))


@dataclass(frozen=True)
class StatusLength:
    """The thread splitter's measure for statuses under one content warning; a status's weight is what it
    counts beside the warning."""

    url_weight: int = 23
    spoiler_text: str = ""
    max_characters: int = 500

    @cached_property
    def warning_length(self) -> int:
        """What the content warning takes of every status."""
        return len(self.spoiler_text)

    @property
    def room(self) -> int:
        """What the warning leaves each status."""
        return self.max_characters - self.warning_length

    def weigh(self, text: str) -> split.Weighed:
        """Code points per grapheme (never cut), a URL `url_weight` whole, a mention as `@user`."""
        return _weighed(text, self.url_weight)

    def length(self, text: str) -> int:
        """The status's full count, warning included."""
        return status_length(text, self.spoiler_text, self.url_weight)

    def check(self, text: str) -> tuple[bool, int]:
        """Whether the instance takes the status, and what it counts beside the warning."""
        total = self.length(text)
        return total <= self.max_characters, total - self.warning_length


@lru_cache(maxsize=1024)
def _weighed(text: str, url_weight: int) -> split.Weighed:
    """Weights of a text for the splitter (cached: condensing weighs the same sentences again)."""
    found = [(start, end, len(counted)) for start, end, counted in entities(text, url_weight)]
    return split.grapheme_weighed(text, found, len)


def detached(text: str) -> str:
    """The text with a space after each link that Mastodon would otherwise run on into the next characters
    (a URL path takes any character but white space, so "元维基 https://…/zh，其中" links "，其中" too)."""
    for start, end in reversed(urls(text)):
        stop = _URL_CHARS.match(text, start, end).end()
        if stop < end:
            stop = len(text[start:stop].rstrip(_TRAILING)) + start
            text = f"{text[:stop]} {text[stop:]}"
    return text
