"""The ledger against a real SQLite file and a real PostgreSQL: upserts, ordering, bounds, time zones, two writers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import herald
from herald.core.ledger import Ledger, PartRow, RecapEntry, ReceiptRow, UnknownUpdate

HASH = "ab" * 32


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "herald.db"


def _update(ledger: Ledger, slug: str = "hello", day: dt.date = dt.date(2026, 3, 2)) -> int:
    return ledger.record_update(slug, Path(f"updates/{slug}.md"), f"Title {slug}", day)


def test_record_update_inserts_then_upserts_on_slug(ledger: Ledger) -> None:
    first = _update(ledger)
    row = ledger.update("hello")
    assert row is not None
    assert (row.id, row.source, row.title, row.date) == (first, "updates/hello.md", "Title hello", dt.date(2026, 3, 2))

    again = ledger.record_update("hello", "updates/hello-v2.md", "New title", dt.date(2026, 3, 3))
    changed = ledger.update("hello")
    assert again == first
    assert changed is not None
    assert (changed.source, changed.title, changed.date) == ("updates/hello-v2.md", "New title", dt.date(2026, 3, 3))
    assert changed.first_seen_at == row.first_seen_at
    assert changed.updated_at > row.updated_at
    assert _update(ledger, "other") != first


def test_record_update_without_changes_keeps_updated_at(ledger: Ledger) -> None:
    _update(ledger)
    before = ledger.update("hello")
    _update(ledger)
    assert ledger.update("hello") == before


def test_unknown_update_is_an_error_not_a_silent_row(ledger: Ledger) -> None:
    assert ledger.update("nope") is None
    assert ledger.receipt("nope", "diff") is None
    assert ledger.receipts("nope") == []
    with pytest.raises(UnknownUpdate):
        ledger.record_receipt("nope", "diff", "published")
    with pytest.raises(UnknownUpdate):
        ledger.mark_part_intended("nope", "twitter", "tweet", 0, HASH)


def test_receipt_round_trips_every_field(ledger: Ledger) -> None:
    _update(ledger)
    ledger.record_receipt(
        "hello", "diff", "published", url="https://diff.example/hello", remote_id="42",
        payload_hash=HASH, detail="posted", transport="live",
    )  # fmt: skip
    got = ledger.receipt("hello", "diff")
    assert isinstance(got, ReceiptRow)
    assert (got.slug, got.channel, got.status, got.url, got.remote_id, got.payload_hash, got.detail, got.transport) == (
        "hello", "diff", "published", "https://diff.example/hello", "42", HASH, "posted", "live",
    )  # fmt: skip
    assert got.created_at == got.updated_at
    with pytest.raises(AttributeError):
        got.status = "failed"  # type: ignore[misc]


def test_record_receipt_upserts_one_row_per_channel(ledger: Ledger) -> None:
    _update(ledger)
    ledger.record_receipt("hello", "email", "failed", detail="smtp 451")
    first = ledger.receipt("hello", "email")
    ledger.record_receipt("hello", "email", "published", remote_id="<id@x>", payload_hash=HASH)
    second = ledger.receipt("hello", "email")
    assert first is not None and second is not None
    assert len(ledger.receipts("hello")) == 1
    assert (second.status, second.remote_id, second.detail, second.transport) == ("published", "<id@x>", "", "outbox")
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at


def test_receipts_come_back_in_the_order_the_ledger_was_given(ledger_url: str) -> None:
    ledger = Ledger(ledger_url, ("diff", "medium", "twitter", "email"))
    _update(ledger)
    for channel in ("zulip", "email", "twitter", "diff", "medium"):
        ledger.record_receipt("hello", channel, "published")
    assert [r.channel for r in ledger.receipts("hello")] == ["diff", "medium", "twitter", "email", "zulip"]
    ledger.close()


def test_the_pipeline_opens_the_ledger_in_publishing_order(tmp_path: Path) -> None:
    from channels.registry import ORDER
    from herald.pipeline.ledger_access import open_ledger

    ledger = open_ledger(f"sqlite:///{tmp_path / 'herald.db'}")
    _update(ledger)
    for channel in reversed(ORDER):
        ledger.record_receipt("hello", channel, "published")
    assert tuple(r.channel for r in ledger.receipts("hello")) == ORDER
    ledger.close()


def test_receipts_belong_to_their_update(ledger: Ledger) -> None:
    _update(ledger, "a")
    _update(ledger, "b")
    ledger.record_receipt("a", "diff", "published")
    ledger.record_receipt("b", "diff", "failed")
    assert [r.status for r in ledger.receipts("a")] == ["published"]
    assert [r.status for r in ledger.receipts("b")] == ["failed"]


@pytest.mark.parametrize(
    ("status", "published"),
    [("published", True), ("pending_manual", True), ("failed", False), ("needs_attention", False), ("intended", False)],
)
def test_is_published(ledger: Ledger, status: str, published: bool) -> None:
    _update(ledger)
    assert ledger.is_published("hello", "medium") is False
    ledger.record_receipt("hello", "medium", status)
    assert ledger.is_published("hello", "medium") is published
    assert ledger.is_published("hello", "diff") is False


def test_bad_status_or_transport_is_rejected(ledger: Ledger) -> None:
    _update(ledger)
    with pytest.raises(ValueError, match="receipt status"):
        ledger.record_receipt("hello", "diff", "skipped")
    with pytest.raises(ValueError, match="transport"):
        ledger.record_receipt("hello", "diff", "published", transport="carrier-pigeon")
    assert ledger.receipt("hello", "diff") is None


def test_parts_are_ordered_by_position_and_filtered_by_kind(ledger: Ledger) -> None:
    _update(ledger)
    for position in (2, 0, 1):
        ledger.mark_part_intended("hello", "twitter", "tweet", position, f"{position:064x}")
    ledger.mark_part_intended("hello", "twitter", "media", 0, HASH)
    ledger.mark_part_intended("hello", "diff", "term", 0, HASH)

    tweets = ledger.parts("hello", "twitter", "tweet")
    assert all(isinstance(p, PartRow) for p in tweets)
    assert [(p.position, p.status, p.payload_hash) for p in tweets] == [
        (0, "intended", f"{0:064x}"), (1, "intended", f"{1:064x}"), (2, "intended", f"{2:064x}"),
    ]  # fmt: skip
    assert [(p.kind, p.position) for p in ledger.parts("hello", "twitter")] == [
        ("media", 0), ("tweet", 0), ("tweet", 1), ("tweet", 2),
    ]  # fmt: skip
    assert [p.kind for p in ledger.parts("hello", "diff")] == ["term"]


def test_part_lifecycle_intended_done_and_never_back(ledger: Ledger) -> None:
    _update(ledger)
    ledger.mark_part_intended("hello", "twitter", "tweet", 0, HASH)
    intended = ledger.parts("hello", "twitter")[0]
    ledger.mark_part_done("hello", "twitter", "tweet", 0, "1001", "https://x.com/i/status/1001")
    (done,) = ledger.parts("hello", "twitter")
    assert (done.status, done.remote_id, done.url, done.payload_hash) == (
        "done", "1001", "https://x.com/i/status/1001", HASH,
    )  # fmt: skip
    assert done.created_at == intended.created_at
    assert done.updated_at > intended.updated_at

    ledger.mark_part_intended("hello", "twitter", "tweet", 0, "cd" * 32)
    assert ledger.parts("hello", "twitter") == [done]


def test_ambiguous_part_can_be_marked_and_later_resolved(ledger: Ledger) -> None:
    _update(ledger)
    ledger.mark_part_intended("hello", "twitter", "tweet", 1, HASH)
    ledger.mark_part_ambiguous("hello", "twitter", "tweet", 1)
    assert [p.status for p in ledger.parts("hello", "twitter")] == ["ambiguous"]
    ledger.mark_part_done("hello", "twitter", "tweet", 1, "77")
    (part,) = ledger.parts("hello", "twitter")
    assert (part.status, part.remote_id, part.url) == ("done", "77", None)


def test_timestamps_are_timezone_aware_utc(ledger: Ledger) -> None:
    before = dt.datetime.now(dt.UTC)
    _update(ledger)
    ledger.record_receipt("hello", "diff", "published")
    ledger.mark_part_intended("hello", "twitter", "tweet", 0, HASH)
    after = dt.datetime.now(dt.UTC)
    update = ledger.update("hello")
    receipt = ledger.receipt("hello", "diff")
    (part,) = ledger.parts("hello", "twitter")
    assert update is not None and receipt is not None
    stamps = [update.first_seen_at, update.updated_at, receipt.created_at, receipt.updated_at, part.created_at]
    for stamp in stamps:
        assert stamp.utcoffset() == dt.timedelta(0)
        assert before <= stamp <= after


def test_a_second_ledger_on_the_same_database_sees_the_writes(ledger_url: str, ledger: Ledger) -> None:
    _update(ledger)
    ledger.record_receipt("hello", "twitter", "pending_manual", detail="posted by hand")
    ledger.mark_part_done("hello", "twitter", "tweet", 0, "5")
    other = Ledger(ledger_url)
    try:
        assert other.is_published("hello", "twitter")
        assert other.receipts("hello") == ledger.receipts("hello")
        assert [p.remote_id for p in other.parts("hello", "twitter")] == ["5"]
        other.record_receipt("hello", "diff", "failed")
        assert ledger.receipt("hello", "diff") is not None
    finally:
        other.close()


def test_published_between_is_start_inclusive_end_exclusive(ledger: Ledger) -> None:
    _update(ledger, "feb-last", dt.date(2026, 2, 28))
    _update(ledger, "mar-b", dt.date(2026, 3, 1))
    _update(ledger, "mar-a", dt.date(2026, 3, 1))
    _update(ledger, "mar-mid", dt.date(2026, 3, 15))
    _update(ledger, "mar-last", dt.date(2026, 3, 31))
    _update(ledger, "apr-first", dt.date(2026, 4, 1))
    ledger.record_receipt("mar-a", "email", "published")
    ledger.record_receipt("mar-a", "diff", "published", url="https://diff.example/mar-a")
    ledger.record_receipt("feb-last", "diff", "published")

    recap = ledger.published_between(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert all(isinstance(entry, RecapEntry) for entry in recap)
    assert [e.update.slug for e in recap] == ["mar-a", "mar-b", "mar-mid", "mar-last"]
    assert [r.channel for r in recap[0].receipts] == ["diff", "email"]
    assert recap[0].receipts[0].url == "https://diff.example/mar-a"
    assert recap[1].receipts == ()
    assert ledger.published_between(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == []


def test_sqlite_runs_in_wal_mode(db: Path) -> None:
    ledger = Ledger.at(db)
    _update(ledger)
    ledger.close()
    import sqlite3

    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from herald.core.ledger import Ledger

    url, channel, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ledger = Ledger(url)
    time.sleep(max(0.0, start - time.time()))
    for n in range(40):
        slug = f"update-{n}"
        ledger.record_update(slug, f"updates/{slug}.md", f"Update {n}", dt.date(2026, 1, 1 + n % 28))
        ledger.record_receipt(slug, channel, "intended")
        ledger.mark_part_intended(slug, channel, "tweet", n, "0" * 64)
        ledger.mark_part_done(slug, channel, "tweet", n, f"{channel}-{n}")
        ledger.record_receipt(slug, channel, "published", remote_id=f"{channel}-{n}")
    ledger.close()
    """
)


def test_two_processes_write_different_channels_concurrently(ledger_url: str, ledger: Ledger) -> None:
    start = time.time() + 2.0
    env = {**os.environ, "PYTHONPATH": str(Path(herald.__file__).parent.parent)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, ledger_url, channel, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for channel in ("medium", "email")
    ]
    results = [writer.communicate(timeout=120) for writer in writers]
    for writer, (_out, err) in zip(writers, results, strict=True):
        assert "database is locked" not in err
        assert writer.returncode == 0, err

    for n in range(40):
        slug = f"update-{n}"
        assert sorted((r.channel, r.status, r.remote_id) for r in ledger.receipts(slug)) == [
            ("email", "published", f"email-{n}"), ("medium", "published", f"medium-{n}"),
        ]  # fmt: skip
        assert [p.remote_id for p in ledger.parts(slug, "medium")] == [f"medium-{n}"]
    assert len(ledger.published_between(dt.date(2026, 1, 1), dt.date(2026, 2, 1))) == 40
