"""herald.pipeline.render: the update's language reaches every channel; a language without a catalog is a warning."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from update_files import FIXTURES, write_file

from config.settings import Settings, load_settings
from herald.pipeline.render import load_and_render

ENGLISH = ("Read the full post", "Read on", "Originally published", "Links:", "Highlights:", "By ")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "herald.toml"
    config.write_text(f'content_root = "{FIXTURES}"\n[diff]\nbase_url = "https://diff.example.org"\n',
                      encoding="utf-8")
    return load_settings(config)


def link_last(settings: Settings) -> Settings:
    """The same settings with `[twitter] link = "last"`: the thread closes with a translated line and the link."""
    return settings.model_copy(update={"twitter": settings.twitter.model_copy(update={"link": "last"})})


def every_text(files: dict[str, bytes]) -> str:
    """Every file's text, the email's parts decoded."""
    texts = [data.decode() for name, data in files.items() if name != "email.eml"]
    message = email.message_from_bytes(files["email.eml"], policy=email.policy.default)
    texts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    return "\n".join(texts)


def test_a_spanish_update_gets_spanish_boilerplate_on_every_channel(settings: Settings) -> None:
    rendered = load_and_render(FIXTURES / "updates" / "spanish.md", settings)
    assert set(rendered.drafts) == {"diff", "medium", "twitter", "email"}
    assert rendered.warnings == []
    files = {name: data for draft in rendered.drafts.values() for name, data in draft.files().items()}
    text = every_text(files)
    for english in ENGLISH:
        assert english not in text, english
    assert "Publicado originalmente en" in files["medium.html"].decode()
    assert "\n\nhttps://diff.example.org/" in rendered.drafts["twitter"].tweets[0]  # tweet 1 links the post
    last = load_and_render(FIXTURES / "updates" / "spanish.md", link_last(settings))
    assert "Lee el artículo completo: https://diff.example.org/" in last.drafts["twitter"].tweets[-1]
    assert "Leer en Diff" in text and "Por Equipo de Incidencia Global y Wikimedia Chile" in text
    assert rendered.drafts["diff"].lang == "es"


def test_an_arabic_update_is_right_to_left_in_every_html_output(settings: Settings) -> None:
    rendered = load_and_render(FIXTURES / "updates" / "arabic_update.md", settings)
    assert 'dir="rtl"' in rendered.drafts["medium"].content
    html = every_text({name: data for draft in rendered.drafts.values() for name, data in draft.files().items()})
    assert '<html lang="ar" dir="rtl">' in html
    last = load_and_render(FIXTURES / "updates" / "arabic_update.md", link_last(settings))
    assert "اقرأ المقال كاملًا: https://diff.example.org/" in last.drafts["twitter"].tweets[-1]


def test_a_language_without_a_catalog_is_english_with_a_warning(tmp_path: Path, settings: Settings) -> None:
    path = write_file(tmp_path, "title: Habari\ndate: 2026-03-02\nlang: sw", "Maneno machache.[^1]\n\n[^1]: Noti.\n")
    rendered = load_and_render(path, settings)
    assert rendered.warnings[0] == "lang: no message catalog for lang 'sw': the fixed text readers see is in English"
    assert "Originally published on" in rendered.drafts["medium"].content
    assert '<h3 lang="sw">Notes</h3>' in rendered.drafts["medium"].content


def test_a_regional_variant_uses_its_language_without_a_warning(tmp_path: Path, settings: Settings) -> None:
    path = write_file(tmp_path, "title: Notícia\ndate: 2026-03-02\nlang: pt-BR", "Uma frase.\n")
    rendered = load_and_render(path, settings)
    assert rendered.warnings == []
    assert "Publicado originalmente em" in rendered.drafts["medium"].content
