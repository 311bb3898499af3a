"""Fixtures shared by the transport tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from herald.core.ledger import Ledger

SLUG = "dont-blink-september-2026"


@pytest.fixture
def ledger(tmp_path: Path):
    """A SQLite ledger that already knows the update every transport test sends."""
    ledger = Ledger.at(tmp_path / "herald.db")
    ledger.record_update(SLUG, "update.md", "Don't Blink: September 2026", date(2026, 10, 1))
    yield ledger
    ledger.close()
