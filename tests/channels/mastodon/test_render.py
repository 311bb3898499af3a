"""The Mastodon thread: X's story of the body, within the instance's limits beside the content warning."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import regex

from channels.mastodon import length
from channels.mastodon.draft import MastodonDraft
from channels.mastodon.options import MastodonOptions
from channels.mastodon.render import MAX_ALT_TEXT, MIN_ROOM, language, render
from channels.mastodon.settings import MastodonSettings
from channels.registry import load_update, update_model
from channels.threads import split
from channels.threads.story import block_text, thread_blocks
from content.model import Update
from herald.core.draft import RenderContext, RenderError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DIFF_URL = "https://diff.wikimedia.org/2026/10/08/herald-test-update/"
CONTEXT = RenderContext(diff_url=DIFF_URL)
SETTINGS = MastodonSettings()
OPTIONS = MastodonOptions()
NUMBERING = re.compile(r" (\d+)/(\d+)$")
WORLD = [
    FIXTURES / "twitter" / "cyrillic.md",  # Russian
    FIXTURES / "threads" / "ukrainian.md",
    FIXTURES / "twitter" / "cjk.md",  # Japanese, with Chinese and Korean
    FIXTURES / "threads" / "chinese.md",
    FIXTURES / "twitter" / "arabic.md",
    FIXTURES / "twitter" / "rtl_link.md",
    FIXTURES / "updates" / "arabic_update.md",
    FIXTURES / "twitter" / "emoji.md",
    FIXTURES / "threads" / "emoji_links.md",
    FIXTURES / "updates" / "consultation.md",
    FIXTURES / "updates" / "explainer.md",
    FIXTURES / "updates" / "full.md",
    FIXTURES / "twitter" / "announcement.md",
    FIXTURES / "twitter" / "faq.md",
]

_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(?<![=/\w])@(\w+)(?:@\w+(?:[.-]+\w+)*)?")


def recount(text: str, spoiler: str = "", url_weight: int = 23) -> int:
    """Mastodon's count, done independently: a URL with its protocol is `url_weight` characters (sentence
    punctuation after it is not part of it), a mention is @user, everything else code points (the stricter of
    Mastodon's two rules: its validator counts grapheme clusters, its API documentation characters)."""

    def url(match: re.Match[str]) -> str:
        found = match.group()
        kept = found.rstrip(".,;:!?'\"»”’")
        return "x" * url_weight + found[len(kept) :]

    counted = _MENTION.sub(lambda m: f"@{m[1]}", _URL.sub(url, text))
    assert len(regex.findall(r"\X", spoiler + counted)) <= len(spoiler + counted)
    return len(spoiler + counted)


def make(body: str, title: str = "A policy update", summary: str = "", **fields: object) -> Update:
    """An update built directly from a Markdown body."""
    return update_model()(
        source=Path("update.md"), title=title, date=dt.date(2026, 10, 1), slug="update", summary=summary, body=body,
        **fields,
    )  # fmt: skip


def load(path: Path) -> Update:
    """A fixture update, its images under the fixtures folder."""
    return load_update(path, FIXTURES)


def unnumbered(draft: MastodonDraft) -> list[str]:
    """The statuses with their " k/n" checked and removed."""
    if len(draft.statuses) == 1:
        assert not NUMBERING.search(draft.statuses[0])
        return list(draft.statuses)
    out = []
    for number, status in enumerate(draft.statuses, 1):
        match = NUMBERING.search(status)
        assert match and (int(match[1]), int(match[2])) == (number, len(draft.statuses)), status
        out.append(status[: match.start()])
    return out


def assert_fits(draft: MastodonDraft, settings: MastodonSettings = SETTINGS) -> None:
    """Every status is within max_characters by Mastodon's rule, the warning included, and says its length."""
    assert draft.statuses and len(draft.lengths) == len(draft.statuses)
    assert draft.limit == settings.max_characters
    for status, counted in zip(draft.statuses, draft.lengths, strict=True):
        assert recount(status, draft.spoiler_text, settings.url_weight) == counted <= settings.max_characters


def starts_mid_sentence(previous: str, status: str, budget: int) -> bool:
    """Whether a status continues a sentence of the one before, when that sentence would have fitted a status."""
    if not status[:1].islower() or re.search(r"[.!?…:。！？][\"'”’»)]*$", previous):
        return False
    tail = split.sentences(previous.rsplit("\n", 1)[-1])[-1].text
    head = split.sentences(status)[0].text
    return recount(f"{tail} {head}") <= budget

@pytest.fixture
def full_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """No short-update rule: the test is about how the full body is split, whatever its length."""
    from channels.threads import engine

    monkeypatch.setattr(engine, "SHORT_BODY", 0)



@pytest.mark.parametrize("path", WORLD, ids=lambda path: f"{path.parent.name}/{path.name}")
@pytest.mark.parametrize("max_posts", [2, 4, 10])
@pytest.mark.parametrize("warning", [None, "Politics: copyright 🏳️‍🌈 и законы"])
def test_every_thread_fits_the_instance_and_reads_like_the_x_thread(
    path: Path, max_posts: int, warning: str | None
) -> None:
    update = load(path)
    settings = MastodonSettings(max_posts=max_posts)
    draft = render(update, CONTEXT, settings, MastodonOptions(content_warning=warning))
    assert_fits(draft, settings)
    assert len(draft.statuses) <= max_posts
    assert draft.spoiler_text == (warning or "")
    pieces = unnumbered(draft)
    # Status 1: the title (and summary), then the Diff link; the link is given once, and again closing a
    # condensed thread.
    assert pieces[0].startswith(update.title)
    assert pieces[0].endswith(f"\n\n{DIFF_URL}")
    condensed = any(w.startswith("thread condensed") for w in draft.warnings) and len(pieces) > 1
    assert "\n".join(pieces).count(DIFF_URL) == 1 + condensed
    assert not condensed or DIFF_URL in pieces[-1]
    # Mastodon links each URL whole and no further: a URL's path takes any character but white space.
    for status in draft.statuses:
        assert all(status[start:end].isascii() for start, end in length.urls(status)), status
    budget = settings.max_characters - recount("", draft.spoiler_text) - split.numbering_reserve(max_posts)
    for number in range(2, len(pieces) + 1):
        assert not starts_mid_sentence(pieces[number - 2], pieces[number - 1], budget), pieces[number - 1]
    assert all(w.startswith(("thread condensed", "the thread mentions @")) for w in draft.warnings), draft.warnings


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("path", WORLD[:8], ids=lambda path: path.name)
def test_a_thread_within_max_posts_carries_every_word_in_order(path: Path) -> None:
    update = load(path)
    draft = render(update, CONTEXT, MastodonSettings(max_posts=50), OPTIONS)
    assert not any(warning.startswith("thread condensed") for warning in draft.warnings)
    pieces = unnumbered(draft)
    text = " ".join([pieces[0].removesuffix(DIFF_URL), *pieces[1:]])
    hook = f"{update.title} — {update.summary}" if update.summary else update.title
    assert text.startswith(hook)
    words = " ".join(block_text(block) for block in thread_blocks(update)).split()
    assert "".join(text[len(hook) :].split()) == "".join(words)


def test_statuses_are_longer_than_tweets_so_the_thread_is_shorter() -> None:
    from channels.twitter.render import Twitter
    from channels.twitter.settings import TwitterSettings

    update = load(FIXTURES / "threads" / "ukrainian.md")
    draft = render(update, CONTEXT, MastodonSettings(max_posts=50), OPTIONS)
    tweets = Twitter(TwitterSettings(max_tweets=50)).render(update, RenderContext(diff_url=DIFF_URL)).tweets
    assert 1 < len(draft.statuses) < len(tweets)
    assert max(draft.lengths) > 280  # X's limit is not Mastodon's


def test_a_content_warning_takes_its_length_from_every_status() -> None:
    update = make("Volunteers write Wikipedia in many languages. " * 40)
    plain = render(update, CONTEXT, MastodonSettings(max_posts=50), OPTIONS)
    warning = "Content note: this thread discusses online harassment of volunteer editors 💬" * 2
    warned = render(update, CONTEXT, MastodonSettings(max_posts=50), MastodonOptions(content_warning=warning))
    assert_fits(warned)
    assert len(warned.statuses) > len(plain.statuses)
    assert max(warned.lengths) > 500 - recount(warning) - 40  # the statuses are filled up to what is left
    assert json.loads(warned.files()["mastodon.json"])["spoiler_text"] == warning


def test_a_content_warning_that_leaves_no_room_is_refused_naming_the_file_and_field() -> None:
    warning = "W" * (500 - MIN_ROOM + 1)
    with pytest.raises(RenderError) as raised:
        render(make("Short body."), CONTEXT, SETTINGS, MastodonOptions(content_warning=warning))
    assert str(raised.value).startswith("update.md: mastodon.content_warning: is 361 characters")
    render(make("Short body."), CONTEXT, SETTINGS, MastodonOptions(content_warning=warning[:-1]))


def test_the_instances_limits_from_settings_are_followed() -> None:
    update = load(FIXTURES / "updates" / "consultation.md")
    settings = MastodonSettings(max_characters=1000, url_weight=30, max_posts=50)
    wide = render(update, CONTEXT, settings, OPTIONS)
    assert_fits(wide, settings)
    assert len(wide.statuses) < len(render(update, CONTEXT, MastodonSettings(max_posts=50), OPTIONS).statuses)
    assert max(wide.lengths) > 500


def test_a_long_thread_is_condensed_within_max_posts_and_says_so_in_mastodons_words() -> None:
    update = load(FIXTURES / "updates" / "full.md")
    draft = render(update, CONTEXT, MastodonSettings(max_posts=3), OPTIONS)
    assert_fits(draft)
    assert len(draft.statuses) == 3
    assert len(draft.warnings) == 1
    assert re.fullmatch(r"thread condensed: the full body needs \d+ statuses, max_posts is 3", draft.warnings[0])


def test_an_update_that_fits_one_status_is_one_status_without_numbering() -> None:
    update = make("We wrote to the Commission. Read our letter.", summary="Our letter on the AI Act.")
    draft = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert draft.statuses == (f"A policy update — Our letter on the AI Act.\n\nWe wrote to the Commission. Read our "
                              f"letter.\n\n{DIFF_URL}",)  # fmt: skip
    assert draft.lengths == (recount(draft.statuses[0]),)


def test_visibility_comes_from_the_options_and_language_from_the_update() -> None:
    update = load(FIXTURES / "threads" / "chinese.md")
    draft = render(update, CONTEXT, SETTINGS, MastodonOptions(visibility="unlisted"))
    assert (draft.visibility, draft.language) == ("unlisted", "zh-CN")
    assert json.loads(draft.files()["mastodon.json"])["visibility"] == "unlisted"
    assert render(load(FIXTURES / "twitter" / "emoji.md"), CONTEXT, SETTINGS, OPTIONS).language == "en"  # en-GB


@pytest.mark.parametrize(
    ("tag", "mastodon"), [("en", "en"), ("en-GB", "en"), ("pt-BR", "pt"), ("zh-tw", "zh-TW"), ("ar", "ar")]
)
def test_languages_are_given_as_mastodon_knows_them(tag: str, mastodon: str) -> None:
    assert language(tag) == mastodon


def test_status_1_carries_the_featured_image_with_its_alt_text() -> None:
    update = load(FIXTURES / "updates" / "consultation.md")
    draft = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert draft.image == update.image.as_posix() and draft.image_alt == update.image_alt
    assert draft.image_file == update.image_path and draft.image_file.is_file()
    files = json.loads(draft.files()["mastodon.json"])
    assert (files["image"], files["image_alt"]) == (draft.image, draft.image_alt)
    bare = render(make("No picture here."), CONTEXT, SETTINGS, OPTIONS)
    assert (bare.image, bare.image_alt, bare.image_file) == (None, None, None)


def test_an_alt_text_longer_than_mastodon_takes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    update = make("Body.", image=Path("cover.png"), image_alt="A" * (MAX_ALT_TEXT + 1)).model_copy(
        update={"source": tmp_path / "update.md"}
    )
    with pytest.raises(RenderError, match=r"update\.md: image_alt: is 1501 characters; Mastodon takes 1500"):
        render(update, CONTEXT, SETTINGS, OPTIONS)


def test_the_x_hand_written_thread_is_not_mastodons() -> None:
    update = make("Volunteers write Wikipedia. " * 5, twitter={"thread": ["A tweet of its own."]})
    draft = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert "A tweet of its own." not in "".join(draft.statuses)


@pytest.mark.parametrize("path", WORLD[:5], ids=lambda path: path.name)
def test_render_is_pure(path: Path) -> None:
    update = load(path)
    first = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert render(update, CONTEXT, SETTINGS, OPTIONS) == first
    assert json.loads(first.files()["mastodon.json"])["statuses"] == list(first.statuses)


def test_a_link_run_on_into_chinese_or_a_bidi_mark_is_set_apart_so_mastodon_links_only_the_url() -> None:
    chinese = render(load(FIXTURES / "threads" / "chinese.md"), CONTEXT, SETTINGS, OPTIONS)
    assert "元维基 https://meta.wikimedia.org/wiki/Public_policy/Data_flows/zh ，其中" in chinese.statuses[0]
    arabic = render(load(FIXTURES / "twitter" / "rtl_link.md"), CONTEXT, SETTINGS, OPTIONS)
    assert "https://meta.wikimedia.org/wiki/Advocacy-ar \u200f باللغة" in "".join(arabic.statuses)
    english = "See https://x.org/a. Then (https://x.org/b_(c)), https://x.org/d?e=1&f=2; done"
    assert length.detached(english) == english


def test_mentions_without_a_server_are_flagged_as_the_instances_own_accounts() -> None:
    update = make("Thanks @WikimediaKZ, @alice@social.example and press@wikimedia.org. See @Wikimedia, @WikimediaKZ.")
    draft = render(update, CONTEXT, MastodonSettings(api_base="https://wikis.world"), OPTIONS)
    assert draft.warnings == (
        "the thread mentions @WikimediaKZ, @Wikimedia: Mastodon notifies the account of that name on wikis.world, "
        "if there is one (write @user@server for an account elsewhere)",
    )
    assert render(make("Write to press@wikimedia.org."), CONTEXT, SETTINGS, OPTIONS).warnings == ()


def test_a_hand_written_thread_is_posted_verbatim_and_counted() -> None:
    thread = (f"Our letter to the Commission 🇪🇺 {DIFF_URL}", "Thanks to everyone who helped 👩‍👩‍👧‍👦")
    draft = render(make("Body."), CONTEXT, SETTINGS, MastodonOptions(thread=thread, content_warning="EU"))
    assert draft.statuses == thread and draft.warnings == ()
    assert draft.lengths == tuple(recount(status, "EU") for status in thread)


def test_a_hand_written_thread_without_the_diff_link_warns() -> None:
    draft = render(make("Body."), CONTEXT, SETTINGS, MastodonOptions(thread=("Read our letter.",)))
    assert draft.warnings == (f"the hand-written thread does not link the Diff post ({DIFF_URL})",)


def test_a_hand_written_status_over_the_limit_is_refused_naming_it() -> None:
    fits = "Я" * 496  # 496 + "EU" + 2 = 500 with the warning below
    render(make("Body."), CONTEXT, SETTINGS, MastodonOptions(thread=("Hi", fits + "ok"), content_warning="EU"))
    with pytest.raises(RenderError) as raised:
        render(make("Body."), CONTEXT, SETTINGS, MastodonOptions(thread=("Hi", fits + "ok!"), content_warning="EU"))
    assert str(raised.value) == (
        "update.md: mastodon.thread.2: status 2 is 501/500 characters, as Mastodon counts, "
        "the content warning included"
    )
    with pytest.raises(RenderError, match=r"mastodon\.thread\.3: the hand-written thread has 3 statuses"):
        render(make("Body."), CONTEXT, MastodonSettings(max_posts=2), MastodonOptions(thread=("a", "b", "c")))


def test_the_options_refuse_an_empty_thread_or_a_blank_status() -> None:
    with pytest.raises(ValueError, match="at least one status"):
        MastodonOptions(thread=())
    with pytest.raises(ValueError, match="status 2 is blank"):
        MastodonOptions(thread=("One.", "  "))
