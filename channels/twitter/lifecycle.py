"""Tweets cannot be edited: a correction is one reply under the thread; a retraction deletes every tweet."""

from __future__ import annotations

from channels.threads.lifecycle import correct_thread
from channels.twitter.notices import correction_tweet
from content.model import Update
from herald.core.ledger import ReceiptRow
from herald.core.lifecycle import KIND, Change, CorrectionJob, RetractionJob
from herald.core.report import ChannelResult


def writes_correction(update: Update, change: Change | None) -> bool:
    """A reply goes under the thread when the update says what was corrected."""
    return update.correction is not None


def check_correction(update: Update, diff_url: str) -> None:
    """A reply too long for X is refused before anything is written."""
    correction_tweet(update, diff_url)


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Post one reply with the correction under the thread (only when `correction:` says what changed)."""
    text = correction_tweet(job.update, diff_url) if job.update.correction is not None else ""
    tweets = [part for part in job.ledger.parts(job.slug, "twitter", "tweet") if part.status == "done"]
    return correct_thread(job, transport, receipt, change, text, "tweets",
                          lambda: transport.reply(text, tweets[-1].remote_id, KIND, job.revision),
                          f"correction-{job.revision}.txt")


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Delete every tweet of the thread and its replies, the last first."""
    tweets = [part for part in job.ledger.parts(job.slug, "twitter") if part.kind in ("tweet", "correction")
              and part.status == "done" and part.remote_id]
    if transport.kind != "live" or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was posted")
    deleted = 0
    for number, part in enumerate(reversed(tweets), 1):  # the last reply first: no reply is left orphaned
        deleted += transport.delete_tweet(part.remote_id, number)
    return job.retracted(receipt, f"{len(tweets)} tweets deleted ({deleted} now)")
