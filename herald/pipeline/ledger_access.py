"""Open the ledger with the registry's channel order; or only when it exists, for commands that write nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from channels.registry import ORDER
from herald.core.ledger import Ledger


def existing_ledger(url: str) -> Ledger | None:
    """The ledger at `url` if it already exists; a SQLite file that is not there is not created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).is_file()):
        return None
    try:
        return open_ledger(url)
    except Exception:  # noqa: BLE001 - an unreachable ledger leaves check and dry runs without its knowledge
        return None


def open_ledger(url: str) -> Ledger:
    """The ledger at `url` (created if missing), listing receipts in publishing order."""
    return Ledger(url, ORDER)
