"""A Mastodon correction is one status under the thread; retracting deletes every status, the last first."""

from __future__ import annotations

from channels.mastodon.options import MastodonOptions
from channels.mastodon.settings import MastodonSettings
from channels.threads.lifecycle import correct_thread, correction_text
from content.model import Update
from herald.core.draft import RenderError
from herald.core.ledger import ReceiptRow
from herald.core.lifecycle import KIND, Change, CorrectionJob, RetractionJob
from herald.core.report import ChannelResult


def writes_correction(update: Update, change: Change | None) -> bool:
    """A reply goes under the thread when the update says what was corrected."""
    return update.correction is not None


def check_correction(update: Update, diff_url: str) -> None:
    """A reply longer than a status (as the default instance counts it) is refused before anything is written."""
    from channels.mastodon.length import status_length

    assert update.correction is not None
    limits = MastodonSettings()
    warning = update.block("mastodon", MastodonOptions).content_warning or ""
    length = status_length(correction_text(update.correction, diff_url), warning, limits.url_weight)
    if length > limits.max_characters:
        raise RenderError(update, "correction", f"the correction status is {length} characters (with the Diff "
                          f"link); Mastodon takes {limits.max_characters}: shorten `correction:`")


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Post one status with the correction under the thread, with the thread's visibility and warning."""
    from channels.mastodon.transport import status_id

    text = correction_text(job.update.correction or "", diff_url)
    statuses = [part for part in job.ledger.parts(job.slug, "mastodon", "post") if part.status == "done"]
    thread = job.draft("mastodon")
    return correct_thread(job, transport, receipt, change, text, "statuses",
                          lambda: transport.reply(text, status_id(statuses[-1]), KIND, job.revision, thread),
                          f"mastodon-correction-{job.revision}.txt")


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Delete each status of the thread and its corrections (a ledger part each: a killed retraction finishes)."""
    from channels.mastodon.transport import status_id

    if transport.kind != "live" or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was posted")
    posted = [part for part in job.ledger.parts(job.slug, "mastodon") if part.kind in ("post", KIND)
              and part.status == "done"]
    posted.sort(key=lambda part: (part.kind == KIND, part.position))
    deleted = sum(transport.delete_status(status_id(part), index) for index, part in enumerate(reversed(posted), 1))
    return job.retracted(receipt, f"{len(posted)} statuses deleted ({deleted} now)")
