"""The X thread adapter: weighted lengths, splitting, numbering, condensing and hand-written threads."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
import regex
from twitter_text import extract_emojis_with_indices, parse_tweet

from channels import thread_split as split
from channels.base import Channel, RenderContext, RenderError
from channels.twitter import (
    DEFAULT_MAX_TWEETS,
    MAX_WEIGHTED_LENGTH,
    URL_WEIGHT,
    ThreadDraft,
    Twitter,
)
from content.i18n import t
from content.loader import load_update
from content.markdown import bare_link, blocks
from content.model import TwitterOptions, Update

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "twitter"
DIFF_URL = "https://diff.wikimedia.org/2026/10/08/herald-test-update/"
CONTEXT = RenderContext(diff_url=DIFF_URL, max_tweets=50)
NUMBERING = re.compile(r" (\d+)/(\d+)$")
LONG_URL = "https://example.org/" + "/".join(f"segment-{n}" for n in range(30)) + "?utm_source=herald"


def make(body: str, title: str = "A policy update", summary: str = "", **fields: object) -> Update:
    """An update built directly from a Markdown body."""
    return Update(
        source=Path("update.md"),
        title=title,
        date=dt.date(2026, 10, 1),
        slug="update",
        summary=summary,
        body=body,
        **fields,
    )


def render(update: Update, context: RenderContext = CONTEXT) -> ThreadDraft:
    """Render with a fresh adapter."""
    return Twitter().render(update, context)


def unnumbered(draft: ThreadDraft) -> list[str]:
    """The tweets with their " k/n" suffix checked and removed."""
    if len(draft.tweets) == 1:
        assert not NUMBERING.search(draft.tweets[0])
        return list(draft.tweets)
    out = []
    for number, tweet in enumerate(draft.tweets, 1):
        match = NUMBERING.search(tweet)
        assert match, f"tweet {number} has no numbering: {tweet!r}"
        assert (int(match[1]), int(match[2])) == (number, len(draft.tweets))
        out.append(tweet[: match.start()])
    return out


def expected_words(update: Update) -> list[str]:
    """The body's plain-text words in order, items with their markers and quotes in quotation marks."""
    texts = []
    for block in blocks(update.body, bare_link):
        if block.kind == "rule":
            continue
        text = {"item": f"{block.marker} {block.text}", "quote": f"“{block.text}”"}.get(block.kind, block.text)
        texts.append(unicodedata.normalize("NFC", text))
    return " ".join(texts).split()


def thread_body_words(draft: ThreadDraft, update: Update) -> list[str]:
    """The thread's words without numbering, the hook's title and summary, and the closing Diff link."""
    text = " ".join(unnumbered(draft))
    hook = f"{update.title} — {update.summary}" if update.summary else update.title
    assert text.startswith(hook)
    closing = t(update.lang, "Read the full post: {url}", url=DIFF_URL)  # in the update's language
    assert text.endswith(closing)
    return text[len(hook) : -len(closing)].split()


def assert_valid(draft: ThreadDraft) -> None:
    """Every tweet is valid for X and its recorded weight is parse_tweet's."""
    assert draft.tweets
    assert len(draft.weights) == len(draft.tweets)
    for tweet, weight in zip(draft.tweets, draft.weights, strict=True):
        result = parse_tweet(tweet)
        assert result.valid, tweet
        assert result.weightedLength == weight <= MAX_WEIGHTED_LENGTH


# The weighing primitives mirror parse_tweet.

WEIGHING_SAMPLES = [
    "plain ASCII text, nothing else",
    "Свобода знаний — «кавычки» и тире",
    "日本語の文です。中文，한국어",
    "ناقش البرلمان مشروع قانون جديد",
    "family 👨‍👩‍👧‍👦 coder 👩🏽‍💻 flags 🇺🇦🇪🇺 rainbow 🏳️‍🌈 Scotland 🏴󠁧󠁢󠁳󠁣󠁴󠁿 keycaps #️⃣ 1️⃣ 2⃣ © ® ™",
    f"a link {LONG_URL} and a bare domain wikimedia.org and example.co.uk/path?q=1.",
    "combining e\u0301\u0302 and Hangul 한글 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "mentions @WikimediaUK and #hashtags #свобода next to t.co/abc and https://t.co/abcdefghij",
    "digits 2026 and 3/7 and 12:30 and 1,200 and x.y.z",
]


