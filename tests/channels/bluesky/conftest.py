"""A ledger per Bluesky test (the session's PDS and its fault proxy are fixtures of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from herald.core.ledger import Ledger


@pytest.fixture
def bluesky_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A SQLite ledger per test."""
    ledger = Ledger.at(tmp_path / "herald.db")
    yield ledger
    ledger.close()
