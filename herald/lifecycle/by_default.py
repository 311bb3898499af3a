"""What herald does for a channel that declares no way to correct or retract: say so, and leave it to a person."""

from __future__ import annotations

from herald.ledger import ReceiptRow
from herald.lifecycle.corrections import Change, Corrector
from herald.lifecycle.retract import Retraction
from herald.report import ChannelResult


def correct(  # noqa: ANN001 - the channel's own transport
    job: Corrector, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Nothing is sent: the channel cannot be corrected from herald."""
    job.kept(change)
    return ChannelResult(receipt.channel, "already_published", receipt.url,
                         "this channel cannot be corrected from herald; nothing sent", transport.kind)


def retract(job: Retraction, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """A person takes it down, then records it with `--by-hand`."""
    if job.by_hand:
        return job.retracted(receipt, "taken down by hand")
    detail = (f"herald cannot take this channel's post down: remove {receipt.url or 'it'} by hand, then run "
              f"`herald retract {job.slug} --channels {receipt.channel} --by-hand --yes`")
    return ChannelResult(receipt.channel, "needs_attention", receipt.url, detail, receipt.transport)
