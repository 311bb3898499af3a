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

from channels.registry import load_update, update_model
from channels.threads import split
from channels.threads.story import block_text, thread_blocks, tweet_link
from channels.twitter.options import TwitterOptions
from channels.twitter.render import (
    DEFAULT_MAX_TWEETS,
    MAX_WEIGHTED_LENGTH,
    URL_WEIGHT,
    ThreadDraft,
    Twitter,
)
from channels.twitter.settings import TwitterSettings
from content.i18n import t
from content.markdown import bare_link, blocks
from content.model import Update
from herald.core.draft import Channel, RenderContext, RenderError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "twitter"
DIFF_URL = "https://diff.wikimedia.org/2026/10/08/herald-test-update/"


def ctx(max_tweets: int = 50, link: str = "first") -> tuple[RenderContext, TwitterSettings]:
    """The Diff link every test uses, and the `[twitter]` settings the thread is cut for."""
    return RenderContext(diff_url=DIFF_URL), TwitterSettings(max_tweets=max_tweets, link=link)


CONTEXT = ctx()
LAST = ctx(link="last")
NUMBERING = re.compile(r" (\d+)/(\d+)$")
LONG_URL = "https://example.org/" + "/".join(f"segment-{n}" for n in range(30)) + "?utm_source=herald"


def make(body: str, title: str = "A policy update", summary: str = "", **fields: object) -> Update:
    """An update built directly from a Markdown body."""
    return update_model()(
        source=Path("update.md"),
        title=title,
        date=dt.date(2026, 10, 1),
        slug="update",
        summary=summary,
        body=body,
        **fields,
    )


def render(update: Update, context: tuple[RenderContext, TwitterSettings] = CONTEXT) -> ThreadDraft:
    """Render with a fresh adapter."""
    base, settings = context
    return Twitter(settings).render(update, base)


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


def unlinked(draft: ThreadDraft) -> list[str]:
    """The tweets without numbering and without the Diff link that ends tweet 1."""
    pieces = unnumbered(draft)
    assert pieces[0].endswith(f"\n\n{DIFF_URL}")
    return [pieces[0].removesuffix(f"\n\n{DIFF_URL}"), *pieces[1:]]


def expected_words(update: Update) -> list[str]:
    """The thread blocks' words in order (thread_blocks itself is checked by the tests below)."""
    return " ".join(unicodedata.normalize("NFC", block_text(block)) for block in thread_blocks(update)).split()


def thread_body_words(draft: ThreadDraft, update: Update, link: str = "first") -> list[str]:
    """The thread's words without numbering, the hook's title and summary, and the Diff link where it belongs."""
    pieces = unnumbered(draft)
    hook = f"{update.title} — {update.summary}" if update.summary else update.title
    if link == "first" and len(pieces) > 1:
        if update.summary:
            assert pieces[0] == f"{hook}\n\n{DIFF_URL}"
            return " ".join(pieces[1:]).split()
        assert pieces[0].startswith(hook) and pieces[0].endswith(f"\n\n{DIFF_URL}")
        text = " ".join([pieces[0].removesuffix(DIFF_URL), *pieces[1:]])
        return text[len(hook) :].split()
    text = " ".join(pieces)
    closing = DIFF_URL if link == "first" else t(update.lang, "Read the full post: {url}", url=DIFF_URL)
    assert text.startswith(hook) and text.endswith(closing)
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

@pytest.fixture
def full_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """No short-update rule: the test is about how the full body is split, whatever its length."""
    from channels.threads import engine

    monkeypatch.setattr(engine, "SHORT_BODY", 0)



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


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("name", ["cyrillic.md", "cjk.md", "arabic.md", "emoji.md", "recap.md"])
def test_fixture_threads_are_valid_numbered_and_complete(name: str) -> None:
    update = load_update(FIXTURES / name)
    draft = render(update)
    assert_valid(draft)
    assert not draft.condensed and not draft.hand_written and draft.warnings == ()
    assert len(draft.tweets) > 1
    assert draft.tweets[0].startswith(f"{update.title} — {update.summary}\n\n{DIFF_URL} 1/")
    assert all(DIFF_URL not in tweet for tweet in draft.tweets[1:])
    # Every non-space character of the body arrives, in order (CJK has no spaces to count words by).
    assert "".join("".join(thread_body_words(draft, update))) == "".join(expected_words(update))


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("name", ["cyrillic.md", "arabic.md", "emoji.md", "recap.md"])
@pytest.mark.parametrize("link", ["first", "last"])
def test_uncondensed_thread_carries_every_word_in_order(name: str, link: str) -> None:
    update = load_update(FIXTURES / name)
    draft = render(update, ctx(max_tweets=50, link=link))
    assert thread_body_words(draft, update, link) == expected_words(update)


