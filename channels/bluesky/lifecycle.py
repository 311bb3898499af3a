"""Retracting a Bluesky thread deletes every post, the last first; a correction is not posted (yet)."""

from __future__ import annotations

from herald.ledger.store import ReceiptRow
from herald.lifecycle.retract import Retraction
from herald.report import ChannelResult


def retract(job: Retraction, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Delete each post of the thread by its record key (a ledger part each; deleting a gone record succeeds)."""
    from channels.bluesky.transport import recorded_rkey

    if transport.kind != "live" or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was posted")
    posted = [part for part in job.ledger.parts(job.slug, "bluesky", "post") if part.status == "done"]
    keys = [key for key in (recorded_rkey(part) for part in reversed(posted)) if key]
    deleted = sum(transport.delete_post(key) for key in keys)
    return job.retracted(receipt, f"{len(keys)} posts deleted ({deleted} now)")
