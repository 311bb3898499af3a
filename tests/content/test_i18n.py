"""content.i18n: every fixed string readers see comes from a catalog per language, compiled from the .po files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from channels.registry import CHANNELS
from channels.threads import engine as threads
from content import i18n

REPO = Path(__file__).resolve().parents[2]
REQUIRED = ("en", "es", "fr", "de", "pt", "ru", "ar", "zh", "ja")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(code: str):
    return i18n.read_catalog(code)


def msgids(code: str) -> set[str]:
    return {message.id for message in catalog(code) if message.id}


def used_msgids() -> set[str]:
    """Every literal msgid passed to `t(lang, msgid, ...)` in the sources, and the module-level msgid constants."""
    found = {threads.READ_MORE, *(spec.recap_label for spec in CHANNELS.values() if spec.recap_label)}
    for folder in ("channels", "content", "herald"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"
                        and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)):
                    found.add(node.args[1].value)
    return found


def test_the_required_languages_have_catalogs() -> None:
    assert set(REQUIRED) <= i18n.available()


@pytest.mark.parametrize("code", REQUIRED)
def test_every_catalog_translates_every_message_with_the_same_placeholders(code: str) -> None:
    messages = {message.id: message for message in catalog(code) if message.id}
    assert set(messages) == msgids("en")
    for msgid, message in messages.items():
        assert message.string, f"{code}: {msgid!r} is untranslated"
        assert not message.fuzzy
        assert sorted(_PLACEHOLDER.findall(message.string)) == sorted(_PLACEHOLDER.findall(msgid)), (code, msgid)


def test_every_msgid_the_code_uses_is_in_the_catalogs() -> None:
    used = used_msgids()
    assert len(used) > 10  # the scan found the calls
    assert used - msgids("en") == set()


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "Notas"), ("fr", "Notes"), ("de", "Anmerkungen"), ("pt", "Notas"), ("ru", "Примечания"),
    ("ar", "ملاحظات"), ("zh", "注释"), ("ja", "注"), ("en", "Notes"),
])  # fmt: skip
def test_translation_per_language(lang: str, expected: str) -> None:
    assert i18n.t(lang, "Notes") == expected


def test_placeholders_are_filled() -> None:
    assert i18n.t("es", "Read on {site}: {url}", site="Diff", url="https://d/x") == "Leer en Diff: https://d/x"
    assert i18n.t("fr", "Links:") == "Liens :"


@pytest.mark.parametrize(("lang", "code"), [("pt-BR", "pt"), ("es-419", "es"), ("zh-Hant-TW", "zh"), ("FR", "fr"),
                                            ("en-GB", "en"), ("ar-EG", "ar")])
def test_region_and_script_subtags_fall_back_to_the_language(lang: str, code: str) -> None:
    assert i18n.catalog_lang(lang) == code
    assert i18n.missing_catalog(lang) is None
    assert i18n.t(lang, "Read more") == i18n.t(code, "Read more")


def test_a_language_without_a_catalog_falls_back_to_english_with_a_warning() -> None:
    assert i18n.catalog_lang("sw") is None
    assert i18n.t("sw", "Read more") == "Read more"
    warning = i18n.missing_catalog("sw")
    assert warning is not None and "'sw'" in warning and "English" in warning
    assert i18n.byline("sw", ["Amani", "Baraka"]) == "By Amani and Baraka"  # English words throughout


def test_bylines_join_names_as_the_language_does() -> None:
    assert i18n.byline("es", ["Ana", "Luis", "Marta"]) == "Por Ana, Luis y Marta"
    assert i18n.byline("en", ["Global Advocacy team", "Anna Schmidt"]) == "By Global Advocacy team and Anna Schmidt"
    assert i18n.byline("ar", ["فريق المناصرة العالمية"]) == "بقلم فريق المناصرة العالمية"
    assert i18n.byline("de", []) == ""


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("he", True), ("fa-IR", True), ("ur", True), ("en", False),
                                           ("ja", False), ("es", False)])
def test_right_to_left_languages(lang: str, rtl: bool) -> None:
    assert i18n.is_rtl(lang) is rtl
    assert i18n.direction(lang) == ("rtl" if rtl else "ltr")


def test_catalogs_are_compiled_once_then_served_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    first = i18n.t("ja", "Notes")

    def no_io(*args, **kwargs):
        raise AssertionError("a catalog was read again")

    monkeypatch.setattr(i18n, "read_po", no_io)
    monkeypatch.setattr(Path, "open", no_io)
    assert i18n.t("ja", "Notes") == first == "注"
    assert i18n.messages("ja") is i18n.messages("ja")


def test_month_names_follow_the_language() -> None:
    import datetime as dt

    october = dt.date(2026, 10, 1)
    assert i18n.month_year("en", october) == "October 2026"
    assert i18n.month_year("es", october) == "octubre de 2026"
    assert i18n.month_year("ja", october) == "2026年10月"
    assert i18n.month_year("sw", october) == "October 2026"  # no catalog: English, like the rest of the text
