"""The Bluesky thread: X's story of the body in posts of at most 300 graphemes, links as facets, a card on post 1."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import regex

from channels.bluesky.draft import MAX_BYTES, MAX_GRAPHEMES, BlueskyDraft, LinkCard
from channels.bluesky.options import BlueskyOptions
from channels.bluesky.pane import post_html
from channels.bluesky.render import MAX_ALT_TEXT, render
from channels.bluesky.richtext import post as post_of
from channels.bluesky.settings import BlueskySettings
from channels.bluesky.transport import post_record
from channels.registry import load_update, update_model
from channels.threads import split
from channels.threads.story import block_text, thread_blocks
from content.model import Update
from herald.core.draft import RenderContext, RenderError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DIFF_URL = "https://diff.wikimedia.org/2026/10/08/herald-test-update/"
SHOWN_DIFF = "diff.wikimedia.org/2026/10/08/…"
CONTEXT = RenderContext(diff_url=DIFF_URL)
SETTINGS = BlueskySettings()
OPTIONS = BlueskyOptions()
NUMBERING = re.compile(r" (\d+)/(\d+)$")
WORLD = [
    FIXTURES / "twitter" / "cyrillic.md",  # Russian
    FIXTURES / "threads" / "ukrainian.md",
    FIXTURES / "twitter" / "cjk.md",  # Japanese, with Chinese and Korean
    FIXTURES / "threads" / "chinese.md",
    FIXTURES / "twitter" / "arabic.md",
    FIXTURES / "twitter" / "rtl_link.md",
    FIXTURES / "twitter" / "emoji.md",
    FIXTURES / "threads" / "emoji_links.md",
    FIXTURES / "updates" / "consultation.md",
    FIXTURES / "updates" / "explainer.md",
    FIXTURES / "updates" / "full.md",
    FIXTURES / "twitter" / "announcement.md",
    FIXTURES / "twitter" / "faq.md",
]


def make(body: str, title: str = "A policy update", summary: str = "", **fields: object) -> Update:
    """An update built directly from a Markdown body."""
    return update_model()(
        source=Path("update.md"), title=title, date=dt.date(2026, 10, 1), slug="update", summary=summary, body=body,
        **fields,
    )  # fmt: skip


def load(path: Path) -> Update:
    """A fixture update, its images under the fixtures folder."""
    return load_update(path, FIXTURES)


def linked(text: str, facets: tuple) -> str:
    """A post's text with each link facet's shown text replaced by the URI it carries (working on UTF-8 bytes)."""
    data = text.encode("utf-8")
    out, last = b"", 0
    for facet in (facet for facet in facets if facet.uri):
        out += data[last : facet.byte_start] + facet.uri.encode()
        last = facet.byte_end
    return (out + data[last:]).decode()


def assert_valid(draft: BlueskyDraft) -> None:
    """Every post is within 300 graphemes (recounted here), and each facet's bytes are exactly a link's or a
    hashtag's text."""
    assert draft.posts
    for post in draft.posts:
        assert len(regex.findall(r"\X", post.text)) == post.graphemes <= MAX_GRAPHEMES, post.text
        assert len(post.text.encode("utf-8")) <= MAX_BYTES, post.text
        data = post.text.encode("utf-8")
        last = 0
        for facet in post.facets:
            assert last <= facet.byte_start < facet.byte_end <= len(data)  # in order, never overlapping
            shown = data[facet.byte_start : facet.byte_end].decode("utf-8")  # a facet never cuts a character
            last = facet.byte_end
            if facet.tag:
                assert shown[0] in "#＃" and shown[1:] == facet.tag and not facet.uri, shown
                continue
            host = facet.uri.split("/")[2]
            assert shown.startswith(host) and not shown.startswith("http"), (shown, facet.uri)
            assert not shown[-1].isspace() and "\n" not in shown


