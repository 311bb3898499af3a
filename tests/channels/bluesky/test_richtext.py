"""Bluesky post text: links shown short, facets at UTF-8 byte offsets, lengths in grapheme clusters."""

from __future__ import annotations

import pytest
import regex

from channels.bluesky.richtext import MORE, PostLength, graphemes, links, post, short

DIFF_URL = "https://diff.wikimedia.org/2026/10/08/herald-test-update/"
BEFORE_LINKS = {
    "cyrillic": "Свобода знаний: читайте обзор",
    "ukrainian": "Вікімедіа Україна, ґрунтовний огляд",
    "japanese": "文化庁のページをご覧ください",
    "chinese": "我们的意见书全文见元维基",
    "arabic": "تابعوا صفحة المناصرة على ميتا",
    "zwj": "family 👩‍👩‍👧‍👦 and pride 🏳️‍🌈 and 🧑‍🤝‍🧑",
    "flags": "🇺🇦🇵🇱🏴󠁧󠁢󠁳󠁣󠁴󠁿 keycap #️⃣",
}


@pytest.mark.parametrize("name", BEFORE_LINKS)
def test_a_facet_points_at_the_links_utf8_bytes_whatever_comes_before_it(name: str) -> None:
    before = BEFORE_LINKS[name]
    made = post(f"{before} {DIFF_URL} — {before} https://example.org/a?b=1.")
    data = made.text.encode("utf-8")
    first, second = made.facets
    assert first.byte_start == len(f"{before} ".encode())  # counted in bytes, not characters or UTF-16 units
    assert data[first.byte_start : first.byte_end].decode() == short(DIFF_URL) == "diff.wikimedia.org/2026/10/08/…"
    assert data[second.byte_start : second.byte_end].decode() == "example.org/a?b=1"
    assert (first.uri, second.uri) == (DIFF_URL, "https://example.org/a?b=1")
    assert data[second.byte_end :] == b"."
    assert made.graphemes == len(regex.findall(r"\X", made.text))


def test_a_link_leaves_out_the_punctuation_after_it_but_keeps_balanced_parentheses() -> None:
    text = "See https://en.wikipedia.org/wiki/Foo_(bar), (https://example.org/x) and https://example.org/y!"
    assert [text[start:end] for start, end in links(text)] == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://example.org/x",
        "https://example.org/y",
    ]


def test_a_link_stops_where_text_in_another_script_or_a_mark_begins() -> None:
    text = "元维基 https://meta.wikimedia.org/wiki/X，其中 https://meta.wikimedia.org/wiki/Advocacy-ar\u200f باللغة"
    assert [text[start:end] for start, end in links(text)] == [
        "https://meta.wikimedia.org/wiki/X",
        "https://meta.wikimedia.org/wiki/Advocacy-ar",
    ]
    assert links("no scheme: wikimedia.org, mail press@wikimedia.org, ftp://x.org") == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.org/", "example.org"),
        ("https://wikimedia.org.uk", "wikimedia.org.uk"),
        ("https://meta.wikimedia.org/wiki/Xy", "meta.wikimedia.org/wiki/Xy"),  # 8 graphemes of path: whole
        (DIFF_URL, f"diff.wikimedia.org/2026/10/08/{MORE}"),  # cut after the last "/" in reach
        ("https://meta.wikimedia.org/wiki/Global_Digital_Compact", f"meta.wikimedia.org/wiki/Global{MORE}"),
        ("https://example.org/abcdefghijklmnopqrstuvwxyz", f"example.org/abcdefghijkl{MORE}"),  # 13 of path, as the app
        (
            "https://kk.wikipedia.org/wiki/%D0%A3%D0%B8%D0%BA%D0%B8%D0%BF%D0%B5%D0%B4%D0%B8%D1%8F:%D0%91",
            f"kk.wikipedia.org/wiki/{MORE}",
        ),
        ("https://uk.wikipedia.org/wiki/%D0%9C%D0%B5%D0%B4%D1%96%D0%B0", "uk.wikipedia.org/wiki/Медіа"),
        ("https://example.org/%FF%FE", "example.org/%FF%FE"),  # not UTF-8: shown as written
    ],
)
def test_a_link_is_shown_as_its_host_and_the_start_of_its_path(url: str, shown: str) -> None:
    assert short(url) == shown


def test_the_splitters_weights_count_a_link_as_its_short_form() -> None:
    measure = PostLength()
    text = f"Свобода 🇺🇦 文化庁 {DIFF_URL} и https://example.org/a."
    assert measure.weigh(text).prefix[-1] == graphemes(post(text).text) == measure.check(text)[1]
    assert measure.check("Я" * 300) == (True, 300)
    assert measure.check("Я" * 301) == (False, 301)


def test_heavy_emoji_sequences_count_their_share_of_the_3000_byte_limit() -> None:
    family = "👩‍👩‍👧‍👦"  # 1 grapheme, 25 bytes of UTF-8
    measure = PostLength()
    assert measure.weigh(f"a {family}").prefix[-1] == 2 + 3  # 25 bytes is 3 tenths of 10 bytes
    assert measure.check(family * 120) == (True, 300)  # 3,000 bytes
    assert measure.check(family * 121)[0] is False and graphemes(family * 121) < 300
