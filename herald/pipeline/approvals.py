"""Approvals bound to the bytes: who reviewed which draft digest, per channel, in the ledger's database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from content.errors import UpdateError
from herald.core.draft import draft_digest
from herald.core.ledger import UTCDateTime

if TYPE_CHECKING:
    from herald.pipeline.render import (
        Rendered,  # approvals are of rendered drafts; drafts asks approvals at publish time
    )

SQLITE_TIMEOUT_SECONDS = 30

metadata = MetaData()

approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(200), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("approved_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Approval:
    """The latest approval of one channel's draft."""

    channel: str
    digest: str
    approved_by: str
    approved_at: dt.datetime


class Approvals:
    """The `approvals` table: an append-only history; the latest row per channel is the one that counts."""

    def __init__(self, url: str) -> None:
        connect_args = {"timeout": SQLITE_TIMEOUT_SECONDS} if url.startswith("sqlite") else {}
        self._engine = create_engine(url, connect_args=connect_args)
        metadata.create_all(self._engine)

    def approve(self, rendered: Rendered, by: str) -> dict[str, str]:
        """Record `by`'s approval of every rendered draft; returns each channel's digest."""
        now = dt.datetime.now(dt.UTC)
        digests = {name: draft_digest(draft) for name, draft in rendered.drafts.items()}
        rows = [{"slug": rendered.update.slug, "channel": name, "digest": digest, "approved_by": by,
                 "approved_at": now} for name, digest in digests.items()]
        with self._engine.begin() as conn:
            conn.execute(insert(approvals), rows)
        return digests

    def latest(self, slug: str) -> dict[str, Approval]:
        """Each channel's latest approval for an update."""
        query = select(approvals).where(approvals.c.slug == slug).order_by(approvals.c.id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return {row.channel: Approval(row.channel, row.digest, row.approved_by, row.approved_at)
                for row in rows}

    def check(self, rendered: Rendered) -> None:
        """Raise a one-line `UpdateError` unless every draft is approved as it is now, naming what changed."""
        found = self.latest(rendered.update.slug)
        missing = [name for name in rendered.drafts if name not in found]
        changed = [name for name, draft in rendered.drafts.items()
                   if name in found and found[name].digest != draft_digest(draft)]
        source = rendered.update.source
        if missing and len(missing) == len(rendered.drafts):
            raise UpdateError(source, "approval", f"not approved; review `herald preview {source}`, then run "
                              f"`herald approve {source} --by NAME`")
        problems = []
        if changed:
            last = max((found[name] for name in changed), key=lambda approval: approval.approved_at)
            problems.append(f"{', '.join(changed)} changed since approved by {last.approved_by} "
                            f"on {last.approved_at:%Y-%m-%d %H:%M} UTC")
        if missing:
            problems.append(f"{', '.join(missing)} never approved")
        if problems:
            raise UpdateError(source, "approval", "; ".join(problems) + "; review the preview and approve again")


def require_approval(rendered: Rendered, ledger_url: str) -> None:
    """Refuse `rendered` unless its drafts are approved byte for byte (see `Approvals.check`)."""
    Approvals(ledger_url).check(rendered)
