"""Social copy a professional would post: X, Mastodon and Bluesky threads of realistic updates keep their substance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import regex

from channels.registry import CHANNELS, load_update
from channels.threads import split
from channels.threads.story import block_text, thread_blocks
from content.model import Update
from herald.core.draft import Draft, RenderContext

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
SOCIAL = FIXTURES / "social"
DIFF_URL = "https://diff.wikimedia.org/2026/11/20/herald-social-copy/"
CONTEXT = RenderContext(diff_url=DIFF_URL)
THREADS = ("twitter", "mastodon", "bluesky")
UPDATES = [
    *sorted(SOCIAL.glob("*.md")), FIXTURES / "updates" / "explainer.md",
    *sorted((REPO / "content" / "updates").glob("*.md")),
]
NUMBERING = re.compile(r" \d+/\d+$")
ENDS_WHOLE = regex.compile(r"(?:[.!?…。！？؟»”\"’)」』]|https?://\S+|\S+/…|[#＃][\p{L}\p{N}_]+)$")
ITEM = regex.compile(r"^(?:•|\d+\.|-|—) ")  # a list item, or a quotation's source
# What each update announces, and the items that announcement promises.
ANNOUNCED = {
    "consultation.md": ("We asked the Commission to:", ["1. Exempt non-profit", "2. Define", "3. Consult volunteer"]),
    "statement.md": ("Our three recommendations", ["First, publish", "Second, give platforms", "Third, protect"]),
    "french.md": ("Nous demandons aux parlementaires :", ["d'exclure", "de garantir", "de consulter"]),
    "arabic.md": ("نطالب البرلمان بما يلي:", ["استثناء", "أن يكون كل طلب", "التشاور"]),
    "chinese.md": ("我们建议：", ["1. 将非营利", "2. 每一项", "3. 在制定"]),
    "2026-10-22-global-digital-compact.md": ("We sent member states three requests.",
                                             ["First, recognise", "Second, protect", "Third, keep"]),
    "2026-10-08-eu-copyright-consultation.md": ("We asked the Commission to:", ["1. Keep", "2. Make", "3. Require"]),
}


def load(path: Path) -> Update:
    """An update with its images checked against its content root."""
    return load_update(path, REPO / "content" if path.is_relative_to(REPO / "content") else FIXTURES)


def render(update: Update, name: str, **settings: object) -> Draft:
    """One channel's draft of the update, with the channel's default settings unless told."""
    spec = CHANNELS[name]
    return spec.render(update, CONTEXT, spec.settings(enabled=True, **settings), update.block(name, spec.options))


def posts(draft: Draft) -> list[str]:
    """The posts as read, without their numbering."""
    texts = getattr(draft, "tweets", None) or getattr(draft, "statuses", None) or [p.text for p in draft.posts]
    return [NUMBERING.sub("", text) for text in texts] if len(texts) > 1 else list(texts)


def links_of(draft: Draft, number: int) -> list[str]:
    """The URLs a post links (Bluesky's as facets, the others' as written)."""
    if draft.channel == "bluesky":
        return [facet.uri for facet in draft.posts[number].facets]
    return [found["url"] for found in split.extract_urls_with_indices(posts(draft)[number])]


def flat(text: str) -> str:
    """Text with its white space as single spaces."""
    return " ".join(text.split())


CASES = [(path, name) for path in UPDATES for name in THREADS]
IDS = [f"{path.name}-{name}" for path, name in CASES]


@pytest.fixture(scope="module")
def drafts() -> dict[tuple[str, str], tuple[Update, Draft]]:
    """Every channel's draft of every update, rendered once."""
    out = {}
    for path, name in CASES:
        update = load(path)
        out[path.name, name] = (update, render(update, name))
    return out


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_announced_items_are_all_carried_or_the_list_is_left_out_unannounced(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    if path.name not in ANNOUNCED:
        return
    announcement, items = ANNOUNCED[path.name]
    text = "\n".join(posts(draft))
    if announcement in text:
        missing = [item for item in items if item not in text]
        assert not missing, f"announced {announcement!r} without {missing}"
        together = next(post for post in posts(draft) if announcement in post)
        assert items[0] in together  # a lead-in never ends a post without its first item
    else:
        assert not any(item in text for item in items[1:]), "items without what announces them"
        assert any(entry.startswith("list: ") and announcement.split()[0] in entry for entry in draft.left_out)


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_every_quotation_is_whole_in_one_post_with_its_attribution(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    for post in posts(draft):
        assert split.open_quotes(post, []) == [], f"a quotation opened and not closed: {post!r}"
    text = flat("\n".join(posts(draft)))
    if path.name == "statement.md":
        quoted = "Wikipedia is built by volunteers who check every fact"
        if quoted in text:
            post = next(p for p in posts(draft) if quoted in flat(p))
            assert "said Jane Doe, Executive Vice-President of the Wikimedia Foundation" in flat(post)
            assert "“We welcome the report, and we ask the Ministry to go further.”" in flat(post)
        else:
            assert any(entry.startswith("quote: “Wikipedia is built") for entry in draft.left_out)
            assert "We welcome the report" not in text  # no half of it elsewhere
    if path.name == "consultation.md" and "We want the Digital Fairness Act to succeed" in text:
        post = next(p for p in posts(draft) if "We want the Digital Fairness Act" in p)
        assert "— Jan Kowalski, Senior Policy Specialist" in post


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_no_post_ends_mid_sentence(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    for post in posts(draft):
        last = post.rstrip().rsplit("\n", 1)[-1]
        assert ENDS_WHOLE.search(last) or ITEM.match(last), f"ends mid-sentence: {post!r}"


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_a_sentence_that_carries_a_number_is_whole(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    thread = [flat(post) for post in posts(draft)]
    for block in thread_blocks(update):
        if block.kind in ("image", "code", "table"):
            continue
        for sentence in split.sentences(split.clean(block_text(block))):
            text = flat(sentence.text)
            if not regex.search(r"\p{Nd}", text) or split.has_url(text):
                continue
            opening = text[:24]
            if any(opening in post for post in thread):
                assert any(text in post for post in thread), f"a sentence with a figure lost its end: {text!r}"


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_a_condensed_thread_ends_on_the_diff_link(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    condensed = getattr(draft, "condensed", None) or any(w.startswith("thread condensed") for w in draft.warnings)
    if condensed:
        assert DIFF_URL in links_of(draft, len(posts(draft)) - 1)
    assert DIFF_URL in links_of(draft, 0)  # post 1 links it too (the link card, the preview)


@pytest.mark.parametrize(("path", "name"), CASES, ids=IDS)
def test_an_image_is_never_text(path: Path, name: str, drafts) -> None:
    update, draft = drafts[path.name, name]
    alts = [image.alt for image in update.images]
    for alt in alts:
        for post in posts(draft):
            assert alt[:30] not in post, f"alt text posted as text: {post!r}"
        assert any(entry.startswith("image: ") and alt.startswith(entry[7:].rstrip("…")) for entry in draft.left_out)


@pytest.mark.parametrize("name", THREADS)
def test_the_event_is_at_most_two_posts_with_its_date_and_registration_link_up_front(name: str, drafts) -> None:
    update, draft = drafts["event.md", name]
    assert len(posts(draft)) <= 2
    links = [url for number in range(len(posts(draft))) for url in links_of(draft, number)]
    assert "https://wikimedia.brussels/events/ai-commons-debate" in links
    assert "19 November 2026, from 18:00 to 20:00 CET, at Wikimedia Europe, Rue Belliard 205, Brussels" in flat(
        "\n".join(posts(draft)))


@pytest.mark.parametrize("name", THREADS)
def test_the_shipped_announcement_fixture_carries_its_registration_link_in_two_posts(name: str) -> None:
    draft = render(load(FIXTURES / "updates" / "announcement.md"), name)
    assert len(posts(draft)) <= 2
    assert "https://wikimediafoundation.org/events/gdc-briefing-2026/" in [
        url for number in range(len(posts(draft))) for url in links_of(draft, number)]
    assert "Thursday, 3 December 2026, at 15:00 UTC" in "\n".join(posts(draft))


@pytest.mark.parametrize("path", [SOCIAL / "consultation.md", SOCIAL / "event.md"], ids=lambda path: path.name)
def test_hashtags_go_to_the_social_threads_only_within_their_limits(path: Path, drafts) -> None:
    update = load(path)
    tags = [f"#{tag}" for tag in update.hashtags]
    for name in THREADS:
        draft = drafts[path.name, name][1]
        assert all(tag in posts(draft)[-1] for tag in tags), name
        lengths = getattr(draft, "weights", None) or getattr(draft, "lengths", None)
        limit = 280 if name == "twitter" else draft.limit if name == "mastodon" else 300
        assert max(lengths or [p.graphemes for p in draft.posts]) <= limit
    for name in ("diff", "medium", "email"):
        for data in render(update, name).files().values():
            assert not any(tag.encode() in data for tag in tags), name


@pytest.mark.parametrize("name", THREADS)
@pytest.mark.parametrize("max_posts", [3, 10])
def test_the_passages_marked_social_are_in_every_thread(name: str, max_posts: int) -> None:
    update = load(SOCIAL / "statement.md")
    assert update.social == ("Publish every order, with its legal basis",)
    field = "max_tweets" if name == "twitter" else "max_posts"
    draft = render(update, name, **{field: max_posts})
    text = "\n".join(posts(draft))
    assert "First, publish every order, with its legal basis." in text
    assert "Second, give platforms" in text and "Third, protect public-interest projects." in text


def test_a_social_passage_not_in_the_body_is_refused_naming_it(tmp_path: Path) -> None:
    from herald.core.draft import RenderError

    path = tmp_path / "update.md"
    path.write_text("---\ntitle: T\ndate: 2026-11-01\nsocial: [Not in the body]\n---\nThe body says this.\n")
    with pytest.raises(RenderError) as refused:
        render(load_update(path), "twitter")
    assert refused.value.field == "social.0" and "Not in the body" in refused.value.message


@pytest.mark.parametrize("name", THREADS)
def test_what_a_thread_leaves_out_is_shown_to_the_reviewer(name: str, drafts) -> None:
    update, draft = drafts["explainer.md", name]
    assert draft.left_out and any(entry.startswith("image: A chart comparing") for entry in draft.left_out)
    assert "Left out of the thread:" in draft.markdown()
    assert "left out:" in draft.facts() and "left out" in draft.summary()
    pane = CHANNELS[name].pane(draft)
    assert "Left out of the thread:" in pane and "A chart comparing" in pane


def test_the_explainer_is_condensed_into_whole_units_within_ten_tweets(drafts) -> None:
    update, draft = drafts["explainer.md", "twitter"]
    assert draft.condensed and len(draft.tweets) <= 10
    assert any(entry.startswith("section: ") for entry in draft.left_out)


@pytest.mark.parametrize("name", THREADS)
def test_a_diff_link_the_service_does_not_take_as_a_link_still_gives_a_valid_thread(name: str) -> None:
    """A test site on 127.0.0.1 has no top-level domain: X counts its address by its characters, not as 23."""
    from config.settings import load_settings
    from herald.pipeline.render import context_for, render_channel

    settings = load_settings()
    update = load(Path("content/updates/2026-10-08-eu-copyright-consultation.md").resolve())
    url = "http://127.0.0.1:45678/2026/10/08/what-we-told-the-european-commission-about-copyright-and-ai-training/"
    draft = render_channel(name, update, context_for(update, settings, url), settings)
    assert any(url.encode() in data for data in draft.files().values())  # posted, or carried as a link facet
