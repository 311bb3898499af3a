"""An email cannot be unsent: a correction or a retraction is one short notice to the list, threaded under it."""

from __future__ import annotations

from channels.email.notices import correction_email, retraction_email
from content.model import Update
from herald.core.ledger import ReceiptRow
from herald.core.lifecycle import KIND, MAX_PASSAGE, NOTICE_KIND, Change, CorrectionJob, RetractionJob
from herald.core.outbox import write_atomically
from herald.core.report import ChannelResult
from herald.core.sent import changed_passage, changes_for_diff, sent_text


def writes_correction(update: Update, change: Change | None) -> bool:
    """A notice goes to the list when the update says what was corrected."""
    return update.correction is not None


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Send one short correction notice to the list (only when `correction:` says what changed)."""
    if job.update.correction is None:
        job.kept(change)
        return ChannelResult("email", "already_published", receipt.url, "an email cannot be unsent; nothing "
                             "sent (set `correction:` in the front matter to send a short correction)",
                             transport.kind)
    passage = changes_for_diff(job.ledger, job.slug) or (
        changed_passage(change.before, sent_text(change.draft)) if change and change.before else "")
    passage = passage if len(passage) <= MAX_PASSAGE else passage[:MAX_PASSAGE].rsplit(" ", 1)[0] + " …"
    notice = correction_email(job.update, job.section("email"), diff_url, job.revision, passage, job.sent_at)
    if transport.kind == "live":
        transport.part_kind = f"{KIND}-{job.revision}"
        sent = transport.send(notice)
        url, detail = sent.url, f"correction notice {notice.message_id}: {sent.detail}"
    else:
        path = write_atomically(job.mkdir() / f"correction-{job.revision}.eml", notice.as_bytes())
        url, detail = receipt.url, f"correction notice written to {path}"
    job.kept(change)
    return ChannelResult("email", "corrected", url, detail, transport.kind)


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Send one short retraction notice to the list when there is a reason; an email cannot be unsent."""
    if not job.reason:
        return ChannelResult("email", receipt.status, receipt.url, "an email cannot be unsent; nothing sent "
                             "(`--reason TEXT` sends a short retraction notice to the list)", receipt.transport)
    notice = retraction_email(job.slug, job.recorded.title, job.recorded.date, job.section("email"), job.reason,
                              job.sent_at)
    if transport.kind == "live":
        transport.part_kind = NOTICE_KIND
        sent = transport.send(notice)
        detail = f"retraction notice {notice.message_id} sent: {sent.detail}"
    else:
        job.folder.mkdir(parents=True, exist_ok=True)
        detail = f"retraction notice written to {write_atomically(job.folder / 'retraction.eml', notice.as_bytes())}"
    return job.retracted(receipt, detail)
