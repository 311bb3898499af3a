"""Mastodon's length rule, the stricter reading: code points (never fewer than the validator's grapheme clusters),
a URL with a protocol counts 23, a mention its user."""

from __future__ import annotations

import pytest

from channels.mastodon.length import StatusLength, countable_text, graphemes, status_length

LONG_URL = "https://example.org/" + "/".join(f"segment-{n}" for n in range(30)) + "?utm_source=herald"


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Read https://diff.wikimedia.org/2026/10/08/herald-test-update/ now.", 5 + 23 + 5),
        (f"{LONG_URL} and http://a.io", 23 + 5 + 23),
        ("see example.org or wikimedia.org.uk today", len("see example.org or wikimedia.org.uk today")),
        ("thanks @alice@mastodon.social and @bob!", len("thanks @alice and @bob!")),
        ("write to press@wikimedia.org", len("write to press@wikimedia.org")),
        ("https://eg.wikimedia.org/wiki/الصفحة_الرئيسية. يفرض", 23 + len(". يفرض")),
        ("https://ja.wikipedia.org/wiki/著作権 を参照", 23 + len(" を参照")),
        ("(https://en.wikipedia.org/wiki/Foo_(bar)), ok", 1 + 23 + len("), ok")),
        ("family 👩‍👩‍👧‍👦 pride 🏳️‍🌈 flag 🇺🇦 cafe\u0301", len("family 👩‍👩‍👧‍👦 pride 🏳️‍🌈 flag 🇺🇦 cafe\u0301")),
        ("Свобода знаний 著作権 ويكيبيديا", len("Свобода знаний 著作権 ويكيبيديا")),
        ("   ", 0),
    ],
)
def test_status_length_follows_mastodons_validator(text: str, length: int) -> None:
    assert status_length(text) == length


def test_a_url_counts_the_instances_reserved_length() -> None:
    assert status_length(f"see {LONG_URL}", url_weight=30) == 4 + 30
    assert countable_text(f"see {LONG_URL}.", 3) == "see xxx."


def test_the_content_warning_counts_with_the_text() -> None:
    warning = "Politique : droit d'auteur 🇪🇺"
    assert status_length("Read https://diff.wikimedia.org/x now.", warning) == len(warning) + 5 + 23 + 5
    measure = StatusLength(23, warning, 500)
    assert measure.room == 500 - len(warning)
    assert measure.check("a" * measure.room) == (True, measure.room)
    assert measure.check("a" * (measure.room + 1)) == (False, measure.room + 1)


@pytest.mark.parametrize(
    "text",
    [
        "Read https://diff.wikimedia.org/2026/10/08/herald-test-update/ now. @alice@social.example agrees.",
        "Свобода знаний 🏳️‍🌈 https://kk.wikipedia.org/wiki/%D0%A3 и @WikimediaKZ #свободазнаний",
        "文化庁のページ https://www.bunka.go.jp/seisaku/chosakuken/aiandcopyright.html をご覧ください。",
    ],
)
def test_the_splitters_weights_add_up_to_the_validators_count(text: str) -> None:
    measure = StatusLength()
    weighed = measure.weigh(text)
    assert weighed.prefix[-1] == status_length(text)
    # Every cut the splitter may make leaves two parts that count exactly as much as the whole.
    for index in range(1, len(text)):
        if weighed.breakable(index) and text[index] == " ":
            assert status_length(text[:index]) + status_length(text[index:]) == status_length(text), index


@pytest.mark.parametrize("text", ["family 👩‍👩‍👧‍👦 and 🏳️‍🌈", "cafe\u0301 " * 40, "Свобода знаний 著作権 ويكيبيديا"])
def test_the_count_is_never_below_the_validators_grapheme_count(text: str) -> None:
    assert status_length(text) >= graphemes(text) and status_length(text) == len(text)
