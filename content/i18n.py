"""The fixed strings a reader sees, in its language: gettext catalogs kept as .po files, compiled at first use."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CHANNEL_LOCALE_DIRS = sorted((Path(__file__).resolve().parents[1] / "channels").glob("*/locale"))  # a channel's words
DEFAULT_LANG = "en"
RTL_LANGS = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})


@lru_cache(maxsize=1)
def available() -> frozenset[str]:
    """The languages with a catalog (`content/locale/<lang>.po`), as lowercase tags with `_`."""
    return frozenset(path.stem.lower() for path in LOCALE_DIR.glob("*.po"))


def _candidates(lang: str) -> list[str]:
    """`pt-BR` -> `pt_br`, `pt`: the most specific catalog first, then the language alone."""
    subtags = lang.replace("_", "-").lower().split("-")
    return ["_".join(subtags[:end]) for end in range(len(subtags), 0, -1)]


def catalog_lang(lang: str) -> str | None:
    """The catalog an update in `lang` reads (region and script subtags fall back), or None if there is none."""
    return next((code for code in _candidates(lang) if code in available()), None)


def missing_catalog(lang: str) -> str | None:
    """The warning for a language without a catalog, or None when it has one."""
    if catalog_lang(lang) is not None:
        return None
    return f"no message catalog for lang {lang!r}: the fixed text readers see is in English"


def read_catalog(code: str) -> Catalog:
    """`content/locale/<code>.po` with the messages of every channel's own `channels/<name>/locale/<code>.po`."""
    with (LOCALE_DIR / f"{code}.po").open("rb") as source:
        catalog = read_po(source, locale=code.split("_")[0], domain="herald")
    for folder in CHANNEL_LOCALE_DIRS:
        if (folder / f"{code}.po").is_file():
            with (folder / f"{code}.po").open("rb") as source:
                for message in read_po(source, locale=code.split("_")[0], domain="herald"):
                    if message.id:
                        catalog[message.id] = message
    return catalog


@lru_cache(maxsize=32)
def _compiled(code: str) -> gettext.GNUTranslations:
    catalog = read_catalog(code)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@lru_cache(maxsize=64)
def messages(lang: str) -> gettext.GNUTranslations:
    """The compiled catalog for `lang`, English when it has none; cached, so only the first use reads a file."""
    return _compiled(catalog_lang(lang) or DEFAULT_LANG)


def t(lang: str, msgid: str, **values: str) -> str:
    """The translation of `msgid` in `lang`, with `{name}` placeholders filled from `values`."""
    text = messages(lang).gettext(msgid)
    return text.format(**values) if values else text


@lru_cache(maxsize=64)
def _babel_locale(lang: str) -> Locale:
    """Babel's locale for the catalog `lang` reads, so list words match the catalog's language."""
    try:
        return Locale.parse(catalog_lang(lang) or DEFAULT_LANG)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LANG)


def join_names(lang: str, names: Sequence[str]) -> str:
    """Names joined as the language writes a list: "A, B and C", "A, B y C", "A、B和C"."""
    return format_list(list(names), locale=_babel_locale(lang)) if names else ""


def month_year(lang: str, day: dt.date) -> str:
    """A month as the language names it: "October 2026", "octubre de 2026", "2026年10月"."""
    return format_skeleton("yMMMM", day, locale=_babel_locale(lang))


def byline(lang: str, authors: Sequence[str]) -> str:
    """"By A and B" in the update's language, or "" without authors."""
    return t(lang, "By {authors}", authors=join_names(lang, authors)) if authors else ""


def is_rtl(lang: str) -> bool:
    """Whether the language is written right to left."""
    return _candidates(lang)[-1] in RTL_LANGS


def direction(lang: str) -> str:
    """`rtl` or `ltr`."""
    return "rtl" if is_rtl(lang) else "ltr"
