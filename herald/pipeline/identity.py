"""An update is its slug plus its source file: a second file may not take a published slug.

The ledger records, per slug, the file it was published from. Another file with the same slug is the
same update moved or renamed when the recorded file is gone, or no longer has that slug; it is a
different update (refused) while the recorded file still exists and still has that slug.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from content.errors import UpdateError
from herald.core.status import PUBLISHED_STATUSES

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update
    from herald.core.ledger import Ledger
    from herald.pipeline.render import Rendered


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name one file (relative paths are taken from the working folder)."""
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


def _still_claims(source: Path, slug: str) -> bool:
    """Whether the file recorded for a slug is still there and still has that slug."""
    from channels.registry import load_update

    if not source.is_file():
        return False
    try:
        return load_update(source, source.parent).slug == slug
    except UpdateError:
        return True  # an invalid file is still a file with its own identity; it is not a move


def check_identity(ledger: Ledger, update: Update) -> None:
    """Refuse (UpdateError, exit 2) an update whose slug belongs to another published file."""
    recorded = ledger.update(update.slug)
    receipts = ledger.receipts(update.slug) if recorded is not None else []
    if recorded is None or not receipts:
        _check_earlier_slug(ledger, update)
        return
    if receipts and any(row.status == "retracted" for row in receipts):
        raise UpdateError(update.source, "slug", f"{update.slug!r} was retracted; it is not published again under "
                          f"that slug: to publish it anew, give it its own, e.g. `slug: {update.slug}-2`")
    if same_file(recorded.source, update.source):
        return
    if _still_claims(Path(recorded.source), update.slug):
        raise slug_taken(update.source, recorded.source, update.slug)


def slug_taken(path: Path | str, other: Path | str, slug: str) -> UpdateError:
    """The one-line refusal naming both files and the way out."""
    return UpdateError(path, "slug", f"{slug!r} is already the slug of {other}, a different update that was "
                       f"published; give this one its own, e.g. `slug: {slug}-2` in its front matter")


class IdentityCheck:
    """Identity checks for `herald check`: against the ledger (if it exists) and between the files checked."""

    def __init__(self, ledger_url: str) -> None:
        from herald.pipeline.ledger_access import existing_ledger

        self.ledger = existing_ledger(ledger_url)
        self.seen: dict[str, Path] = {}

    def problem(self, update: Update, across_files: bool = True) -> UpdateError | None:
        """Why this update cannot be published under its slug, if it cannot (`across_files`: also against the
        files this check saw before)."""
        earlier = self.seen.setdefault(update.slug, update.source) if across_files else update.source
        if not same_file(earlier, update.source):
            return UpdateError(update.source, "slug", f"{update.slug!r} is also the slug of {earlier}; two updates "
                               f"cannot share one: give this one its own, e.g. `slug: {update.slug}-2`")
        if self.ledger is not None:
            try:
                check_identity(self.ledger, update)
            except UpdateError as error:
                return error
        return None

    def changed(self, rendered: Rendered, settings: Settings) -> list[str]:
        """Warnings for channels whose drafts differ from what went out (publish refuses them until --correct)."""
        if self.ledger is None:
            return []
        from herald.pipeline.corrections import changes

        return [f"{change.channel}: changed since it went out ({change.diff}); `herald publish` refuses it until "
                f"`herald publish {rendered.update.source} --correct`" for change in changes(self.ledger, rendered,
                                                                                                settings)]

    def close(self) -> None:
        """Release the ledger's connections."""
        if self.ledger is not None:
            self.ledger.close()


def _check_earlier_slug(ledger: Ledger, update: Update) -> None:
    """Refuse a file published under another slug (its title, or herald's slug rule, changed): publishing it under
    the new one would send it a second time."""
    for earlier in ledger.updates_named(Path(update.source).name):
        if earlier.slug == update.slug or not same_file(earlier.source, update.source):
            continue
        went = [row for row in ledger.receipts(earlier.slug) if row.status in PUBLISHED_STATUSES]
        if went:
            raise UpdateError(update.source, "slug", f"this file went out as {earlier.slug!r}, but its slug is now "
                              f"{update.slug!r} (its title or herald's slug rule changed); set `slug: {earlier.slug}` "
                              "to keep it one update, or take that one back first with "
                              f"`herald retract {earlier.slug}` to publish this anew")
