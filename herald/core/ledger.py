"""The ledger: what went where, so nothing is published twice and `herald status` can tell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Engine, Row
from sqlalchemy.types import TypeDecorator

from herald.core.status import PUBLISHED_STATUSES, RECEIPT_STATUSES, PartStatus

TRANSPORTS = ("outbox", "live")
PART_STATUSES = tuple(PartStatus)
POST_KINDS = ("tweet", "correction", "status", "post")  # parts that are public posts (not media, terms, deletes)
SQLITE_BUSY_TIMEOUT_MS = 30_000
SCHEMA_LOCK_KEY = 0x6865726C64  # "herld": the advisory lock held while creating tables on PostgreSQL
_WRITE = "herald_write"


class UnknownUpdate(LookupError):
    """A slug the ledger has never recorded with `record_update`."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("ledger timestamps must be timezone-aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = MetaData()

updates = Table(
    "updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("date", Date, nullable=False, index=True),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("update_id", Integer, ForeignKey("updates.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("remote_id", Text),
    Column("url", Text),
    Column("payload_hash", String(64)),
    Column("detail", Text, nullable=False, default=""),
    Column("transport", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("update_id", "channel"),
)

parts = Table(
    "parts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("update_id", Integer, ForeignKey("updates.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("remote_id", Text),
    Column("url", Text),
    Column("payload_hash", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("update_id", "channel", "kind", "position"),
)


snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("update_id", Integer, ForeignKey("updates.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("update_id", "channel", "revision"),
)


leases = Table(
    "leases",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("owner", Text, nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class UpdateRow:
    """One recorded update."""

    id: int
    slug: str
    source: str
    title: str
    date: dt.date
    first_seen_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class ReceiptRow:
    """What happened to one update on one channel."""

    slug: str
    channel: str
    status: str
    url: str | None
    remote_id: str | None
    payload_hash: str | None
    detail: str
    transport: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class PartRow:
    """One remote write within a channel, such as one tweet of a thread."""

    slug: str
    channel: str
    kind: str
    position: int
    status: str
    remote_id: str | None
    url: str | None
    payload_hash: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class RecapEntry:
    """An update and its receipts, for the monthly recap."""

    update: UpdateRow
    receipts: tuple[ReceiptRow, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def _channel_key(order: Sequence[str]) -> Callable[[ReceiptRow], tuple[int, str]]:
    """Sort receipts in the given channel order (publishing order), unknown channels last by name."""
    return lambda row: (order.index(row.channel) if row.channel in order else len(order), row.channel)


def _update_row(row: Row[Any]) -> UpdateRow:
    return UpdateRow(row.id, row.slug, row.source, row.title, row.date, row.first_seen_at, row.updated_at)


def _receipt_row(row: Row[Any]) -> ReceiptRow:
    return ReceiptRow(
        row.slug, row.channel, row.status, row.url, row.remote_id, row.payload_hash,
        row.detail, row.transport, row.created_at, row.updated_at,
    )  # fmt: skip


def _part_row(row: Row[Any]) -> PartRow:
    return PartRow(
        row.slug, row.channel, row.kind, row.position, row.status, row.remote_id, row.url,
        row.payload_hash, row.created_at, row.updated_at,
    )  # fmt: skip


def _tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writes so two processes queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
        # process wrote in between; taking the write lock up front makes it wait on busy_timeout instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Ledger:
    """Updates, per-channel receipts and per-write parts, in SQLite or PostgreSQL."""

    def __init__(self, url: str, order: Sequence[str] = ()) -> None:
        self._order = tuple(order)  # the channels in publishing order, for listing receipts
        self._engine = create_engine(url)
        dialect = self._engine.dialect.name
        if dialect == "sqlite":
            _tune_sqlite(self._engine)
            self._insert = sqlite_insert
        elif dialect == "postgresql":
            self._insert = pg_insert
        else:
            raise ValueError(f"unsupported ledger database {dialect!r}; use sqlite or postgresql")
        with self._write() as conn:
            if dialect == "postgresql":  # two workers starting on an empty database must not race on DDL
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
            metadata.create_all(conn)

    @classmethod
    def at(cls, path: Path) -> Ledger:
        """A ledger in the SQLite file at `path`."""
        return cls(URL.create("sqlite", database=str(path)).render_as_string())

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def _update_id(self, conn: Connection, slug: str) -> int:
        update_id = conn.scalar(select(updates.c.id).where(updates.c.slug == slug))
        if update_id is None:
            raise UnknownUpdate(f"no update recorded with slug {slug!r}")
        return update_id

    def record_update(self, slug: str, source: str | Path, title: str, date: dt.date) -> int:
        """Insert or refresh an update; `updated_at` moves only when something changed. Returns its id."""
        now = _now()
        stmt = self._insert(updates).values(
            slug=slug, source=str(source), title=title, date=date, first_seen_at=now, updated_at=now
        )
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[updates.c.slug],
            set_={"source": new.source, "title": new.title, "date": new.date, "updated_at": new.updated_at},
            where=or_(updates.c.source != new.source, updates.c.title != new.title, updates.c.date != new.date),
        )
        with self._write() as conn:
            conn.execute(stmt)
            return self._update_id(conn, slug)

    def update(self, slug: str) -> UpdateRow | None:
        """The recorded update with this slug, if any."""
        with self._read() as conn:
            row = conn.execute(select(updates).where(updates.c.slug == slug)).first()
        return _update_row(row) if row else None

    def updates_named(self, file_name: str) -> list[UpdateRow]:
        """The recorded updates whose source file has this name (in any folder), for telling a file's earlier slug."""
        with self._read() as conn:
            rows = conn.execute(select(updates).where(updates.c.source.like(f"%{file_name}"))).all()
        return [_update_row(row) for row in rows]

    def _receipt_query(self) -> Any:
        return select(receipts, updates.c.slug).join(updates, receipts.c.update_id == updates.c.id)

    def receipt(self, slug: str, channel: str) -> ReceiptRow | None:
        """The receipt for one update on one channel, if any."""
        query = self._receipt_query().where(updates.c.slug == slug, receipts.c.channel == channel)
        with self._read() as conn:
            row = conn.execute(query).first()
        return _receipt_row(row) if row else None

    def receipts(self, slug: str) -> list[ReceiptRow]:
        """All receipts for an update, in the ledger's channel order."""
        with self._read() as conn:
            rows = conn.execute(self._receipt_query().where(updates.c.slug == slug)).all()
        return sorted((_receipt_row(row) for row in rows), key=_channel_key(self._order))

    def record_receipt(
        self,
        slug: str,
        channel: str,
        status: str,
        *,
        url: str | None = None,
        remote_id: str | None = None,
        payload_hash: str | None = None,
        detail: str = "",
        transport: str = "outbox",
    ) -> None:
        """Insert or replace the receipt for one update on one channel."""
        _check(status, RECEIPT_STATUSES, "receipt status")
        _check(transport, TRANSPORTS, "transport")
        now = _now()
        values = {
            "status": status, "url": url, "remote_id": remote_id, "payload_hash": payload_hash,
            "detail": detail, "transport": transport, "updated_at": now,
        }  # fmt: skip
        with self._write() as conn:
            update_id = self._update_id(conn, slug)
            stmt = self._insert(receipts).values(update_id=update_id, channel=channel, created_at=now, **values)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[receipts.c.update_id, receipts.c.channel],
                    set_={name: stmt.excluded[name] for name in values},
                )
            )

    def is_published(self, slug: str, channel: str) -> bool:
        """Whether this update already went out (or was handed over for manual posting) on this channel."""
        found = self.receipt(slug, channel)
        return found is not None and found.status in PUBLISHED_STATUSES

    def mark_part_intended(self, slug: str, channel: str, kind: str, position: int, payload_hash: str) -> None:
        """Record that a remote write is about to happen; a part already done is left as it is."""
        now = _now()
        with self._write() as conn:
            update_id = self._update_id(conn, slug)
            stmt = self._insert(parts).values(
                update_id=update_id, channel=channel, kind=kind, position=position, status="intended",
                payload_hash=payload_hash, created_at=now, updated_at=now,
            )  # fmt: skip
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[parts.c.update_id, parts.c.channel, parts.c.kind, parts.c.position],
                    set_={"status": "intended", "payload_hash": payload_hash, "updated_at": now},
                    where=parts.c.status != "done",
                )
            )

    def _set_part(self, slug: str, channel: str, kind: str, position: int, **values: Any) -> None:
        now = _now()
        with self._write() as conn:
            update_id = self._update_id(conn, slug)
            stmt = self._insert(parts).values(
                update_id=update_id, channel=channel, kind=kind, position=position,
                created_at=now, updated_at=now, **values,
            )  # fmt: skip
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[parts.c.update_id, parts.c.channel, parts.c.kind, parts.c.position],
                    set_={**values, "updated_at": now},
                )
            )

    def mark_part_done(
        self, slug: str, channel: str, kind: str, position: int, remote_id: str, url: str | None = None
    ) -> None:
        """Record that a remote write succeeded, with what the service returned."""
        self._set_part(slug, channel, kind, position, status="done", remote_id=remote_id, url=url)

    def mark_part_ambiguous(self, slug: str, channel: str, kind: str, position: int) -> None:
        """Record that a remote write may or may not have happened (intended, then no answer)."""
        self._set_part(slug, channel, kind, position, status="ambiguous")

    def mark_part_not_sent(self, slug: str, channel: str, kind: str, position: int) -> None:
        """Record that an intended write certainly did not happen (refused, or never reached the service)."""
        self._set_part(slug, channel, kind, position, status="not_sent")

    def part(self, slug: str, channel: str, kind: str, position: int) -> PartRow | None:
        """One part, if recorded."""
        return next((p for p in self.parts(slug, channel, kind) if p.position == position), None)

    def acquire_lease(self, slug: str, owner: str, ttl_seconds: float, stale_owner: str | None = None) -> str | None:
        """Take the publish lease of an update; None when taken, else the owner who holds it.

        Free when absent, expired, already ours, or held by `stale_owner` (a holder the caller knows is dead).
        """
        now = _now()
        stmt = self._insert(leases).values(
            slug=slug, owner=owner, acquired_at=now, expires_at=now + dt.timedelta(seconds=ttl_seconds)
        )
        free = (leases.c.expires_at < now) | (leases.c.owner == owner)
        if stale_owner:
            free = free | (leases.c.owner == stale_owner)
        stmt = stmt.on_conflict_do_update(
            index_elements=[leases.c.slug],
            set_={"owner": stmt.excluded.owner, "acquired_at": now, "expires_at": stmt.excluded.expires_at},
            where=free,
        )
        with self._write() as conn:
            conn.execute(stmt)
            holder = conn.scalar(select(leases.c.owner).where(leases.c.slug == slug))
        return None if holder == owner else holder

    def lease_holder(self, slug: str) -> tuple[str, dt.datetime] | None:
        """Who holds an unexpired publish lease on an update, and until when."""
        with self._read() as conn:
            row = conn.execute(select(leases).where(leases.c.slug == slug, leases.c.expires_at >= _now())).first()
        return (row.owner, row.expires_at) if row else None

    def release_lease(self, slug: str, owner: str) -> None:
        """Give the lease back (only if we hold it)."""
        with self._write() as conn:
            conn.execute(leases.delete().where(leases.c.slug == slug, leases.c.owner == owner))

    def posts_since(self, channel: str, since: dt.datetime) -> int:
        """How many posts went out (or may have) on a channel since `since`, across every update."""
        query = select(func.count()).select_from(parts).where(
            parts.c.channel == channel, parts.c.kind.in_(POST_KINDS), parts.c.status != "not_sent",
            parts.c.updated_at >= since,
        )
        with self._read() as conn:
            return int(conn.scalar(query) or 0)

    def parts(self, slug: str, channel: str, kind: str | None = None) -> list[PartRow]:
        """The parts of one update on one channel, optionally of one kind, by position."""
        query = (
            select(parts, updates.c.slug)
            .join(updates, parts.c.update_id == updates.c.id)
            .where(updates.c.slug == slug, parts.c.channel == channel)
            .order_by(parts.c.position, parts.c.kind)
        )
        if kind is not None:
            query = query.where(parts.c.kind == kind)
        with self._read() as conn:
            return [_part_row(row) for row in conn.execute(query)]

    def published_between(self, start: dt.date, end: dt.date) -> list[RecapEntry]:
        """Updates dated in [start, end) with their receipts (possibly none), by date then slug."""
        in_range = (updates.c.date >= start) & (updates.c.date < end)
        with self._read() as conn:
            found = conn.execute(select(updates).where(in_range).order_by(updates.c.date, updates.c.slug)).all()
            rows = conn.execute(self._receipt_query().where(in_range)).all()
        by_slug: dict[str, list[ReceiptRow]] = {}
        for row in rows:
            by_slug.setdefault(row.slug, []).append(_receipt_row(row))
        return [
            RecapEntry(
                _update_row(row), tuple(sorted(by_slug.get(row.slug, []), key=_channel_key(self._order)))
            )
            for row in found
        ]

    def record_snapshot(self, slug: str, channel: str, revision: int, digest: str, text: str) -> None:
        """Keep what went out on a channel (revision 0 the first publish, then each correction); idempotent."""
        with self._write() as conn:
            update_id = self._update_id(conn, slug)
            stmt = self._insert(snapshots).values(update_id=update_id, channel=channel, revision=revision,
                                                  digest=digest, text=text, created_at=_now())
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[snapshots.c.update_id, snapshots.c.channel, snapshots.c.revision],
                set_={"digest": digest, "text": text},
            ))

    def snapshots(self, slug: str, channel: str) -> list[tuple[int, str, str, dt.datetime]]:
        """(revision, digest, text, when) of what went out on a channel, oldest first."""
        query = (select(snapshots.c.revision, snapshots.c.digest, snapshots.c.text, snapshots.c.created_at)
                 .join(updates, snapshots.c.update_id == updates.c.id)
                 .where(updates.c.slug == slug, snapshots.c.channel == channel).order_by(snapshots.c.revision))
        with self._read() as conn:
            return [tuple(row) for row in conn.execute(query)]

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()
