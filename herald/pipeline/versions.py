"""The language versions of an update: its family's files, their slugs, and the Diff posts of those published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from channels.registry import load_update
from content.errors import UpdateError
from content.family import family_of, split_name
from herald.core.status import PUBLISHED_STATUSES
from herald.pipeline.render import ROOT, content_root_for

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update
    from herald.core.ledger import Ledger


@dataclass(frozen=True)
class Member:
    """One file of a family: the source or a translation, loaded or with its one-line error."""

    path: Path
    update: Update | None
    error: str | None = None

    @property
    def is_source(self) -> bool:
        """Whether this is the family's source file."""
        return split_name(self.path)[1] is None

    @property
    def lang(self) -> str:
        """Its language: the update's, else the tag in its file name ("" for an unreadable source)."""
        return self.update.lang if self.update is not None else split_name(self.path)[1] or ""


def members(path: Path | str, settings: Settings) -> list[Member]:
    """Every file of the family `path` belongs to, the source first; a lone update is a family of one."""
    found = []
    for member in family_of(Path(path)).members():
        try:
            found.append(Member(member, load_update(member, content_root_for(member, settings))))
        except UpdateError as error:
            found.append(Member(member, None, str(error)))
    return found


def post_url(ledger: Ledger | None, slug: str) -> str | None:
    """The public URL of an update's Diff post, when it is published (not retracted, not only in the outbox)."""
    receipt = ledger.receipt(slug, ROOT) if ledger is not None else None
    if receipt is None or receipt.status not in PUBLISHED_STATUSES or not receipt.url:
        return None
    return receipt.url if receipt.url.startswith(("https://", "http://")) else None


def versions_of(update: Update, family: list[Member], ledger: Ledger | None) -> tuple[tuple[str, str], ...]:
    """(lang, Diff URL) of the other published versions of an update, in family order."""
    found = []
    for member in family:
        if member.update is None or member.update.slug == update.slug:
            continue
        url = post_url(ledger, member.update.slug)
        if url:
            found.append((member.update.lang, url))
    return tuple(found)


def versions_for(update: Update, settings: Settings, ledger: Ledger | None) -> tuple[tuple[str, str], ...]:
    """The other published versions of an update, read from its family's files and the ledger."""
    family = members(update.source, settings)
    return versions_of(update, family, ledger) if len(family) > 1 else ()
