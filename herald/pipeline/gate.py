"""The gate before a publish's first side effect: valid, ready, renderable, not another file's slug, approved."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from content.errors import UpdateError
from herald.pipeline.render import Rendered, load_and_render

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update


def prepare_publish(path: Path | str, settings: Settings, channels: Iterable[str] | None = None) -> Rendered:
    """Everything a publish checks before its first side effect: valid, ready, renderable, approved if required."""
    rendered = load_and_render(path, settings, channels)
    check_published_identity(rendered.update, settings)
    if rendered.update.status != "ready":
        raise UpdateError(path, "status", "is 'draft'; set `status: ready` to publish (check and preview still work)")
    if settings.require_approval:  # drafts here use the planned Diff URL, as approve did
        from herald.pipeline.approvals import require_approval  # SQLAlchemy loads only when approval is required

        require_approval(rendered, settings.ledger_url)
    return rendered


def check_published_identity(update: Update, settings: Settings) -> None:
    """Refuse an update whose slug another published file holds (read-only; no ledger is created)."""
    from herald.pipeline.identity import check_identity  # the ledger's SQLAlchemy loads only when there is one
    from herald.pipeline.ledger_access import existing_ledger

    ledger = existing_ledger(settings.ledger_url)
    if ledger is not None:
        try:
            check_identity(ledger, update)
        finally:
            ledger.close()