def unnumbered(draft: BlueskyDraft) -> list[str]:
    """The posts (their links as full URIs) with their " k/n" checked and removed."""
    texts = [linked(post.text, post.facets) for post in draft.posts]
    if len(texts) == 1:
        assert not NUMBERING.search(texts[0])
        return texts
    out = []
    for number, text in enumerate(texts, 1):
        match = NUMBERING.search(text)
        assert match and (int(match[1]), int(match[2])) == (number, len(texts)), text
        out.append(text[: match.start()])
    return out

@pytest.fixture
def full_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """No short-update rule: the test is about how the full body is split, whatever its length."""
    from channels.threads import engine

    monkeypatch.setattr(engine, "SHORT_BODY", 0)



@pytest.mark.parametrize("path", WORLD, ids=lambda path: f"{path.parent.name}/{path.name}")
@pytest.mark.parametrize("max_posts", [2, 4, 10])
def test_every_thread_fits_bluesky_and_opens_with_the_link_and_its_card(path: Path, max_posts: int) -> None:
    update = load(path)
    draft = render(update, CONTEXT, BlueskySettings(max_posts=max_posts), OPTIONS)
    assert_valid(draft)
    assert len(draft.posts) <= max_posts
    first = draft.posts[0]
    assert first.text.startswith(update.title)
    # Post 1 shows the Diff link short, its facet carries the whole URL; the card is the Diff post's.
    shown = [first.text.encode()[f.byte_start : f.byte_end].decode() for f in first.facets if f.uri == DIFF_URL]
    assert shown == [SHOWN_DIFF]
    condensed = any(w.startswith("thread condensed") for w in draft.warnings) and len(draft.posts) > 1
    assert sum(f.uri == DIFF_URL for post in draft.posts for f in post.facets) == 1 + condensed  # again, closing
    assert not condensed or any(f.uri == DIFF_URL for f in draft.posts[-1].facets)
    assert draft.card == LinkCard(uri=DIFF_URL, title=update.title, description=update.summary)
    assert draft.language == update.lang
    pieces = unnumbered(draft)
    assert pieces[0].endswith(f"\n\n{DIFF_URL}")
    # Every link of the body that made it into the thread is a facet: no URL is left as plain text.
    for post in draft.posts:
        assert "http" not in re.sub(r"\s+", " ", post.text), post.text
    if draft.warnings:
        assert re.fullmatch(r"thread condensed.* \d+ posts.*", draft.warnings[0])


@pytest.mark.usefixtures("full_body")
@pytest.mark.parametrize("path", WORLD[:8], ids=lambda path: path.name)
def test_a_thread_within_max_posts_carries_every_word_and_link_in_order(path: Path) -> None:
    update = load(path)
    draft = render(update, CONTEXT, BlueskySettings(max_posts=50), OPTIONS)
    assert draft.warnings == ()
    pieces = unnumbered(draft)
    text = " ".join([pieces[0].removesuffix(DIFF_URL), *pieces[1:]])
    hook = f"{update.title} — {update.summary}" if update.summary else update.title
    assert text.startswith(hook)
    words = " ".join(block_text(block) for block in thread_blocks(update)).split()
    assert "".join(text[len(hook) :].split()) == "".join(words)


def test_posts_are_cut_between_sentences() -> None:
    sentences = [f"Sentence {n} is about volunteers who write Wikipedia in their own language." for n in range(30)]
    draft = render(make(" ".join(sentences)), CONTEXT, BlueskySettings(max_posts=50), OPTIONS)
    assert_valid(draft)
    for piece in unnumbered(draft)[1:]:
        assert all(found.text in sentences for found in split.sentences(piece)), piece
    assert max(post.graphemes for post in draft.posts) > 250  # posts are filled, not one sentence each