def test_cjk_counts_double_so_a_paragraph_needs_two_tweets() -> None:
    sentence = "文化庁は生成AIと著作権に関する新しいガイドラインを公表しました。"
    update = make(sentence * 6)  # 32 characters x 6 = 192 characters, 384 weighted
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) >= 2
    assert max(draft.weights) > 200  # packed close to the limit, counted at 2 per character
    pieces = unnumbered(draft)
    # The paragraph breaks after a full stop (a sentence boundary), not inside a sentence.
    assert pieces[0].endswith("。\n\n" + DIFF_URL)
    assert all(piece.endswith("。") for piece in pieces[1:])
    body = "".join("".join(p.split()) for p in [pieces[0].removesuffix(DIFF_URL), *pieces[1:]])
    assert body == "Apolicyupdate" + sentence * 6


def test_long_urls_count_23_and_stay_whole() -> None:
    urls = [f"{LONG_URL}&n={n}" for n in range(7)]
    update = make("Sources: " + " and ".join(urls) + ".")
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) == 1  # seven 200-character URLs fit one tweet at 23 each
    for url in urls:
        assert url in draft.tweets[0]


@pytest.mark.usefixtures("full_body")
def test_many_urls_are_split_between_urls_never_inside_one() -> None:
    urls = [f"{LONG_URL}&n={n}" for n in range(30)]
    update = make("  \n".join(urls))  # one per line: a line of 30 links would be a sentence no tweet holds whole
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) > 2
    found = [url for tweet in unlinked(draft) for url in re.findall(r"https://\S+", tweet)]
    assert found == urls  # no summary: the body shares tweet 1 with the title and the link


@pytest.mark.usefixtures("full_body")
def test_mentions_and_hashtags_are_never_split() -> None:
    names = [f"@Wikimedia_Chapter_{n:02d}" for n in range(20)] + [f"#FreeKnowledge{n:02d}" for n in range(20)]
    update = make("Thanks to:\n\n" + "\n".join(f"- {name}" for name in names))  # a list: no sentence is cut
    draft = render(update)
    assert_valid(draft)
    assert len(draft.tweets) >= 3
    found = [tag for tweet in draft.tweets for tag in re.findall(r"[@#]\w+", tweet)]
    assert found == names


