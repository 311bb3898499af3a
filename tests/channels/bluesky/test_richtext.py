"""Bluesky post text: links shown short, hashtags as tags, facets at UTF-8 byte offsets, lengths in graphemes."""

from __future__ import annotations

import pytest
import regex

from channels.bluesky.draft import Facet
from channels.bluesky.richtext import MORE, PostLength, domains, graphemes, links, post, short, tags

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


def sliced(text: str, facet: Facet) -> str:
    """The text a facet's UTF-8 byte offsets point at."""
    return text.encode("utf-8")[facet.byte_start : facet.byte_end].decode("utf-8")


@pytest.mark.parametrize("name", BEFORE_LINKS)
def test_tag_and_bare_domain_facets_point_at_their_utf8_bytes_whatever_comes_before_them(name: str) -> None:
    before = BEFORE_LINKS[name]
    made = post(f"{before} #KeepItOn! {before} wikimedia.org/policy. {before} {DIFF_URL} {before} ＃全部")
    tag, domain, link, wide = made.facets  # nothing in the text before them is a tag (a keycap #️⃣ is not)
    assert tag.byte_start == len(f"{before} ".encode())
    assert (sliced(made.text, tag), tag.tag, tag.uri) == ("#KeepItOn", "KeepItOn", "")
    assert (sliced(made.text, domain), domain.uri) == ("wikimedia.org/policy", "https://wikimedia.org/policy")
    assert (sliced(made.text, link), link.uri) == (short(DIFF_URL), DIFF_URL)
    assert (sliced(made.text, wide), wide.tag) == ("＃全部", "全部")
    assert made.text.encode()[tag.byte_end : tag.byte_end + 1] == b"!"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("#KeepItOn", ["KeepItOn"]),
        ("Join us: #KeepItOn.", ["KeepItOn"]),
        ("strips trailing #punctuation, #like. #this! #multi_trailing___...", ["punctuation", "like", "this",
                                                                              "multi_trailing"]),
        ("#2026 #2026! #1? and #2026年 #1a", ["2026年", "1a"]),  # all digits (and punctuation) is no tag
        ("#٢٠٢٦", ["٢٠٢٦"]),  # the app's digits are ASCII ones only
        ("https://example.org/page#KeepItOn and example.org/#KeepItOn", []),  # a fragment is the link's
        ("word#KeepItOn (#KeepItOn) \"#KeepItOn\"", []),  # "#" after a space or at the start only
        ("its a #double#rainbow ##hashash", ["double#rainbow", "#hashash"]),
        ("keycap #️⃣ and #️⃣tag, but ＃#️⃣tag", ["#️⃣tag"]),
        ("# #? ## text #", []),
        ("#a\u200bb #\u200ba #a\u20e2b #t\nag", ["a", "a", "t"]),  # zero-width characters end a tag
        ("#ويكيبيديا و#no #свободазнаний #Википедия. #🦋 #butter🦋fly", ["ويكيبيديا", "свободазнаний", "Википедия",
                                                                          "🦋", "butter🦋fly"]),
        ("#" + "a" * 64 + " #" + "b" * 65 + " #" + "c" * 64 + "!", ["a" * 64, "c" * 64]),  # 64 graphemes at most
        ("#" + "🏴󠁧󠁢󠁳󠁣󠁴󠁿" * 23, []),  # 23 graphemes but 644 bytes: over the lexicon's 640
        ("#👩‍👩‍👧‍👦", ["👩"]),  # a zero-width joiner ends a tag in the app too
    ],
)
def test_hashtags_are_found_as_bluesky_s_app_finds_them(text: str, found: list[str]) -> None:
    made = post(text)
    assert [facet.tag for facet in made.facets if facet.tag] == found
    for facet in made.facets:
        if facet.tag:
            assert sliced(made.text, facet) in (f"#{facet.tag}", f"＃{facet.tag}")
    assert [tag for _, _, tag in tags(text)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("See wikimedia.org/policy.", ["wikimedia.org/policy"]),
        ("example.com, (meta.wikimedia.org) and bsky.app: done", ["example.com", "meta.wikimedia.org", "bsky.app"]),
        ("a example.com/index.php?x=1#top link", ["example.com/index.php?x=1#top"]),
        ("mastodon.social/@Wikimedia", ["mastodon.social/@Wikimedia"]),
        ("file.txt, e.g. this, e.g./foo, website.com.jpg, something-cool.jpg, v1.2.3", []),  # not a real TLD
        ("not.. a..url ..here, wiki-media.org, Example.COM", []),  # as the app: no hyphen, TLD as listed
        ("press@wikimedia.org, first.last@wikimedia.org", []),  # e-mail addresses
        ("ftp://x.org and mailto:a.b@x.org", []),  # not http(s)
        ("元维基 example.org/文化 — wikimedia.org\u200f باللغة", ["example.org/", "wikimedia.org"]),
    ],
)
def test_a_bare_domain_with_a_real_tld_is_linked_with_https(text: str, found: list[str]) -> None:
    made = post(text)
    assert made.text == text  # shown as written
    assert [sliced(made.text, facet) for facet in made.facets] == found
    assert [facet.uri for facet in made.facets] == [f"https://{shown}" for shown in found]
    assert [text[start:end] for start, end in domains(text)] == found


def test_facets_never_overlap_and_links_win() -> None:
    text = "#see(https://x.org) https://x.org/#tag (example.com/#tag) https://en.wikipedia.org/wiki/Foo_(bar.com) #tag"
    made = post(text)
    assert [(sliced(made.text, f), f.uri or f"#{f.tag}") for f in made.facets] == [
        ("x.org", "https://x.org"),  # the tag would take in the link: no tag
        ("x.org#tag", "https://x.org/#tag"),
        ("example.com/#tag", "https://example.com/#tag"),
        ("en.wikipedia.org/wiki/Foo…", "https://en.wikipedia.org/wiki/Foo_(bar.com)"),  # not bar.com as well
        ("#tag", "#tag"),
    ]
    assert all(a.byte_end <= b.byte_start for a, b in zip(made.facets, made.facets[1:], strict=False))


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
    assert links("no scheme: wikimedia.org, mail press@wikimedia.org, ftp://x.org") == []  # see domains()


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
    text = f"Свобода 🇺🇦 文化庁 {DIFF_URL} и https://example.org/a, wikimedia.org/policy #KeepItOn."
    assert measure.weigh(text).prefix[-1] == graphemes(post(text).text) == measure.check(text)[1]
    assert measure.check("Я" * 300) == (True, 300)
    assert measure.check("Я" * 301) == (False, 301)


def test_heavy_emoji_sequences_count_their_share_of_the_3000_byte_limit() -> None:
    family = "👩‍👩‍👧‍👦"  # 1 grapheme, 25 bytes of UTF-8
    measure = PostLength()
    assert measure.weigh(f"a {family}").prefix[-1] == 2 + 3  # 25 bytes is 3 tenths of 10 bytes
    assert measure.check(family * 120) == (True, 300)  # 3,000 bytes
    assert measure.check(family * 121)[0] is False and graphemes(family * 121) < 300
