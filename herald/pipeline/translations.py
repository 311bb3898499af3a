"""Translations as versions of one update: the stub `herald translate` writes, whether a translation is outdated
(and what changed in its source since), each language's state for `herald status`, and what a translation sends."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from frontmatter.default_handlers import YAMLHandler

from channels.registry import load_update
from content.errors import UpdateError
from content.family import (
    family_of,
    is_translation,
    keep_snapshot,
    revision_of,
    snapshot,
    source_path,
    source_text,
    translation_path,
)
from content.model import LANG_TAG
from content.yaml_loader import load_yaml
from herald.core.sent import word_diff
from herald.pipeline.render import ROOT, content_root_for, select_channels
from herald.pipeline.versions import Member, members, post_url

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update
    from herald.core.ledger import Ledger

_REVISION_LINE = re.compile(r"^source_revision:.*$", re.M)
DROPPED_FIELDS = ("slug", "correction", "publish_at", "source_revision", "lang", "status")  # not the source's


@dataclass(frozen=True)
class Staleness:
    """A translation made from an earlier text of its source: from which revision, and what changed since."""

    revision: str | None
    changes: str  # a word diff of the source since that revision
    before: str | None  # the source's text at that revision, when it was kept
    now: str

    def line(self) -> str:
        """One line: since which revision, and the changed passages."""
        since = f"revision {self.revision}" if self.revision else "an unknown revision (no source_revision)"
        return f"the source changed since {since}: {self.changes}"


@dataclass(frozen=True)
class LanguageState:
    """One language of a family as `herald status` lists it."""

    lang: str
    state: str  # source, not started, draft, ready, published, retracted, invalid
    path: Path
    url: str | None = None
    stale: Staleness | None = None
    error: str | None = None


def staleness(translation: Update, source: Update) -> Staleness | None:
    """How a translation lags behind its source, or None when it was made from the source's current text."""
    now = source_text(source)
    if translation.source_revision == revision_of(now):
        return None
    before = snapshot(source.source, translation.source_revision) if translation.source_revision else None
    changes = word_diff(before, now) if before is not None else "(the source's text at that revision was not kept)"
    return Staleness(translation.source_revision, changes, before, now)


def outdated(update: Update, settings: Settings) -> Staleness | None:
    """The staleness of a translation file (None for a source, or a translation that is up to date)."""
    if not is_translation(update.source):
        return None
    source = source_path(update.source)
    return staleness(update, load_update(source, content_root_for(source, settings)))


def up_to_date_command(update: Update) -> str:
    """The command that records a translation as made from its source's current text."""
    return f"herald translate {source_path(update.source)} --lang {update.lang} --up-to-date"


def translation_warnings(update: Update, settings: Settings) -> list[str]:
    """`check`'s warnings for a translation: outdated, and the channels its language sends nothing to."""
    if not is_translation(update.source):
        return []
    warnings = []
    try:
        stale = outdated(update, settings)
    except UpdateError:
        stale = None  # the source's own check reports it
    if stale is not None:
        warnings.append(f"OUTDATED: {stale.line()}; update the translation, then `{up_to_date_command(update)}`")
    for name, why in language_settings(update, settings, None)[2]:
        warnings.append(f"{name}: {why}")
    return warnings


def language_settings(
    update: Update, settings: Settings, wanted: Iterable[str] | None
) -> tuple[Settings, list[str] | None, list[tuple[str, str]]]:
    """A translation's settings (each channel's section for its language), its channels, and the channels it
    skips with why; a source goes everywhere as configured."""
    if not is_translation(update.source):
        return settings, list(wanted) if wanted is not None else None, []
    sections, kept, skipped = {}, [], []
    for name in select_channels(update, wanted, settings):
        section = settings.channel(name).for_language(update.lang)
        if section is None:
            skipped.append((name, settings.channel(name).without_language(update.lang)))
        else:
            sections[name] = section
            kept.append(name)
    return settings.model_copy(update=sections), kept, skipped


def for_publish(
    path: Path | str, settings: Settings, wanted: Iterable[str] | None
) -> tuple[Settings, list[str] | None, list[tuple[str, str]]]:
    """`language_settings` for a file; an invalid file is left to the publish gate to refuse."""
    path = Path(path)
    try:
        update = load_update(path, content_root_for(path, settings))
    except UpdateError:
        return settings, list(wanted) if wanted is not None else None, []
    return language_settings(update, settings, wanted)


