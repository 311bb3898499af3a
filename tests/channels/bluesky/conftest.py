"""One real PDS for the whole session, a fault proxy in front of it per test, and a ledger per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pds_server import PdsAccount, pds_server
from wordpress_fault_proxy import WordPressFaultProxy

from herald.ledger.store import Ledger


@pytest.fixture(scope="session")
def pds() -> Iterator[PdsAccount]:
    """A real `@atproto/pds` on loopback with one account (started once: it takes a few seconds)."""
    with pds_server() as account:
        yield account


@pytest.fixture
def pds_proxy(pds: PdsAccount) -> Iterator[WordPressFaultProxy]:
    """The HTTP fault proxy of the WordPress tests, forwarding to the PDS (XRPC is plain HTTP: the same shapes)."""
    with WordPressFaultProxy(pds.url, timeout=30.0) as proxy:
        yield proxy


@pytest.fixture
def bluesky_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A SQLite ledger per test."""
    ledger = Ledger.at(tmp_path / "herald.db")
    yield ledger
    ledger.close()
