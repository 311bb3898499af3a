"""What every thread channel does for a correction: one reply under the thread, only when the update says why."""

from __future__ import annotations

from collections.abc import Callable

from herald.core.draft import Receipt
from herald.core.ledger import ReceiptRow
from herald.core.lifecycle import Change, CorrectionJob
from herald.core.outbox import write_atomically
from herald.core.report import ChannelResult


def correction_text(correction: str, diff_url: str) -> str:
    """The reply a correction posts: what was corrected, and the corrected post."""
    return f"Correction: {correction} {diff_url}"


def correct_thread(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, text: str, posts: str,
    reply: Callable[[], Receipt], outbox_name: str,
) -> ChannelResult:
    """Post `text` as one reply under the thread (`reply`), or write it to the outbox; nothing without `correction:`."""
    channel = receipt.channel
    if job.update.correction is None:
        job.kept(change)
        return ChannelResult(channel, "already_published", receipt.url, f"{posts} are not edited; nothing posted "
                             "(set `correction:` in the front matter to post one reply)", transport.kind)
    if transport.kind == "live" and any(part.status == "done" for part in job.ledger.parts(job.slug, channel)):
        sent = reply()
        url, detail = sent.url, f"{sent.detail}: {text}"
    else:
        job.folder.mkdir(parents=True, exist_ok=True)
        path = write_atomically(job.folder / outbox_name, (text + "\n").encode())
        url, detail = receipt.url, f"correction reply written to {path}"
    job.kept(change)
    return ChannelResult(channel, "corrected", url, detail, transport.kind)
