"""Open the ledger only when it exists, for commands that must write nothing (check, dry runs)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from herald.core.ledger import Ledger


def existing_ledger(url: str) -> Ledger | None:
    """The ledger at `url` if it already exists; a SQLite file that is not there is not created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).is_file()):
        return None
    try:
        return Ledger(url)
    except Exception:  # noqa: BLE001 - an unreachable ledger leaves check and dry runs without its knowledge
        return None
