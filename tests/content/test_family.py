"""Translations as sibling files: the family, the refusals of `check`, a translation's own slug."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.registry import load_update
from content.errors import UpdateError
from content.family import family_of, is_translation, revision_of, source_path, split_name, translation_path

SOURCE = "---\ntitle: What we told the Commission\ndate: 2026-10-08\nsummary: Our answer.\n---\nWe answered.\n"


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _translation(lang: str, title: str = "Ce que nous avons dit", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2026-10-08\nlang: {lang}\n{extra}---\nNous avons répondu.\n"


def test_file_names_tell_a_translation_from_a_source():
    assert split_name(Path("2026-10-08-eu-copyright.fr.md")) == ("2026-10-08-eu-copyright", "fr")
    assert split_name(Path("2026-10-08-eu-copyright.pt-BR.md")) == ("2026-10-08-eu-copyright", "pt-BR")
    assert split_name(Path("2026-10-08-eu-copyright.md")) == ("2026-10-08-eu-copyright", None)
    assert not is_translation(Path("notes.final.md")) and not is_translation(Path("v1.2.md"))
    assert source_path(Path("a/x.ar.md")) == Path("a/x.md")
    assert translation_path(Path("a/x.md"), "fr") == Path("a/x.fr.md")


def test_a_family_is_the_source_and_its_translations_in_language_order(tmp_path):
    source = _file(tmp_path, "x.md", SOURCE)
    _file(tmp_path, "x.fr.md", _translation("fr"))
    _file(tmp_path, "x.ar.md", _translation("ar", "ما قلناه"))
    _file(tmp_path, "xy.fr.md", _translation("fr"))  # another update's
    family = family_of(tmp_path / "x.fr.md")
    assert family.source == source
    assert [path.name for path in family.members()] == ["x.md", "x.ar.md", "x.fr.md"]


def test_a_translation_has_its_own_slug_from_its_own_title_ending_in_its_language(tmp_path):
    _file(tmp_path, "x.md", SOURCE)
    french = load_update(_file(tmp_path, "x.fr.md", _translation("fr")))
    arabic = load_update(_file(tmp_path, "x.ar.md", _translation("ar", "ما قلناه للمفوضية")))
    stub = load_update(_file(tmp_path, "x.es.md", _translation("es", "What we told the Commission")))
    assert french.slug == "ce-que-nous-avons-dit-fr"
    assert arabic.slug.endswith("-ar") and arabic.slug.isascii()
    assert stub.slug != load_update(tmp_path / "x.md").slug  # an untranslated stub never takes the source's slug


@pytest.mark.parametrize(("name", "text", "field", "words"), [
    ("y.fr.md", _translation("fr"), "file name", "y.md, which does not exist"),
    ("x.fr.md", _translation("es"), "lang", "is 'es' but the file name says 'fr'"),
    ("x.en.md", _translation("en"), "lang", "'en' is the language of its source x.md"),
    ("x.fr.md", _translation("fr", extra="source_revision: xyz\n"), "source_revision", "is not a source revision"),
])
def test_check_refuses_a_bad_translation_with_one_line_naming_file_and_field(tmp_path, name, text, field, words):
    _file(tmp_path, "x.md", SOURCE)
    path = _file(tmp_path, name, text)
    with pytest.raises(UpdateError) as refused:
        load_update(path)
    assert refused.value.path == str(path) and refused.value.field == field
    assert words in refused.value.message and "\n" not in str(refused.value)


def test_two_translations_into_one_language_are_refused(tmp_path):
    _file(tmp_path, "x.md", SOURCE)
    _file(tmp_path, "x.fr.md", _translation("fr"))
    twin = _file(tmp_path, "x.FR.md", _translation("FR"))
    if len(list(tmp_path.glob("x.*.md"))) < 2:
        pytest.skip("a case-insensitive file system cannot hold both names")
    with pytest.raises(UpdateError, match="also a translation of x.md into 'FR'|also a translation of x.md into"):
        load_update(twin)


def test_a_source_revision_belongs_only_to_a_translation(tmp_path):
    path = _file(tmp_path, "x.md", SOURCE.replace("summary:", f"source_revision: {revision_of('a')}\nsummary:"))
    with pytest.raises(UpdateError, match="source_revision: only a translation has one"):
        load_update(path)


@pytest.mark.parametrize(("name", "lang"), [
    ("2026-10-08-x.fr.md", "fr"), ("2026-10-08-x.pt-BR.md", "pt-BR"), ("2026-10-08-x.zh-Hant.md", "zh-Hant"),
    ("2026-10-08-x.de-CH-1996.md", "de-CH-1996"), ("2026-10-08-x.es-419.md", "es-419"),
    ("2026-10-08-x.md", None), ("2026-10-08-x.final.md", None), ("2026-10-08-x.en-x1.md", None), ("v1.2.md", None),
])
def test_a_translation_file_name_carries_a_tag_the_lang_field_accepts(name: str, lang: str | None) -> None:
    from content.model import LANG_TAG

    assert split_name(Path(name))[1] == lang
    if lang is not None:
        assert LANG_TAG.fullmatch(lang)
