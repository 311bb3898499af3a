"""The weighing shortcuts give exactly what twitter-text gives, on the whole text, for texts built to trip them."""

from __future__ import annotations

import random
import unicodedata

import pytest
from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.extract_emojis import extract_emojis_with_indices
from twitter_text.regexp.emoji import emoji_list

from channels.threads import split

WORDS = [
    "policy", "Wikimedia", "copyright", "e.g.", "U.S.", "3.2", "1,200", "v.", "end.", "(see", "it)", "“quote”",
    "«цитата»", "日本語の文です。", "中文，", "العربية", "ق.م", "عربي.مصر", "日本語.jp", "例子.中国", "пример.рф",
    "example.com", "wikimedia.org/wiki/Policy", "http://example.com", "https://meta.wikimedia.org/wiki/X_(y)",
    "https://t.co/abcdefghij", "t.co/abc", "sub.domain.co.uk/path?q=1&r=2.", "$example.com", "@user.name",
    "#tag.com", "-example.com", "_x.org", "/path.org", "foo@example.com", "www.example.org.", "a.b", "x.y.z",
    "...", "..com", "example..com", "xn--wgv71a119e.jp", "localhost:8080", "127.0.0.1", "ftp://example.com",
    "https://example.com:8443/a", "EXAMPLE.COM", "exa\u0301mple.com", "👩🏽‍💻", "🇺🇦", "#️⃣", "©", "\u200f", "\u202a",
    "ab\x1ccd.com", "x\x1f.org", "a\u200bb.org",  # Python's whitespace, or not, that twitter-text allows in a domain
]
SPACES = [" ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\u3000", "\u2009", ""]


def texts(seed: int, count: int) -> list[str]:
    """Random texts of the words above, joined by assorted (sometimes no) whitespace."""
    rng = random.Random(seed)
    return ["".join(rng.choice(WORDS) + rng.choice(SPACES) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def test_url_spans_equal_the_library_on_the_whole_text() -> None:
    for text in texts(1, 1500):
        expected = tuple((url["indices"][0], len(url["url"])) for url in extract_urls_with_indices(text))
        assert split.url_spans(text) == expected, text


def test_x_check_equals_parse_tweet() -> None:
    extra = ["", " ", "a" * 280, "a" * 281, "日" * 140, "日" * 141, "x\ufffey", "line\r\nbreak\rhere",
             unicodedata.normalize("NFD", "café déjà vu"), "👨‍👩‍👧‍👦" * 140, "👨‍👩‍👧‍👦" * 141]
    for text in [*texts(2, 1500), *extra]:
        result = parse_tweet(text)
        assert split.X.check(text) == (result.valid, result.weightedLength), text


def test_emoji_spans_equal_the_library_for_every_emoji_it_knows() -> None:
    text = "".join(f"{chr(int(code, 16)) if ' ' not in code else ''.join(chr(int(c, 16)) for c in code.split())} x"
                   for code in (entry.codepoint for entry in emoji_list))
    expected = {e["indices"][0]: e["indices"][1] - e["indices"][0] for e in extract_emojis_with_indices(text)}
    assert len(expected) == len(emoji_list)
    assert split.emoji_spans(text) == expected


def test_no_emoji_is_ascii_alone() -> None:
    """emoji_spans skips ASCII texts: no emoji of the library's list is made of ASCII characters only."""
    assert all(any(int(code, 16) >= 128 for code in entry.codepoint.split()) for entry in emoji_list)


@pytest.mark.parametrize("text", ["plain ASCII, 1 each", "Ünïcödé", "日本", "a\u2013b"])
def test_ascii_weighs_one_per_character(text: str) -> None:
    assert split.weigh(text).prefix[-1] == parse_tweet(text).weightedLength