@pytest.mark.usefixtures("full_body")
def test_graphemes_not_code_points_are_counted() -> None:
    family = "👩‍👩‍👧‍👦"  # 7 code points, 1 grapheme
    body = " ".join([f"Family {family} number {n}." for n in range(40)])
    draft = render(make(body), CONTEXT, BlueskySettings(max_posts=50), OPTIONS)
    assert_valid(draft)
    assert max(len(post.text) for post in draft.posts) > MAX_GRAPHEMES  # more code points than Bluesky counts
    crowd = render(make(f"Families {family * 20}. " * 12), CONTEXT, BlueskySettings(max_posts=50), OPTIONS)
    assert_valid(crowd)  # 25 bytes each: the byte limit binds before the grapheme limit
    assert max(len(post.text.encode()) for post in crowd.posts) > 2000
    sentence = "文化庁は生成AIと著作権に関する新しいガイドラインを公表しました。"
    cjk = render(make(sentence * 20), CONTEXT, BlueskySettings(max_posts=50), OPTIONS)
    assert_valid(cjk)
    assert max(post.graphemes for post in cjk.posts) > 250  # one grapheme each, not X's double weight


def test_a_long_thread_is_condensed_within_max_posts() -> None:
    draft = render(load(FIXTURES / "updates" / "full.md"), CONTEXT, BlueskySettings(max_posts=3), OPTIONS)
    assert_valid(draft)
    assert len(draft.posts) == 3
    assert re.fullmatch(r"thread condensed: the full body needs \d+ posts, max_posts is 3", draft.warnings[0])


def test_an_update_that_fits_one_post_is_one_post_without_numbering() -> None:
    draft = render(make("We wrote to the Commission."), CONTEXT, SETTINGS, OPTIONS)
    assert [post.text for post in draft.posts] == [f"A policy update\n\nWe wrote to the Commission.\n\n{SHOWN_DIFF}"]


def test_post_1_carries_the_featured_image_with_its_alt_text() -> None:
    update = load(FIXTURES / "updates" / "explainer.md")
    draft = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert (draft.image, draft.image_alt) == (update.image.as_posix(), update.image_alt)
    assert draft.image_file == update.image_path and draft.image_file.is_file()
    files = json.loads(draft.files()["bluesky.json"])
    assert files["image_alt"] == update.image_alt and files["card"]["uri"] == DIFF_URL
    assert files["posts"][0]["facets"][0] == {
        "index": {"byteStart": draft.posts[0].facets[0].byte_start, "byteEnd": draft.posts[0].facets[0].byte_end},
        "uri": DIFF_URL,
    }


def test_an_alt_text_longer_than_bluesky_takes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    update = make("Body.", image=Path("cover.png"), image_alt="👩‍👩‍👧‍👦" * (MAX_ALT_TEXT + 1)).model_copy(
        update={"source": tmp_path / "update.md"}
    )
    with pytest.raises(RenderError, match=r"update\.md: image_alt: is 2001 graphemes; Bluesky takes 2000"):
        render(update, CONTEXT, SETTINGS, OPTIONS)
    fits = update.model_copy(update={"image_alt": "👩‍👩‍👧‍👦" * MAX_ALT_TEXT})
    assert render(fits, CONTEXT, SETTINGS, OPTIONS).image_alt == fits.image_alt


@pytest.mark.parametrize("path", WORLD[:5], ids=lambda path: path.name)
def test_render_is_pure(path: Path) -> None:
    update = load(path)
    first = render(update, CONTEXT, SETTINGS, OPTIONS)
    assert render(update, CONTEXT, SETTINGS, OPTIONS) == first
    assert [post["text"] for post in json.loads(first.files()["bluesky.json"])["posts"]] == [
        post.text for post in first.posts
    ]


def test_a_hand_written_thread_is_sent_verbatim_with_its_links_as_facets() -> None:
    thread = (f"Наш лист до Комісії 🇪🇺 {DIFF_URL}", "Дякуємо всім 👩‍👩‍👧‍👦")
    draft = render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=thread))
    assert [post.text for post in draft.posts] == [f"Наш лист до Комісії 🇪🇺 {SHOWN_DIFF}", thread[1]]
    assert [linked(post.text, post.facets) for post in draft.posts] == list(thread)
    assert_valid(draft)
    assert draft.warnings == () and draft.card is not None


