"""What herald does for a channel that declares no way to correct or retract: say so, and leave it to a person."""

from __future__ import annotations

from content.model import Update
from herald.core.ledger import Ledger, ReceiptRow
from herald.core.report import ChannelResult
from herald.pipeline.corrections import Change, Corrector
from herald.pipeline.retract import Retraction

CORRECTED_BY_A_PERSON = False  # a correction left to a person counts as done for the correction's bookkeeping


def writes_correction(update: Update, change: Change | None) -> bool:
    """Whether correcting this channel writes to the service (its credentials are checked first)."""
    return False


def check_correction(update: Update, diff_url: str) -> None:
    """Refuse, before anything is written, a correction this channel could not send (raise RenderError)."""


def status_lines(ledger: Ledger, slug: str) -> list[str]:
    """Extra lines `herald status` shows for the channel."""
    return []


def retract_step(ledger: Ledger, slug: str, row: ReceiptRow) -> str | None:
    """The next step `herald status` shows once the update is retracted, or None for the usual one."""
    return None


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