@pytest.mark.usefixtures("full_body")
def test_overlong_word_is_cut_at_graphemes_into_full_tweets() -> None:
    word = "a" * 600
    draft = render(make(word))  # one word, no sentence around it to keep whole
    assert_valid(draft)
    assert word in "".join(unlinked(draft))
    assert draft.weights[0] == MAX_WEIGHTED_LENGTH and draft.weights[1] == MAX_WEIGHTED_LENGTH


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("cluster", ["👩🏽‍💻", "👨‍👩‍👧‍👦", "🇺🇦", "e\u0301\u0302", "🏳️‍🌈"])
def test_overlong_word_of_clusters_never_breaks_a_cluster(cluster: str) -> None:
    cluster = unicodedata.normalize("NFC", cluster)
    word = cluster * 300
    draft = render(make(word))
    assert_valid(draft)
    pieces = unlinked(draft)
    assert len(pieces) >= 3
    assert word in "".join(pieces)
    for piece in pieces:
        run = max(piece.split(), key=len).removeprefix("Start")
        assert regex.findall(r"\X", run) == [cluster] * (len(run) // len(cluster))


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("offset", range(236, 272, 3))
def test_word_glued_to_a_mention_keeps_the_mention_whole(offset: int) -> None:
    # Offsets around the first cut (about 259 characters into the word) put the cut inside the tags.
    word = "x" * offset + "—@WikimediaFoundation—#FreeKnowledge—" + "y" * 270
    draft = render(make(word))
    assert_valid(draft)
    assert any("@WikimediaFoundation" in tweet for tweet in draft.tweets)
    assert any("#FreeKnowledge" in tweet for tweet in draft.tweets)
    assert word in "".join(unlinked(draft))


@pytest.mark.usefixtures("full_body")
def test_tables_code_and_lists_are_kept_as_text_footnotes_left_to_the_post() -> None:
    update = load_update(FIXTURES / "emoji.md")
    text = "\n".join(render(update).tweets)
    assert "def weight(text: str) -> int:\n    return sum(" in text  # code keeps its lines and indentation
    assert "\n• 👨‍👩‍👧‍👦: family\n• 🏳️‍🌈: rainbow flag" in text  # a table's rows as items
    assert "Emoji | Meaning" not in text
    assert "We counted every grapheme cluster" not in text  # the note itself stays on the linked post
    assert not re.search(r"\S\[\d\]", text)  # and no marker points to it
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
    assert draft.tweets == (f"A policy update — Short.\n\nOne short paragraph.\n\n{DIFF_URL}",)
    assert draft.weights == (parse_tweet(draft.tweets[0]).weightedLength,)
    last = render(update, LAST)
    assert last.tweets == (f"A policy update — Short.\n\nOne short paragraph.\n\nRead the full post: {DIFF_URL}",)


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
    assert TwitterSettings().max_tweets == DEFAULT_MAX_TWEETS
    draft = render(update, (RenderContext(diff_url=DIFF_URL), TwitterSettings()))
    assert_valid(draft)
    assert draft.condensed
    assert len(draft.tweets) == DEFAULT_MAX_TWEETS
    (warning,) = draft.warnings
    match = re.fullmatch(r"thread condensed: the full body needs (\d+) tweets, max_tweets is 10", warning)
    assert match and int(match[1]) > DEFAULT_MAX_TWEETS
    assert draft.tweets[0] == f"{update.title} — {update.summary}\n\n{DIFF_URL} 1/10"
    assert draft.tweets[-1].endswith(f"Read the full post: {DIFF_URL} 10/10")  # a condensed thread closes on it
    last = render(update, ctx(max_tweets=DEFAULT_MAX_TWEETS, link="last"))
    assert last.tweets[0] == f"{update.title} — {update.summary} 1/10"
    assert last.tweets[-1].endswith(f"Read the full post: {DIFF_URL} 10/10") and DIFF_URL not in last.tweets[0]


def test_condensed_without_headings_keeps_whole_sentences() -> None:
    paragraphs = [f"Point {n} is the headline. " + "Supporting detail follows here. " * 8 for n in range(9)]
    update = make("\n\n".join(paragraphs), summary="Nine points.")
    draft = render(update, ctx(max_tweets=5))
    assert_valid(draft)
    assert draft.condensed and len(draft.tweets) == 5
    assert draft.tweets[0].startswith("A policy update — Nine points.\n\n")
    for tweet in unnumbered(draft)[1:]:
        assert tweet.endswith((".", DIFF_URL))  # whole sentences only


def test_a_short_announcement_carries_its_registration_link_in_two_tweets() -> None:
    update = realistic(UPDATES / "announcement.md")
    for max_tweets in (3, 4, 10):
        pieces = unnumbered(render(update, ctx(max_tweets=max_tweets)))
        assert len(pieces) == 2
        assert "Register here https://wikimediafoundation.org/events/gdc-briefing-2026/ before 1 December" in (
            "\n".join(pieces))


def test_condensed_to_one_tweet_keeps_the_link() -> None:
    update = load_update(FIXTURES / "recap.md")
    draft = render(update, ctx(max_tweets=1))
    assert_valid(draft)
    assert draft.condensed and len(draft.tweets) == 1
    assert draft.tweets[0].startswith(update.title)
    assert draft.tweets[0].endswith(f"\n\n{DIFF_URL}")
    last = render(update, ctx(max_tweets=1, link="last"))
    assert last.tweets[0].endswith(f"\n\nRead the full post: {DIFF_URL}")


def test_a_sentence_longer_than_a_tweet_is_left_out_not_cut() -> None:
    body = "\n\n".join(f"## Section {n}\n\n" + "word " * 120 + "end." for n in range(12))
    draft = render(make(body), ctx(max_tweets=4))
    assert_valid(draft)
    assert not any("word word" in tweet or tweet.endswith("…") for tweet in unnumbered(draft))
    assert "section: Section 0" in draft.left_out


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
        render(update, (RenderContext(diff_url=DIFF_URL), TwitterSettings()))
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
    for context in (CONTEXT, ctx(max_tweets=3)):
        assert render(update, context).files() == render(update, context).files()


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
    from channels.threads.split import sentences

    texts = [s.text for s in sentences("We asked the Commission to:\n1. Keep the research exception broad.")]
    assert texts == ["We asked the Commission to:", "1. Keep the research exception broad."]
    assert [s.text for s in sentences("It ends here. 2) Then this.")] == ["It ends here.", "2) Then this."]


def test_a_sentence_that_fits_a_tweet_is_never_split_between_two() -> None:
    from channels.threads.split import Chunk, pack, sentences

    opener = "Two years after the United Nations adopted the Compact, member states are preparing its first review."
    long = ("The Compact shapes how governments talk about data, artificial intelligence and connectivity, and it "
            "matters for Wikipedia, a project that depends on a free and open internet.")
    assert pack([Chunk(sentences(f"{opener} {long}"))], lambda _: 240) == [opener, long]


def test_a_sentence_longer_than_a_tweet_breaks_after_a_clause_not_mid_phrase() -> None:
    from channels.threads.split import Chunk, pack, sentences

    long = ("The Compact shapes how governments talk about data, artificial intelligence, connectivity and the "
            "governance of the internet, and it matters for Wikipedia, a project that depends on a free and open "
            "internet that no single country controls.")
    tweets = pack([Chunk(sentences(long))], lambda _: 200)
    assert tweets[0].endswith("and it matters for Wikipedia,")
    assert tweets[1] == "a project that depends on a free and open internet that no single country controls."


def test_a_condensed_lead_never_ends_on_an_announcing_colon() -> None:
    from channels.threads.split import lead_text, sentences

    found = sentences("Wikipedia is written by volunteers. We asked the Commission to:\n1. Keep the research "
                      "exception broad, make opt-outs machine-readable and require disclosure of training data.")
    assert [s.text for s in found][1] == "We asked the Commission to:"
    assert lead_text(found, 100) == "Wikipedia is written by volunteers."
    assert lead_text(found[1:], 100) == "We asked the Commission to:"  # alone, it is kept


# Realistic updates, read as the person posting them would.

UPDATES = FIXTURES.parent / "updates"
REALISTIC = [
    *(UPDATES / name for name in ("consultation.md", "amicus.md", "announcement.md", "explainer.md", "spanish.md",
                                  "arabic_update.md")),
    *(FIXTURES / name for name in ("announcement.md", "faq.md", "rtl_link.md", "recap.md")),
]
TWEET_BUDGET = MAX_WEIGHTED_LENGTH - split.numbering_reserve(10)


def realistic(path: Path) -> Update:
    """A realistic fixture update, its images under the fixtures folder."""
    return load_update(path, FIXTURES.parent)


def lines_of(draft: ThreadDraft) -> list[list[str]]:
    """Each tweet's lines, without numbering."""
    return [tweet.split("\n") for tweet in unnumbered(draft)]


def starts_mid_sentence(previous: str, tweet: str) -> bool:
    """Whether a tweet continues a sentence of the one before, when that sentence would have fitted a tweet."""
    if not tweet[:1].islower() or re.search(r"[.!?…:][\"'”’»)]*$", previous):
        return False
    tail = split.sentences(previous.rsplit("\n", 1)[-1])[-1].text
    head = split.sentences(tweet)[0].text
    return split.text_weight(f"{tail} {head}") <= TWEET_BUDGET


@pytest.mark.parametrize("path", REALISTIC, ids=lambda path: f"{path.parent.name}/{path.name}")
@pytest.mark.parametrize("max_tweets", [2, 4, 7, 10, 50])
@pytest.mark.parametrize("link", ["first", "last"])
def test_every_realistic_thread_reads_as_a_professional_would_post_it(path: Path, max_tweets: int, link: str) -> None:
    update = realistic(path)
    draft = render(update, ctx(max_tweets=max_tweets, link=link))
    assert_valid(draft)
    assert len(draft.tweets) <= max_tweets
    pieces = unnumbered(draft)
    text = "\n".join(pieces)
    # The Diff link, once: on tweet 1, or closing the thread; a condensed thread of more than one tweet closes on it.
    closes = draft.condensed and len(pieces) > 1
    assert text.count(DIFF_URL) == 1 + (closes and link == "first")
    assert not closes or DIFF_URL in pieces[-1]
    if link == "first":
        assert DIFF_URL in pieces[0]
    else:
        assert pieces[-1].endswith(t(update.lang, "Read the full post: {url}", url=DIFF_URL))
    # Tweet 1 opens with the title; the image goes with it.
    assert pieces[0].startswith(update.title)
    image = (update.image.as_posix(), update.image_alt) if update.image else (None, None)
    assert (draft.image, draft.image_alt) == image
    for number, (tweet, lines) in enumerate(zip(pieces, lines_of(draft), strict=True), 1):
        # No footnote markers, no doubled quotation marks.
        assert not re.search(r"[\w.,;)”\"]\[\d{1,3}\]", tweet), tweet
        assert not re.search(r"[“«„\"]\s?[“«„\"]", tweet), tweet
        # No URL carries an invisible mark, and none is given twice.
        urls = [found["url"] for found in split.extract_urls_with_indices(tweet)]
        assert len(urls) == len(set(urls)), tweet
        assert not any(re.search(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069]|%E2%80%8[EF]", url, re.I) for url in urls)
        # Nothing announces what is not there, and no heading is left without its text.
        if tweet.rstrip().endswith(":"):
            assert len(lines) == 2 and number < len(pieces), tweet  # a heading and a lead-in; the list follows
        assert lines[-1] not in headings_of(update), tweet
        assert not (re.match(r"(?:•|\d+\.) ", lines[-1]) and lines[-1].endswith("…")), tweet  # no item cut short
        if number > 1:
            assert not starts_mid_sentence(pieces[number - 2], tweet), tweet


def headings_of(update: Update) -> set[str]:
    """The body's headings as thread text."""
    return {split.clean(block.text) for block in thread_blocks(update) if block.kind == "heading"}


def test_tweet_1_carries_the_hook_the_diff_link_and_the_image_with_its_alt_text() -> None:
    update = realistic(FIXTURES / "announcement.md")
    draft = render(update)
    assert draft.tweets[0].startswith(f"{update.title} — {update.summary}\n\n")
    assert draft.tweets[0].endswith(f"\n\n{DIFF_URL} 1/{len(draft.tweets)}")
    assert draft.image == "images/event.png" and draft.image_file == (FIXTURES / "images" / "event.png").resolve()
    assert draft.image_alt == "The Wikimedia Europe office in Brussels with chairs set out for a public debate."
    listing = draft.files()["thread.txt"].decode()
    assert f"{draft.tweets[0]}\n[image: images/event.png | alt: {draft.image_alt}]\n\n--- 2/" in listing
    assert json.loads(draft.files()["thread.json"]) == list(draft.tweets)


def test_a_summary_too_long_to_share_tweet_1_with_the_link_opens_tweet_2() -> None:
    update = realistic(UPDATES / "consultation.md")
    for max_tweets in (10, 50):
        draft = render(update, ctx(max_tweets=max_tweets))
        first, second = unnumbered(draft)[:2]
        assert first == f"{update.title}\n\n{DIFF_URL}"
        assert second == " ".join(update.summary.split())


def test_a_hand_written_thread_also_carries_the_image() -> None:
    update = realistic(UPDATES / "full.md")
    draft = render(update)
    assert draft.hand_written and draft.image == "../images/map.png" and draft.image_alt == update.image_alt


def test_an_image_needs_alt_text_and_x_takes_at_most_1000_characters(tmp_path: Path) -> None:
    from content.errors import UpdateError

    (tmp_path / "map.png").write_bytes((FIXTURES.parent / "images" / "map.png").read_bytes())
    path = tmp_path / "update.md"
    path.write_text("---\ntitle: T\ndate: 2026-10-01\nimage: map.png\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(UpdateError) as missing:
        load_update(path)
    assert "\n" not in str(missing.value) and str(missing.value).startswith(f"{path}: image_alt: ")
    path.write_text(f"---\ntitle: T\ndate: 2026-10-01\nimage: map.png\nimage_alt: {'a' * 1001}\n---\nBody.\n",
                    encoding="utf-8")
    with pytest.raises(RenderError) as long:
        render(load_update(path))
    assert str(long.value) == f"{path}: image_alt: is 1001 characters; X takes 1000 for an image's alt text"


def test_the_170_word_announcement_is_a_short_thread_of_its_key_facts() -> None:
    update = realistic(UPDATES / "announcement.md")
    draft = render(update, (RenderContext(diff_url=DIFF_URL), TwitterSettings()))
    assert draft.condensed and len(draft.tweets) == 2  # every sentence would take 7 tweets
    assert draft.warnings == ("thread condensed to its key facts: the full body needs 7 tweets, and a short update "
                              "without sections takes at most 2",)
    assert DIFF_URL in draft.tweets[0] and draft.tweets[0].startswith("Join us on 3 December")
    text = "\n".join(draft.tweets)
    assert "Thursday, 3 December 2026, at 15:00 UTC" in text
    assert "https://wikimediafoundation.org/events/gdc-briefing-2026/ before 1 December" in text
    assert draft.tweets == render(update, ctx(max_tweets=4)).tweets  # the same as a team that asked for at most 4


def test_an_update_that_fits_one_tweet_is_one_tweet_without_numbering() -> None:
    update = make("Register by 12 November: https://wikimedia.brussels/events/ai-commons-debate", title="Join us",
                  summary="A public debate in Brussels on 19 November, 18:00 CET.")
    draft = render(update, (RenderContext(diff_url=DIFF_URL), TwitterSettings()))
    assert draft.tweets == (f"Join us — A public debate in Brussels on 19 November, 18:00 CET.\n\nRegister by 12 "
                            f"November: https://wikimedia.brussels/events/ai-commons-debate\n\n{DIFF_URL}",)


def test_a_question_heading_keeps_its_answer_in_full_and_condensed_threads() -> None:
    update = realistic(FIXTURES / "faq.md")
    full = "\n".join(render(update, ctx(max_tweets=50)).tweets)
    assert "Frequently asked questions\nDoes Wikimedia oppose the Bill?\nNo. We supported parts of the Bill" in full
    for max_tweets in (5, 4):
        for tweet in unnumbered(render(update, ctx(max_tweets=max_tweets))):
            if "Does Wikimedia oppose the Bill?" in tweet:
                assert "Does Wikimedia oppose the Bill?\nNo. We supported parts of the Bill" in tweet
    consultation = "\n".join(render(realistic(UPDATES / "consultation.md"), ctx(max_tweets=10)).tweets)
    assert "Does Wikimedia oppose AI?" not in consultation or "Does Wikimedia oppose AI?\nNo. We supported" in (
        consultation)


def test_a_list_keeps_its_lead_in_and_no_tweet_ends_on_the_first_words_of_an_item() -> None:
    full = unnumbered(render(realistic(FIXTURES / "faq.md")))
    lead_in = next(tweet for tweet in full if "We asked Parliament to make three changes to the Bill:" in tweet)
    assert "to the Bill:\n• A duty of care.\n• An exemption for public-interest projects" in lead_in
    condensed = render(realistic(FIXTURES / "faq.md"), ctx(max_tweets=5))
    text = "\n".join(unnumbered(condensed))
    if "three changes to the Bill:" in text:  # every item whole, none without the lead-in
        assert "to the Bill:\n• A duty of care." in text
        assert "• An exemption for public-interest projects that are run by their communities" in text
        assert "• Proportionate age assurance that does not force readers" in text
    else:
        assert any(entry.startswith("list: We asked Parliament") for entry in condensed.left_out)
    amicus = unnumbered(render(realistic(UPDATES / "amicus.md")))
    items = [line for tweet in amicus for line in tweet.split("\n") if line.startswith("• ")]
    assert [item.split(".")[0] for item in items] == [
        "• Community moderation depends on Section 230", "• Arranging content is editing",
        "• Small and non-profit websites would suffer most",
    ]
    assert all(item.endswith(".") for item in items)  # every item whole (by its first sentence when condensed)
    short = "\n".join(render(realistic(UPDATES / "amicus.md"), ctx(max_tweets=5)).tweets)
    assert ("Our brief makes three arguments:\n• Community moderation depends on Section 230.\n"
            "• Arranging content is editing.\n• Small and non-profit websites would suffer most.") in short


def test_a_short_question_in_a_paragraph_does_not_end_a_condensed_tweet_without_its_answer() -> None:
    draft = render(realistic(UPDATES / "spanish.md"), ctx(max_tweets=5))
    assert not any(tweet.endswith("¿Qué sigue?") for tweet in unnumbered(draft))
    full = "\n".join(render(realistic(UPDATES / "spanish.md"), ctx(max_tweets=50)).tweets)
    assert "¿Qué sigue? El Senado debe publicar el texto definitivo" in full


def test_footnotes_leave_no_marker_in_the_thread() -> None:
    update = realistic(UPDATES / "consultation.md")
    assert "[^" in update.body
    text = "\n".join(render(update).tweets)
    assert not re.search(r"\S\[\d+\]", text)
    code = render(make("The rule applies.[^1]\n\n```\nfirst = items[1]\n```\n\n[^1]: A note.")).tweets[0]
    assert "The rule applies.\n\nfirst = items[1]\n\n" in code  # code keeps its brackets


def test_a_quote_with_its_own_quotation_marks_gets_no_second_pair() -> None:
    faq = "\n".join(render(realistic(FIXTURES / "faq.md")).tweets)
    assert '\n"Community-governed projects are not social media platforms," the committee chair said' in faq
    amicus = "\n".join(render(realistic(UPDATES / "amicus.md")).tweets)
    assert '"Without Section 230, Wikipedia as we know it could not exist.' in amicus
    assert "\n— Stephen LaPorte, General Counsel of the Wikimedia Foundation" in amicus  # the source, unquoted
    plain = "\n".join(render(make("> Knowledge belongs to everyone.")).tweets)
    assert "“Knowledge belongs to everyone.”" in plain


def test_a_link_followed_by_a_right_to_left_mark_keeps_the_mark_out_of_the_url_and_appears_once() -> None:
    draft = render(realistic(FIXTURES / "rtl_link.md"))
    (tweet,) = draft.tweets
    urls = split.extract_urls_with_indices(tweet)
    assert [found["url"] for found in urls] == [
        "https://meta.wikimedia.org/wiki/Advocacy-ar", "https://meta.wikimedia.org/wiki/Advocacy-ar/Updates", DIFF_URL
    ]
    assert "%E2%80%8F" not in tweet
    assert "Advocacy-ar\u200f باللغة" in tweet and "Advocacy-ar/Updates\u200f على" in tweet


@pytest.mark.parametrize(
    ("text", "href", "shown"),
    [
        ("https://x.org/a\u200f", "https://x.org/a%E2%80%8F", "https://x.org/a\u200f"),
        ("https://x.org/a", "https://x.org/a\u200b", "https://x.org/a"),
        ("x.org/a", "https://x.org/a/", "https://x.org/a/"),
        ("www.X.org", "http://x.org", "http://x.org"),
        ("the brief", "https://x.org/brief%E2%80%8E", "the brief https://x.org/brief"),
        ("write to us", "mailto:policy@wikimedia.org", "write to us policy@wikimedia.org"),
        ("می‌خواهیم", "https://fa.wikipedia.org/wiki/می‌خواهیم",  # a joiner inside a word stays
         "می‌خواهیم https://fa.wikipedia.org/wiki/می‌خواهیم"),
    ],
)
def test_tweet_links_give_each_url_once_and_clean(text: str, href: str, shown: str) -> None:
    assert tweet_link(text, href) == shown


def test_abbreviations_and_numbers_do_not_end_sentences() -> None:
    found = split.sentences("Doe v. Online Platforms Inc. is pending. Law No. 175 of 2018 applies. No. We disagree.")
    assert [s.text for s in found] == [
        "Doe v. Online Platforms Inc. is pending.", "Law No. 175 of 2018 applies.", "No.", "We disagree."
    ]
    assert [s.text for s in split.sentences("The U.S. Supreme Court, e.g. in 2023, ruled.")] == [
        "The U.S. Supreme Court, e.g. in 2023, ruled."
    ]
    assert [s.text for s in split.sentences("It depends on Section 230. Volunteers decide.\n2. Next item.")] == [
        "It depends on Section 230.", "Volunteers decide.", "2. Next item."
    ]
