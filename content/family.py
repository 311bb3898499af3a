"""An update and its translations: sibling files `<stem>.md` and `<stem>.<lang>.md`, one family."""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

from content.errors import UpdateError
from content.model import LANG_TAG, Update
from content.slug import MAX_SLUG_LENGTH, make_slug, shorten
from content.yaml_loader import load_yaml

SOURCES_DIR = ".sources"  # beside the family: `.sources/<digest>.md`, the source's text at each revision
REVISION_LENGTH = 16


@dataclass(frozen=True)
class Family:
    """A source file and its translation files by the language tag in their names."""

    source: Path
    translations: dict[str, Path]

    def members(self) -> list[Path]:
        """The source first, then the translations by language tag."""
        return [self.source, *(self.translations[lang] for lang in sorted(self.translations, key=str.lower))]


def split_name(path: Path) -> tuple[str, str | None]:
    """(`<stem>`, `<lang>`) for a translation file name, (`<stem>`, None) for a source."""
    stem = path.name.removesuffix(".md")
    base, dot, suffix = stem.rpartition(".")
    if dot and base and LANG_TAG.fullmatch(suffix):  # the language tag in `<stem>.<lang>.md`
        return base, suffix
    return stem, None


def is_translation(path: Path) -> bool:
    """Whether the file name is a translation's (`<stem>.<lang>.md`)."""
    return split_name(Path(path))[1] is not None


def source_path(path: Path) -> Path:
    """The source file of a translation (the file itself for a source)."""
    path = Path(path)
    stem, lang = split_name(path)
    return path.with_name(f"{stem}.md") if lang else path


def translation_path(source: Path, lang: str) -> Path:
    """Where the translation of `source` into `lang` lives."""
    return Path(source).with_name(f"{split_name(Path(source))[0]}.{lang}.md")


def family_of(path: Path) -> Family:
    """The family a file belongs to, from the files next to its source."""
    source = source_path(Path(path))
    stem = split_name(source)[0]
    found = {}
    for sibling in sorted(source.parent.glob(f"{glob.escape(stem)}.*.md")):
        base, lang = split_name(sibling)
        if base == stem and lang is not None:
            found[lang] = sibling
    return Family(source, found)


def default_slug(path: Path, title: str) -> str:
    """The slug of an update without one: from its title; a translation's ends in its language tag, so a title
    left as the source's (a fresh stub) or a name the languages share never takes the source's slug."""
    lang = split_name(Path(path))[1]
    return make_slug(title) if lang is None else f"{shorten(make_slug(title), MAX_SLUG_LENGTH - len(lang) - 1)}-" \
        f"{lang.lower()}"


def source_text(update: Update) -> str:
    """The words a translation translates: title, summary and body."""
    return "\n\n".join(part for part in (update.title, update.summary, update.body.strip()) if part) + "\n"


def revision_of(text: str) -> str:
    """The digest a translation records as `source_revision`."""
    return hashlib.sha256(text.encode()).hexdigest()[:REVISION_LENGTH]


def snapshot_path(source: Path, revision: str) -> Path:
    """Where the source's text at `revision` is kept."""
    return Path(source).parent / SOURCES_DIR / f"{revision}.md"


def keep_snapshot(source: Path, text: str) -> str:
    """Keep the source's text under its digest (once) and return the digest."""
    revision = revision_of(text)
    path = snapshot_path(source, revision)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return revision


def snapshot(source: Path, revision: str) -> str | None:
    """The source's text at `revision`, if it was kept."""
    path = snapshot_path(source, revision)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _front_lang(path: Path) -> str | None:
    """The `lang` of a file's front matter (`en` when absent), or None when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        front = text.split("\n---", 1)[0].removeprefix("---") if text.startswith("---") else None
        meta = load_yaml(front) if front is not None else None
    except Exception:  # noqa: BLE001 - an unreadable source is reported by its own check
        return None
    lang = meta.get("lang", "en") if isinstance(meta, dict) else None
    return lang if isinstance(lang, str) else None


def check_family(update: Update) -> None:
    """Refuse a translation without its source, into the source's language, or into a language taken twice;
    and a `source_revision` outside a translation."""
    path = Path(update.source)
    stem, lang = split_name(path)
    if lang is None:
        if update.source_revision is not None:
            raise UpdateError(path, "source_revision", f"only a translation has one (a file named {stem}.<lang>.md)")
        return
    source = source_path(path)
    if not source.is_file():
        raise UpdateError(path, "file name", f"{path.name} is a translation (.{lang}.md) of {source.name}, which "
                          f"does not exist; name it after its source, or drop the .{lang} for an update of its own")
    if update.lang.lower() != lang.lower():
        raise UpdateError(path, "lang", f"is {update.lang!r} but the file name says {lang!r}; write `lang: {lang}`")
    if (_front_lang(source) or "").lower() == lang.lower():
        raise UpdateError(path, "lang", f"{lang!r} is the language of its source {source.name}; a translation is "
                          "into another language")
    twins = [other for tag, other in family_of(source).translations.items()
             if tag.lower() == lang.lower() and other.name != path.name]
    if twins:
        raise UpdateError(path, "lang", f"{twins[0].name} is also a translation of {source.name} into {lang!r}; "
                          "keep one")
