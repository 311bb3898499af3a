"""Medium has no edit or delete API: a correction or a retraction is a person's job, herald says exactly what."""

from __future__ import annotations

from channels.medium.transport import STORIES_URL
from herald.core.ledger import Ledger, ReceiptRow
from herald.core.lifecycle import KIND, Change, CorrectionJob, RetractionJob
from herald.core.outbox import write_atomically
from herald.core.report import ChannelResult

CORRECTED_BY_A_PERSON = True  # the corrected article waits in the outbox; its own ledger part tracks the person


def retract_step(ledger: Ledger, slug: str, row: ReceiptRow) -> str | None:
    """Once retracted, the story is a person's to delete on Medium."""
    if row.status == "needs_attention" and not any(
            part.status in ("intended", "ambiguous") for part in ledger.parts(slug, "medium")):
        return f"delete or unlist the story on Medium, then `herald retract {slug} --channels medium --by-hand --yes`"
    return None


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Write the corrected article to the outbox and tell a person how to replace the text on Medium."""
    if change is None:
        return ChannelResult("medium", receipt.status if receipt.status == "needs_attention" else
                             "already_published", receipt.url, "unchanged", transport.kind)
    job.folder.mkdir(parents=True, exist_ok=True)
    article = write_atomically(job.folder / f"medium-correction-{job.revision}.html",
                               change.draft.content.encode())  # type: ignore[attr-defined]
    where = receipt.url or "the story on Medium (see https://medium.com/me/stories/public)"
    detail = (f"Medium's API cannot edit a post: open {where}, choose Edit, replace the text with the article "
              f"in {article.resolve()} ({change.diff}); then run `herald resolve {job.slug} medium --sent "
              f"{receipt.url or 'URL'}`")
    job.ledger.mark_part_intended(job.slug, "medium", KIND, job.revision, "")
    job.ledger.record_receipt(job.slug, "medium", "needs_attention", url=receipt.url,
                               remote_id=receipt.remote_id, payload_hash=receipt.payload_hash, detail=detail,
                               transport=receipt.transport)
    job.kept(change)
    return ChannelResult("medium", "needs_attention", receipt.url, detail, transport.kind)


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Tell a person how to delete or unlist the story (or record that they did, `--by-hand`)."""
    if job.by_hand:
        return job.retracted(receipt, "deleted or unlisted on Medium by hand")
    where = receipt.url or STORIES_URL
    detail = (f"Medium's API cannot delete a post: open {where}, then Edit story > More > Delete story (or "
              f"unlist it); then run `herald retract {job.slug} --channels medium --by-hand --yes`")
    job.ledger.record_receipt(job.slug, "medium", "needs_attention", url=receipt.url,
                               remote_id=receipt.remote_id, payload_hash=receipt.payload_hash, detail=detail,
                               transport=receipt.transport)
    return ChannelResult("medium", "needs_attention", receipt.url, detail, receipt.transport)
