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
    keyed = [part for part in reversed(posted) if recorded_rkey(part)]
    deleted = sum(transport.delete_post(recorded_rkey(part), part.position) for part in keyed)
    return job.retracted(receipt, f"{len(keyed)} posts deleted ({deleted} now)")
