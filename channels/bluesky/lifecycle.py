"""A Bluesky correction is one post under the thread; retracting deletes every post, the last first."""

from __future__ import annotations

from channels.threads.lifecycle import correct_thread, correction_text
from content.model import Update
from herald.core.draft import RenderError
from herald.core.ledger import ReceiptRow
from herald.core.lifecycle import KIND, Change, CorrectionJob, RetractionJob
from herald.core.report import ChannelResult

CORRECTION_DELETES = 1000  # a correction reply's delete is ledger part ("delete", 1000 + its number)


def writes_correction(update: Update, change: Change | None) -> bool:
    """A reply goes under the thread when the update says what was corrected."""
    return update.correction is not None


def check_correction(update: Update, diff_url: str) -> None:
    """A reply over Bluesky's 300 graphemes (its link shown short) is refused before anything is written."""
    from channels.bluesky.draft import MAX_GRAPHEMES
    from channels.bluesky.richtext import post

    assert update.correction is not None
    made = post(correction_text(update.correction, diff_url))
    if made.graphemes > MAX_GRAPHEMES:
        raise RenderError(update, "correction", f"the correction post is {made.graphemes} graphemes (with the Diff "
                          f"link); Bluesky takes {MAX_GRAPHEMES}: shorten `correction:`")


def correct(  # noqa: ANN001 - the channel's own transport
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Post one reply with the correction under the thread's last post."""
    text = correction_text(job.update.correction or "", diff_url)
    return correct_thread(job, transport, receipt, change, text, "posts",
                          lambda: transport.reply(text, KIND, job.revision, job.update.lang),
                          f"bluesky-correction-{job.revision}.txt")


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """Delete each post of the thread and its corrections by record key (deleting a gone record succeeds)."""
    from channels.bluesky.transport import recorded_rkey

    if transport.kind != "live" or receipt.transport != "live":
        return job.retracted(receipt, "only in the outbox; nothing was posted")
    parts = job.ledger.parts(job.slug, "bluesky")
    corrections = [part for part in parts if part.kind == KIND and part.status == "done"]
    posts = [part for part in parts if part.kind == "post" and part.status == "done"]
    deleted = sum(transport.delete_post(key, CORRECTION_DELETES + part.position)
                  for part in reversed(corrections) if (key := recorded_rkey(part)))
    keyed = [(key, part.position) for part in reversed(posts) if (key := recorded_rkey(part))]
    deleted += sum(transport.delete_post(key, position) for key, position in keyed)
    return job.retracted(receipt, f"{len(keyed) + len(corrections)} posts deleted ({deleted} now)")
