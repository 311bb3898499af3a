"""Correcting a Diff post edits it in place; retracting it moves it to the WordPress trash (restorable)."""

from __future__ import annotations

from content.model import Update
from herald.core.ledger import Ledger, ReceiptRow
from herald.core.lifecycle import Change, CorrectionJob, RetractionJob
from herald.core.outbox import write_atomically
from herald.core.report import ChannelResult
from herald.core.sent import uploaded_images


def writes_correction(update: Update, change: Change | None) -> bool:
    """A changed post is edited on the site."""
    return change is not None


def status_lines(ledger: Ledger, slug: str) -> list[str]:
    """How many times the post was edited in place."""
    edits = [part for part in ledger.parts(slug, "diff", "revision") if part.status == "done"]
    if not edits:
        return []
    return [f"edited in place on WordPress {len(edits)} time{'s' if len(edits) > 1 else ''} "
            "(WordPress keeps each earlier version under Revisions)"]


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Edit the post in place (new body images uploaded first), or rewrite it in the outbox."""
    if change is None:
        return ChannelResult("diff", "already_published", receipt.url, "unchanged", transport.kind)
    if transport.kind == "live" and receipt.remote_id:
        draft = change.draft
        if job.update.images:  # a body image new in the correction is uploaded first (each image once)
            urls = transport.upload_images(job.update.images)
            draft = job.as_sent("diff", image_urls=urls,
                               featured_url=uploaded_images(job.ledger, job.slug)["featured_url"])
        sent = transport.update_post(int(receipt.remote_id), draft, job.revision)
        url, detail = receipt.url, f"{sent.detail}: {change.diff}"
    else:
        for name, data in change.draft.files().items():
            job.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(job.folder / name, data)
        url, detail = receipt.url, f"corrected in {job.folder}: {change.diff}"
    job.ledger.record_receipt(job.slug, "diff", receipt.status, url=url, remote_id=receipt.remote_id,
                               payload_hash=receipt.payload_hash, detail=f"corrected (revision {job.revision})",
                               transport=receipt.transport)
    job.kept(change)
    return ChannelResult("diff", "corrected", url, detail, transport.kind)


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Move the post to the WordPress trash; an outbox post has nothing to take back."""
    if transport.kind != "live" or not receipt.remote_id or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was on the site")
    transport.trash_post(int(receipt.remote_id))
    return job.retracted(receipt, f"post {receipt.remote_id} is in the WordPress trash (Posts > Trash "
                                    "restores it)")