def test_a_hand_written_post_over_300_graphemes_or_3000_bytes_is_refused_naming_it() -> None:
    fits = "Я" * 300
    render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=("Hi", fits)))
    with pytest.raises(RenderError) as raised:
        render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=("Hi", fits + "!")))
    assert str(raised.value) == "update.md: bluesky.thread.2: post 2 is 301/300 graphemes (each link counted as shown)"
    with pytest.raises(RenderError) as raised:
        render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=("👩‍👩‍👧‍👦" * 121,)))
    assert str(raised.value).startswith("update.md: bluesky.thread.1: post 1 is 3025/3000 bytes of UTF-8")
    draft = render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=("No link here.",)))
    assert draft.warnings == (f"the hand-written thread does not link the Diff post ({DIFF_URL})",)
    with pytest.raises(RenderError, match=r"bluesky\.thread\.3: the hand-written thread has 3 posts"):
        render(make("Body."), CONTEXT, BlueskySettings(max_posts=2), BlueskyOptions(thread=("a", "b", "c")))


@pytest.mark.parametrize("before", ["Свобода знаний", "文化庁のページ", "تابعوا صفحة المناصرة", "family 👩‍👩‍👧‍👦 🇺🇦 #️⃣"])
def test_a_hashtag_in_a_post_is_a_tag_facet_in_the_draft_and_its_record(before: str) -> None:
    body = f"{before} #KeepItOn. {before}: wikimedia.org/policy, not #2026."
    draft = render(make(body), CONTEXT, SETTINGS, OPTIONS)
    assert_valid(draft)
    [made] = draft.posts
    data = made.text.encode("utf-8")
    [tag] = [facet for facet in made.facets if facet.tag]
    assert data[tag.byte_start : tag.byte_end] == b"#KeepItOn" and tag.tag == "KeepItOn"
    assert data[: tag.byte_start].decode().endswith(f"{before} ")
    [domain] = [facet for facet in made.facets if facet.uri.endswith("://wikimedia.org/policy")]  # Markdown linkifies
    assert data[domain.byte_start : domain.byte_end] == b"wikimedia.org/policy"
    index = {"byteStart": tag.byte_start, "byteEnd": tag.byte_end}
    assert {"index": index, "tag": "KeepItOn"} in json.loads(draft.files()["bluesky.json"])["posts"][0]["facets"]
    record = post_record(made, draft.language, "2026-10-01T12:00:00.000Z", None, None)
    assert {"index": index, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "KeepItOn"}]} \
        in record["facets"]
    assert [facet["features"][0]["$type"].rsplit("#", 1)[1] for facet in record["facets"]] == ["tag", "link", "link"]


def test_a_hand_written_post_keeps_its_hashtags_as_tags() -> None:
    thread = (f"Наш лист 🇪🇺 #KeepItOn! {DIFF_URL}", "文化庁 ＃著作権 #2026 example.org")
    draft = render(make("Body."), CONTEXT, SETTINGS, BlueskyOptions(thread=thread))
    assert_valid(draft)
    assert [[(f.tag, f.uri) for f in post.facets] for post in draft.posts] == [
        [("KeepItOn", ""), ("", DIFF_URL)], [("著作権", ""), ("", "https://example.org")]]
    assert [linked(post.text, post.facets) for post in draft.posts] == [thread[0], thread[1].replace(
        "example.org", "https://example.org")]


def test_the_pane_shows_links_as_links_and_hashtags_as_tags() -> None:
    html = post_html(post_of("文化庁 #KeepItOn & <b> example.org #2026"))
    assert html == ('文化庁 <span class="link tag" title="#KeepItOn">#KeepItOn</span> &amp; &lt;b&gt; '
                    '<a class=link href="https://example.org" title="https://example.org">example.org</a> #2026')