@pytest.mark.parametrize("text", WEIGHING_SAMPLES)
def test_incremental_weights_equal_parse_tweet(text: str) -> None:
    assert split.weigh(split.clean(text)).prefix[-1] == parse_tweet(text).weightedLength


@pytest.mark.parametrize("text", WEIGHING_SAMPLES)
def test_emoji_spans_equal_the_library(text: str) -> None:
    expected = {e["indices"][0]: e["indices"][1] - e["indices"][0] for e in extract_emojis_with_indices(text)}
    assert split.emoji_spans(text) == expected


def test_url_weighs_23_cjk_and_emoji_2() -> None:
    assert URL_WEIGHT == 23
    assert split.weigh(LONG_URL).prefix[-1] == URL_WEIGHT
    assert split.weigh("日本語").prefix[-1] == 6
    assert split.weigh("👨‍👩‍👧‍👦").prefix[-1] == 2
    assert split.weigh("🇺🇦").prefix[-1] == 2


# Whole-body threads from real Markdown.


@pytest.mark.parametrize("name", ["cyrillic.md", "cjk.md", "arabic.md", "emoji.md", "recap.md"])
def test_fixture_threads_are_valid_numbered_and_complete(name: str) -> None:
    update = load_update(FIXTURES / name)
    draft = render(update)
    assert_valid(draft)
    assert not draft.condensed and not draft.hand_written and draft.warnings == ()
    assert len(draft.tweets) > 1
    assert draft.tweets[0].startswith(f"{update.title} — {update.summary}")
    assert DIFF_URL in draft.tweets[-1]
    # Every non-space character of the body arrives, in order (CJK has no spaces to count words by).
    assert "".join("".join(thread_body_words(draft, update))) == "".join(expected_words(update))


@pytest.mark.parametrize("name", ["cyrillic.md", "arabic.md", "emoji.md", "recap.md"])
def test_uncondensed_thread_carries_every_word_in_order(name: str) -> None:
    update = load_update(FIXTURES / name)
    draft = render(update)
    assert thread_body_words(draft, update) == expected_words(update)


def test_cjk_counts_double_so_a_paragraph_needs_two_tweets() -> None:
    sentence = "文化庁は生成AIと著作権に関する新しいガイドラインを公表しました。"
    update = make(sentence * 6)  # 32 characters x 6 = 192 characters, 384 weighted
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) >= 2
    assert max(draft.weights) > 200  # packed close to the limit, counted at 2 per character
    pieces = unnumbered(draft)
    # The paragraph breaks after a full stop (a sentence boundary), not inside a sentence.
    assert pieces[0].endswith("。")
    assert "".join("".join(p.split()) for p in pieces).startswith("Apolicyupdate" + sentence * 6)


def test_long_urls_count_23_and_stay_whole() -> None:
    urls = [f"{LONG_URL}&n={n}" for n in range(7)]
    update = make("Sources: " + " and ".join(urls) + ".")
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) == 1  # seven 200-character URLs fit one tweet at 23 each
    for url in urls:
        assert url in draft.tweets[0]


def test_many_urls_are_split_between_urls_never_inside_one() -> None:
    urls = [f"{LONG_URL}&n={n}" for n in range(30)]
    update = make(" ".join(urls))
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) > 2
    found = [url for tweet in draft.tweets for url in re.findall(r"https://\S+", tweet)]
    assert found[:30] == urls
    assert found[30] == DIFF_URL


def test_mentions_and_hashtags_are_never_split() -> None:
    names = [f"@Wikimedia_Chapter_{n:02d}" for n in range(20)] + [f"#FreeKnowledge{n:02d}" for n in range(20)]
    update = make("Thanks to " + " ".join(names) + " for their support.")
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) >= 3
    found = [tag for tweet in draft.tweets for tag in re.findall(r"[@#]\w+", tweet)]
    assert found == names


