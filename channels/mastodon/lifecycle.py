"""Retracting a Mastodon thread deletes every status, the last first; a correction is not posted (yet)."""

from __future__ import annotations

from herald.ledger.store import ReceiptRow
from herald.lifecycle.retract import Retraction
from herald.report import ChannelResult


def retract(job: Retraction, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Delete each status of the thread (a ledger part each, so a killed retraction finishes on the next run)."""
    from channels.mastodon.transport import status_id

    if transport.kind != "live" or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was posted")
    posted = [part for part in job.ledger.parts(job.slug, "mastodon", "post") if part.status == "done"]
    deleted = sum(transport.delete_status(status_id(part), part.position) for part in reversed(posted))
    return job.retracted(receipt, f"{len(posted)} statuses deleted ({deleted} now)")