def family_states(path: Path | str, settings: Settings, ledger: Ledger | None) -> list[LanguageState]:
    """Every language of the family: the source, each translation, and the configured languages not started."""
    family = members(path, settings)
    source = family[0]
    states = [_state(member, source, ledger) for member in family]
    present = {state.lang.lower() for state in states}
    for lang in settings.translations.languages:
        if lang.lower() not in present:
            states.append(LanguageState(lang, "not started", translation_path(source.path, lang)))
    return states


def _state(member: Member, source: Member, ledger: Ledger | None) -> LanguageState:
    if member.update is None:
        return LanguageState(member.lang, "invalid", member.path, error=member.error)
    update = member.update
    receipt = ledger.receipt(update.slug, ROOT) if ledger is not None else None
    url = post_url(ledger, update.slug)
    if receipt is not None and receipt.status == "retracted":
        state = "retracted"
    elif member.is_source:
        state = "source"
    elif url or (receipt is not None and receipt.status in ("published", "pending_manual", "scheduled")):
        state = "published" if url else receipt.status
    else:
        state = update.status
    stale = None
    if not member.is_source and source.update is not None and state != "retracted":
        stale = staleness(update, source.update)
    return LanguageState(update.lang, state, member.path, url or (receipt.url if receipt else None), stale)


def _source_for_translation(path: Path, settings: Settings, lang: str) -> tuple[Update, Path]:
    """The source update to translate into `lang`, refused when it is itself a translation or already in `lang`."""
    if is_translation(path):
        raise UpdateError(path, "file name", f"is a translation; translate its source {source_path(path)}")
    source = load_update(path, content_root_for(path, settings))
    if not LANG_TAG.fullmatch(lang):
        raise UpdateError(path, "--lang", f"{lang!r} is not a language tag (for example fr, es, ar, pt-BR)")
    if lang.lower() == source.lang.lower():
        raise UpdateError(path, "--lang", f"{lang!r} is the source's own language")
    return source, translation_path(path, lang)


def write_stub(path: Path | str, lang: str, settings: Settings) -> tuple[Path, str]:
    """Write `<stem>.<lang>.md`: the source's front matter and text to translate, with `source_revision` and
    `status: draft`; keep the source's text under its revision. Returns the file and the revision."""
    path = Path(path)
    source, target = _source_for_translation(path, settings, lang)
    twin = next((other for tag, other in family_of(path).translations.items() if tag.lower() == lang.lower()), None)
    if twin is not None:
        raise UpdateError(twin, None, f"already exists; `herald status {path}` shows whether it is outdated")
    revision = keep_snapshot(path, source_text(source))
    front, body = YAMLHandler().split(path.read_text(encoding="utf-8").lstrip("\ufeff"))
    meta = load_yaml(front) or {}
    kept = {key: value for key, value in meta.items() if key not in DROPPED_FIELDS}
    fields = {"title": kept.pop("title", source.title), "lang": lang, "source_revision": revision,
              "status": "draft", **kept}
    head = (f"# A translation of {path.name} into {lang}: translate the title, summary, alt texts and body, then set\n"
            f"# `status: ready`. source_revision is the source's text it was made from; leave it as it is.\n")
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=None)
    target.write_text(f"---\n{head}{dumped}---\n{body.strip()}\n", encoding="utf-8")
    return target, revision


def mark_up_to_date(path: Path | str, lang: str, settings: Settings) -> tuple[Path, str | None, str]:
    """Record that the translation into `lang` now follows the source's current text: (file, old, new revision)."""
    path = Path(path)
    source, target = _source_for_translation(path, settings, lang)
    target = next((other for tag, other in family_of(path).translations.items() if tag.lower() == lang.lower()),
                  target)
    if not target.is_file():
        raise UpdateError(target, None, f"does not exist; `herald translate {path} --lang {lang}` writes it")
    translation = load_update(target, content_root_for(target, settings))
    revision = keep_snapshot(path, source_text(source))
    text = target.read_text(encoding="utf-8")
    end = text.find("\n---", 3)
    front, rest = text[:end], text[end:]
    line = f"source_revision: {revision}"
    front = _REVISION_LINE.sub(line, front, count=1) if _REVISION_LINE.search(front) else f"{front}\n{line}"
    target.write_text(front + rest, encoding="utf-8")
    return target, translation.source_revision, revision
