"""channels.medium.render: an import-ready article whose canonical link is the Diff post."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from update_files import load, write

from channels.medium.render import MAX_TAG_LENGTH, MAX_TAGS, Medium, pick_tags
from content.model import Update
from herald.core.draft import Channel, RenderContext, draft_digest

DIFF_URL = "https://diff.example.org/2026/10/01/dont-blink-september-2026/"
CONTEXT = RenderContext(diff_url=DIFF_URL)


def payload(update: Update, context: RenderContext = CONTEXT) -> dict:
    """The request body exactly as written to medium.json."""
    return json.loads(Medium().render(update, context).files()["medium.json"])


def test_medium_is_a_channel() -> None:
    assert isinstance(Medium(), Channel)
    assert Medium.name == "medium" and MAX_TAGS == 3 and MAX_TAG_LENGTH == 25


def test_content_starts_with_the_title() -> None:
    update = load("full.md")
    body = payload(update)
    assert body["title"] == update.title
    assert body["content"].startswith('<h1 lang="en">Don\'t Blink: Protecting the Wikimedia model')
    assert body["contentFormat"] == "html"


def test_canonical_url_is_the_diff_url() -> None:
    assert payload(load("full.md"))["canonicalUrl"] == DIFF_URL
    other = RenderContext(diff_url="https://diff.wikimedia.org/2026/10/08/dont-blink/", diff_url_known=True)
    assert payload(load("full.md"), other)["canonicalUrl"] == "https://diff.wikimedia.org/2026/10/08/dont-blink/"


def test_originally_published_line_links_the_diff_url() -> None:
    content = Medium().render(load("full.md"), CONTEXT).content
    last = content.strip().splitlines()[-1]
    assert "Originally published on" in last
    assert f'<a href="{DIFF_URL}">Diff</a>' in last


def test_site_name_and_url_are_escaped() -> None:
    context = RenderContext(diff_url='https://diff.example.org/?p=1&x="y"', site_name="Diff <news>")
    content = Medium().render(load("cyrillic.md"), context).content
    assert 'href="https://diff.example.org/?p=1&amp;x=&quot;y&quot;"' in content
    assert "Diff &lt;news&gt;" in content


def test_summary_and_body_follow_the_title() -> None:
    content = Medium().render(load("cyrillic.md"), CONTEXT).content
    title = content.index('<h1 lang="ru">Свобода знаний')
    summary = content.index('<h2 lang="ru">Что новые законы')  # the subtitle: the h2 right after the title
    body = content.index('<p lang="ru">Парламент Кыргызстана')
    assert title < summary < body


def test_medium_tags_block_wins_and_extra_tags_warn() -> None:
    draft = Medium().render(load("full.md"), CONTEXT)
    assert draft.tags == ("Public Policy", "Wikipedia", "Copyright")
    assert payload(load("full.md"))["tags"] == ["Public Policy", "Wikipedia", "Copyright"]
    assert draft.warnings[0] == "medium tag 'Open Knowledge' dropped: Medium keeps only 3 tags"
    assert not any("tag" in warning for warning in draft.warnings[1:])


def test_update_tags_are_used_without_a_medium_block(tmp_path: Path) -> None:
    update = write(tmp_path, "title: T\ndate: 2026-03-02\ntags: [policy, copyright, chile, education]")
    draft = Medium().render(update, CONTEXT)
    assert draft.tags == ("policy", "copyright", "chile")
    assert len(draft.warnings) == 1 and "'education'" in draft.warnings[0]


def test_empty_medium_tags_means_no_tags(tmp_path: Path) -> None:
    update = write(tmp_path, "title: T\ndate: 2026-03-02\ntags: [policy]\nmedium:\n  tags: []")
    draft = Medium().render(update, CONTEXT)
    assert draft.tags == () and draft.warnings == ()


def test_long_tags_are_dropped_with_a_warning() -> None:
    tags = ("intermediary-liability-protections", "policy", "x" * 25, "y" * 26, "eu", "copyright")
    kept, notes = pick_tags(tags)
    assert kept == ("policy", "x" * 25, "eu")
    assert all(len(tag) <= MAX_TAG_LENGTH for tag in kept)
    assert notes == [
        "medium tag 'intermediary-liability-protections' dropped: longer than 25 characters",
        f"medium tag '{'y' * 26}' dropped: longer than 25 characters",
        "medium tag 'copyright' dropped: Medium keeps only 3 tags",
    ]


def test_long_tag_in_the_update_warns_in_the_draft(tmp_path: Path) -> None:
    update = write(tmp_path, "title: T\ndate: 2026-03-02\ntags: [policy, intermediary-liability-protections, eu]")
    draft = Medium().render(update, CONTEXT)
    assert draft.tags == ("policy", "eu")
    assert draft.warnings == ("medium tag 'intermediary-liability-protections' dropped: longer than 25 characters",)


def test_publish_status_defaults_to_draft_and_is_always_sent(tmp_path: Path) -> None:
    body = payload(write(tmp_path, "title: T\ndate: 2026-03-02"))
    assert body["publishStatus"] == "draft"
    assert body["notifyFollowers"] is False
    assert payload(load("full.md"))["publishStatus"] == "unlisted"


def test_long_title_warns(tmp_path: Path) -> None:
    update = write(tmp_path, f"title: {'Policy ' * 20}\ndate: 2026-03-02")
    draft = Medium().render(update, CONTEXT)
    assert any("first 100 characters" in warning for warning in draft.warnings)


def test_unsafe_body_is_sanitised() -> None:
    content = Medium().render(load("unsafe.md"), CONTEXT).content.lower()
    assert "<script" not in content and "onerror" not in content and "<iframe" not in content
    assert 'href="javascript:' not in content and 'src="data:' not in content


def test_files_are_the_request_and_the_article() -> None:
    draft = Medium().render(load("emoji_urls.md"), CONTEXT)
    files = draft.files()
    assert set(files) == {"medium.json", "medium.html"}
    assert files["medium.html"].decode() == draft.content
    assert "👨‍👩‍👧‍👦" in files["medium.json"].decode()


@pytest.mark.parametrize("name", ["full.md", "cyrillic.md", "cjk.md", "arabic.md", "emoji_urls.md", "unsafe.md"])
def test_rendering_is_pure(name: str) -> None:
    update = load(name)
    first, second = Medium().render(update, CONTEXT), Medium().render(update, CONTEXT)
    assert first.files() == second.files()
    assert draft_digest(first) == draft_digest(second)
