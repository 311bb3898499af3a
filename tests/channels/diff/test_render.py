"""channels.diff.render: the WordPress post an update becomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from update_files import load, write

from channels.diff.render import MAX_EXCERPT_LENGTH, MAX_TITLE_LENGTH, Diff
from content.model import Update
from herald.core.draft import Channel, RenderContext, RenderError, draft_digest

CONTEXT = RenderContext(diff_url="https://diff.example.org/2026/10/01/dont-blink-september-2026/")


def payload(update: Update) -> dict:
    """The request body exactly as written to diff.json."""
    return json.loads(Diff().render(update, CONTEXT).files()["diff.json"])


def test_diff_is_a_channel() -> None:
    assert isinstance(Diff(), Channel)
    assert Diff.name == "diff"


def test_full_fixture_payload() -> None:
    update = load("full.md")
    body = payload(update)
    assert body["title"] == update.title
    assert body["excerpt"] == update.summary
    assert body["slug"] == "dont-blink-september-2026"
    assert body["tags"] == ["policy", "copyright", "eu", "online-safety", "intermediary-liability-protections"]
    assert body["categories"] == ["Advocacy", "Don't Blink"]
    assert body["featured_media"] == {
        "file": "../images/map.png",
        "alt_text": "A map of the countries where the team worked on policy this month",
    }


def test_content_is_the_sanitised_body() -> None:
    draft = Diff().render(load("full.md"), CONTEXT)
    files = draft.files()
    assert set(files) == {"diff.json", "diff.html"}
    assert files["diff.html"].decode() == draft.content
    assert json.loads(files["diff.json"])["content"] == draft.content
    assert "<table>" in draft.content and "<s>narrows</s>" in draft.content
    assert 'href="https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/"' in draft.content
    assert "<h1>" not in draft.content  # WordPress shows the title itself


def test_unsafe_body_is_sanitised() -> None:
    content = Diff().render(load("unsafe.md"), CONTEXT).content.lower()
    assert "<script" not in content and "onerror" not in content and "onclick" not in content
    assert "javascript:" not in content.replace("](javascript:", "") and 'href="data:' not in content
    assert "<iframe" not in content and "<style" not in content


def test_publish_at_makes_a_future_post_with_a_utc_date() -> None:
    body = payload(load("full.md"))
    assert body["status"] == "future"
    assert body["date_gmt"] == "2026-10-08T07:00:00"  # 09:00 at +02:00
    assert "date" not in body


def test_without_publish_at_there_is_no_date(tmp_path: Path) -> None:
    body = payload(write(tmp_path, "title: T\ndate: 2026-03-02"))
    assert body["status"] == "publish"
    assert "date_gmt" not in body and "featured_media" not in body
    assert body["excerpt"] == "" and body["tags"] == [] and body["categories"] == []


@pytest.mark.parametrize("status", ["draft", "pending", "private"])
def test_explicit_status_is_kept_even_when_scheduled(tmp_path: Path, status: str) -> None:
    front = f"title: T\ndate: 2026-03-02\npublish_at: 2026-10-08T09:00:00-05:00\ndiff:\n  status: {status}"
    update = write(tmp_path, front)
    body = payload(update)
    assert body["status"] == status
    assert body["date_gmt"] == "2026-10-08T14:00:00"


def test_non_latin_update_keeps_its_text_and_an_ascii_slug() -> None:
    update = load("cyrillic.md")
    draft = Diff().render(update, CONTEXT)
    assert draft.title == "Свобода знаний в Казахстане и Кыргызстане"
    assert draft.slug == "svoboda-znanii-v-kazakhstane-i-kyrgyzstane"
    assert draft.tags == ("политика", "свобода-слова")
    assert draft.lang == "ru"
    assert "Викимедиа Казахстан" in draft.files()["diff.json"].decode()  # JSON keeps the text readable


def test_cjk_title_slug_is_usable() -> None:
    draft = Diff().render(load("cjk.md"), CONTEXT)
    assert draft.slug.isascii() and draft.slug
    assert draft.title == "日本の著作権法改正と生成AI"


def test_rendering_is_pure() -> None:
    update = load("full.md")
    first, second = Diff().render(update, CONTEXT), Diff().render(update, CONTEXT)
    assert first.files() == second.files()
    assert draft_digest(first) == draft_digest(second)
    other = RenderContext(diff_url="https://elsewhere.example/")
    assert Diff().render(update, other).files() == first.files()  # the post does not depend on its own URL


def test_overlong_title_is_a_render_error(tmp_path: Path) -> None:
    update = write(tmp_path, f"title: {'Policy ' * 40}\ndate: 2026-03-02")
    assert len(update.title) > MAX_TITLE_LENGTH
    with pytest.raises(RenderError) as caught:
        Diff().render(update, CONTEXT)
    assert str(caught.value).startswith(f"{update.source}: title: ")
    assert str(MAX_TITLE_LENGTH) in str(caught.value)


def test_overlong_summary_is_a_render_error(tmp_path: Path) -> None:
    update = write(tmp_path, f"title: T\ndate: 2026-03-02\nsummary: {'word ' * 200}")
    with pytest.raises(RenderError, match=rf"^{update.source}: summary: .*{MAX_EXCERPT_LENGTH}"):
        Diff().render(update, CONTEXT)


@pytest.mark.parametrize(("front", "field"), [("tags: [{}]", "tags"), ("diff:\n  categories: [{}]", "diff.categories")])
def test_overlong_term_is_a_render_error_naming_its_field(tmp_path: Path, front: str, field: str) -> None:
    update = write(tmp_path, "title: T\ndate: 2026-03-02\n" + front.format("x" * 201))
    with pytest.raises(RenderError) as caught:
        Diff().render(update, CONTEXT)
    assert str(caught.value).startswith(f"{update.source}: {field}: 'xxxx")
    assert caught.value.field == field


# What a reader of the post sees


def test_paragraphs_are_sent_on_one_line_so_wordpress_adds_no_line_breaks() -> None:
    import re

    draft = Diff().render(load("consultation.md"), CONTEXT)
    assert not re.search(r"[^>\s]\n[^<\s]", draft.content)
    assert "and on 28 October it closed a public consultation on how the rules" in draft.content


@pytest.mark.parametrize(
    ("name", "byline"),
    [("consultation.md", "By Global Advocacy team and Anna Schmidt"),
     ("explainer.md", "By Global Advocacy team, Mariana Souza, and Arjun Mehta"),
     ("announcement.md", "By Global Advocacy team")],
)
def test_the_byline_names_the_authors(name: str, byline: str) -> None:
    draft = Diff().render(load(name), CONTEXT)
    assert draft.content.startswith(f'<p class="byline">{byline}</p>\n')


def test_no_authors_no_byline() -> None:
    assert "byline" not in Diff().render(load("full.md").model_copy(update={"authors": ()}), CONTEXT).content


def test_body_images_point_at_their_planned_then_uploaded_urls() -> None:
    from config.settings import Settings
    from herald.pipeline.render import render_update

    update = load("amicus.md")
    [image] = update.images
    planned = render_update(update, Settings(), ["diff"]).drafts["diff"]
    assert f'<img src="{image.media_name}" alt="{image.alt}">' in planned.content
    real = "https://diff.example.org/wp-content/uploads/2026/11/" + image.media_name
    sent = render_update(update, Settings(), ["diff"], image_urls={image.digest: real}).drafts["diff"]
    assert f'<img src="{real}" alt="{image.alt}">' in sent.content
    assert sent.content.replace(real, image.media_name) == planned.content  # the URL is the only change


def wrapper(content: str) -> str:
    """The content's opening tag."""
    return content.split(">", 1)[0] + ">"