def test_overlong_word_is_cut_at_graphemes_into_full_tweets() -> None:
    word = "a" * 600
    draft = render(make(f"Start {word} end."))
    assert_valid(draft)
    assert word in "".join(unnumbered(draft))
    assert draft.weights[0] == MAX_WEIGHTED_LENGTH and draft.weights[1] == MAX_WEIGHTED_LENGTH


@pytest.mark.parametrize("cluster", ["👩🏽‍💻", "👨‍👩‍👧‍👦", "🇺🇦", "e\u0301\u0302", "🏳️‍🌈"])
def test_overlong_word_of_clusters_never_breaks_a_cluster(cluster: str) -> None:
    cluster = unicodedata.normalize("NFC", cluster)
    word = cluster * 300
    draft = render(make(f"Start {word} end."))
    assert_valid(draft)
    pieces = unnumbered(draft)
    assert len(pieces) >= 3
    assert word in "".join(pieces)
    for piece in pieces:
        run = max(piece.split(), key=len).removeprefix("Start")
        assert regex.findall(r"\X", run) == [cluster] * (len(run) // len(cluster))


@pytest.mark.parametrize("offset", range(236, 272, 3))
def test_word_glued_to_a_mention_keeps_the_mention_whole(offset: int) -> None:
    # Offsets around the first cut (about 259 characters into the word) put the cut inside the tags.
    word = "x" * offset + "—@WikimediaFoundation—#FreeKnowledge—" + "y" * 270
    draft = render(make(word))
    assert_valid(draft)
    assert any("@WikimediaFoundation" in tweet for tweet in draft.tweets)
    assert any("#FreeKnowledge" in tweet for tweet in draft.tweets)
    assert word in "".join(unnumbered(draft))


def test_tables_code_footnotes_and_lists_are_kept_as_text() -> None:
    update = load_update(FIXTURES / "emoji.md")
    text = "\n".join(render(update).tweets)
    assert "def weight(text: str) -> int:\n    return sum(" in text  # code keeps its lines and indentation
    assert "Emoji | Meaning\n👨‍👩‍👧‍👦 | family" in text
    assert "[1] We counted every grapheme cluster" in text  # footnotes are kept, at the end
    recap = "\n".join(render(load_update(FIXTURES / "recap.md")).tweets)
    assert "1. We filed comments" in recap and "• Age assurance" in recap


def test_headings_open_a_tweet() -> None:
    update = load_update(FIXTURES / "recap.md")
    starts = [tweet.split("\n", 1)[0] for tweet in render(update).tweets]
    headings = [b.text for b in blocks(update.body, bare_link) if b.kind == "heading"]
    assert [s for s in starts if s in headings] == headings


def test_numbering_grows_to_two_digits() -> None:
    body = "\n\n".join(f"Paragraph {n}: " + "the committee met again to discuss the bill. " * 5 for n in range(14))
    draft = render(make(body))
    assert_valid(draft)
    assert len(draft.tweets) >= 10
    assert draft.tweets[0].endswith(f" 1/{len(draft.tweets)}")
    unnumbered(draft)
    assert thread_body_words(draft, make(body)) == expected_words(make(body))


def test_short_update_is_one_unnumbered_tweet() -> None:
    update = make("One short paragraph.", summary="Short.")
    draft = render(update)
    assert draft.tweets == (f"A policy update — Short.\n\nOne short paragraph.\n\nRead the full post: {DIFF_URL}",)
    assert draft.weights == (parse_tweet(draft.tweets[0]).weightedLength,)


def test_without_summary_the_title_leads_into_the_body() -> None:
    update = make("Intro sentence. " * 30)
    draft = render(update)
    assert draft.tweets[0].startswith("A policy update\n\nIntro sentence.")
    assert thread_body_words(draft, update) == expected_words(update)


def test_characters_x_rejects_are_dropped() -> None:
    draft = render(make("Zero\ufeffwidth no-break space and \ufffe noncharacters."))
    assert_valid(draft)
    assert "\ufeff" not in draft.tweets[0] and "Zerowidth" in draft.tweets[0]


# Condensed threads.


def test_long_body_is_condensed_within_max_tweets() -> None:
    update = load_update(FIXTURES / "recap.md")
    context = RenderContext(diff_url=DIFF_URL)
    assert context.max_tweets == DEFAULT_MAX_TWEETS
    draft = render(update, context)
    assert_valid(draft)
    assert draft.condensed
    assert len(draft.tweets) == DEFAULT_MAX_TWEETS
    (warning,) = draft.warnings
    match = re.fullmatch(r"thread condensed: the full body needs (\d+) tweets, max_tweets is 10", warning)
    assert match and int(match[1]) == len(render(update).tweets) > DEFAULT_MAX_TWEETS
    assert draft.tweets[0] == f"{update.title} — {update.summary} 1/10"
    assert draft.tweets[-1] == f"Read the full post: {DIFF_URL} 10/10"
    headings = [b.text for b in blocks(update.body, bare_link) if b.kind == "heading" and b.level == 2]
    assert len(headings) > 8
    assert [t.split("\n", 1)[0] for t in draft.tweets[1:-1]] == headings[:8]  # the first sections that fit
    assert draft.tweets[1].startswith(
        "EU: the Digital Services Act transparency database\nThe European Commission opened"
    )


def test_condensed_without_headings_uses_each_paragraphs_first_sentence() -> None:
    paragraphs = [f"Point {n} is the headline. " + "Supporting detail follows here. " * 8 for n in range(9)]
    update = make("\n\n".join(paragraphs), summary="Nine points.")
    draft = render(update, RenderContext(diff_url=DIFF_URL, max_tweets=5))
    assert_valid(draft)
    assert draft.condensed and len(draft.tweets) == 5
    assert [t.removesuffix(f" {n}/5") for n, t in enumerate(draft.tweets[1:4], 2)] == [
        f"Point {n} is the headline." for n in range(3)
    ]
    assert DIFF_URL in draft.tweets[-1]


def test_condensed_to_one_tweet_keeps_the_link() -> None:
    update = load_update(FIXTURES / "recap.md")
    draft = render(update, RenderContext(diff_url=DIFF_URL, max_tweets=1))
    assert_valid(draft)
    assert draft.condensed and len(draft.tweets) == 1
    assert draft.tweets[0].startswith(update.title)
    assert draft.tweets[0].endswith(f"Read the full post: {DIFF_URL}")


def test_overlong_sentence_in_condensed_tweet_ends_with_an_ellipsis() -> None:
    body = "\n\n".join(f"## Section {n}\n\n" + "word " * 120 + "end." for n in range(12))
    draft = render(make(body), RenderContext(diff_url=DIFF_URL, max_tweets=4))
    assert_valid(draft)
    assert draft.tweets[1].startswith("Section 0\nword word")
    assert draft.tweets[1].endswith("… 2/4")


# Hand-written threads.


def test_hand_written_thread_is_used_verbatim() -> None:
    thread = (f"Our September recap is out: {DIFF_URL}", "Thanks to @WikimediaUK 👩🏽‍💻 for the help.")
    update = make("Body text.", twitter=TwitterOptions(thread=thread))
    draft = render(update)
    assert draft.tweets == thread
    assert draft.hand_written and not draft.condensed and draft.warnings == ()
    assert draft.weights == tuple(parse_tweet(t).weightedLength for t in thread)


def test_hand_written_thread_without_the_diff_link_warns() -> None:
    update = make("Body.", twitter=TwitterOptions(thread=("Read the recap on Diff.",)))
    draft = render(update)
    assert draft.tweets == ("Read the recap on Diff.",)
    assert draft.warnings and DIFF_URL in draft.warnings[0]


def test_overlong_hand_written_tweet_raises_naming_the_tweet() -> None:
    thread = ("Fine.", "Also fine.", "日" * 150 + "x")
    update = make("Body.", twitter=TwitterOptions(thread=thread))
    with pytest.raises(RenderError) as caught:
        render(update)
    assert caught.value.field == "twitter.thread.3"
    assert caught.value.message == "tweet 3 is 301/280 weighted characters"
    assert str(caught.value).startswith("update.md: twitter.thread.3: ")


def test_hand_written_thread_longer_than_max_tweets_raises() -> None:
    update = make("Body.", twitter=TwitterOptions(thread=tuple(f"Tweet {n}" for n in range(12))))
    with pytest.raises(RenderError) as caught:
        render(update, RenderContext(diff_url=DIFF_URL))
    assert caught.value.field == "twitter.thread.11"
    assert "12 tweets" in caught.value.message


# Output files, determinism, protocol.


def test_files_hold_the_exact_tweets_and_a_listing() -> None:
    draft = render(load_update(FIXTURES / "cyrillic.md"))
    files = draft.files()
    assert set(files) == {"thread.json", "thread.txt"}
    assert json.loads(files["thread.json"]) == list(draft.tweets)
    listing = files["thread.txt"].decode()
    count = len(draft.tweets)
    for number, (tweet, weight) in enumerate(zip(draft.tweets, draft.weights, strict=True), 1):
        assert f"--- {number}/{count} ({weight}/280) ---\n{tweet}\n" in listing


@pytest.mark.parametrize("name", ["cyrillic.md", "cjk.md", "emoji.md", "recap.md"])
def test_render_is_deterministic(name: str) -> None:
    update = load_update(FIXTURES / name)
    for context in (CONTEXT, RenderContext(diff_url=DIFF_URL, max_tweets=3)):
        assert Twitter().render(update, context).files() == Twitter().render(update, context).files()


def test_adapter_follows_the_channel_protocol() -> None:
    adapter = Twitter()
    assert isinstance(adapter, Channel)
    assert adapter.name == "twitter" and adapter.max_weighted_length == 280
    assert render(make("Text.")).channel == "twitter"


def test_verification_shrinks_a_tweet_the_incremental_count_got_wrong() -> None:
    # A builder that (wrongly) counts CJK as 1: parse_tweet rejects it and the budget shrinks until valid.
    tweets, weights = split.verified_thread(lambda budget_for: ["日" * budget_for(0)], 280, 140)
    assert weights == [280] and parse_tweet(tweets[0]).valid


def test_a_list_marker_never_ends_a_tweet_apart_from_its_item() -> None:
    from channels.thread_split import sentences

    texts = [s.text for s in sentences("We asked the Commission to:\n1. Keep the research exception broad.")]
    assert texts == ["We asked the Commission to:", "1. Keep the research exception broad."]
    assert [s.text for s in sentences("It ends here. 2) Then this.")] == ["It ends here.", "2) Then this."]


def test_a_sentence_longer_than_the_room_left_breaks_after_a_clause_not_mid_phrase() -> None:
    from channels.thread_split import Chunk, pack, sentences

    opener = "Two years after the United Nations adopted the Compact, member states are preparing its first review."
    long = ("The Compact shapes how governments talk about data, artificial intelligence and connectivity, and it "
            "matters for Wikipedia, a project that depends on a free and open internet.")
    tweets = pack([Chunk(sentences(f"{opener} {long}"))], lambda _: 240)
    assert tweets[0].endswith("and it matters for Wikipedia,")
    assert tweets[1] == "a project that depends on a free and open internet."


def test_a_condensed_lead_never_ends_on_an_announcing_colon() -> None:
    from channels.thread_split import lead_text, sentences

    found = sentences("Wikipedia is written by volunteers. We asked the Commission to:\n1. Keep the research "
                      "exception broad, make opt-outs machine-readable and require disclosure of training data.")
    assert [s.text for s in found][1] == "We asked the Commission to:"
    assert lead_text(found, 100) == "Wikipedia is written by volunteers."
    assert lead_text(found[1:], 100) == "We asked the Commission to:"  # alone, it is kept