@pytest.mark.parametrize(("name", "lang"), [("arabic_update.md", "ar"), ("arabic.md", "ar")])
def test_a_right_to_left_post_carries_dir_and_lang_in_its_content(name: str, lang: str) -> None:
    draft = Diff().render(load(name), CONTEXT)
    assert wrapper(draft.content) == f'<div lang="{lang}" dir="rtl">'
    assert draft.content.rstrip().endswith("</div>")
    assert draft.content.count("<div") == draft.content.count("</div>")
    assert json.loads(draft.files()["diff.json"])["content"] == draft.content  # in what is sent, not only shown


@pytest.mark.parametrize(("name", "opening"), [
    ("cyrillic.md", '<div lang="ru">'), ("cjk.md", '<div lang="ja">'), ("spanish.md", '<div lang="es">'),
])  # fmt: skip
def test_a_post_in_another_language_than_the_site_carries_lang(name: str, opening: str) -> None:
    assert wrapper(Diff().render(load(name), CONTEXT).content) == opening


def test_a_post_in_the_site_language_is_not_wrapped() -> None:
    assert not Diff().render(load("consultation.md"), CONTEXT).content.startswith("<div")


def test_the_site_language_is_a_setting(tmp_path: Path) -> None:
    from channels.diff.settings import DiffSettings

    arabic_site = Diff(DiffSettings(site_lang="ar"))
    assert not arabic_site.render(load("arabic_update.md"), CONTEXT).content.startswith("<div")
    assert wrapper(arabic_site.render(load("consultation.md"), CONTEXT).content) == '<div lang="en" dir="ltr">'
    french = write(tmp_path, "title: Réponse\ndate: 2026-10-08\nlang: fr", "Nous avons répondu à la Commission.\n")
    assert wrapper(Diff(DiffSettings(site_lang="fr")).render(french, CONTEXT).content) == "<p>"
