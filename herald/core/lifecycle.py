"""The lifecycle contract between the pipeline and a channel: what a correction or a retraction hands a channel's
hooks, and herald's own hooks for a channel that declares no way to correct or retract (say so; a person does it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from content.model import Update
from herald.core.draft import Draft
from herald.core.report import ChannelResult
from herald.core.sent import sent_text, word_diff
from herald.core.status import Status

if TYPE_CHECKING:  # the ledger's SQLAlchemy loads only where a ledger is opened
    from herald.core.ledger import Ledger, ReceiptRow, UpdateRow

KIND = "correction"  # a correction's ledger parts
NOTICE_KIND = "retraction"  # a retraction notice's ledger part
MAX_PASSAGE = 1500  # the longest changed passage a correction notice quotes


@dataclass(frozen=True)
class Change:
    """A channel whose draft differs from what went out."""

    channel: str
    receipt: ReceiptRow
    draft: Draft
    before: str

    @property
    def diff(self) -> str:
        """A short word-level diff of what went out against the draft."""
        return word_diff(self.before, sent_text(self.draft)) if self.before else "(the text sent was not kept)"


class CorrectionJob(Protocol):
    """One correction (number `revision`) of one update, as a channel's `correct` hook sees it."""

    ledger: Ledger
    update: Update
    slug: str
    revision: int
    sent_at: dt.datetime
    folder: Path  # the update's outbox folder

    def section(self, channel: str) -> Any:
        """A channel's settings section."""
        ...

    def draft(self, channel: str) -> Draft | None:
        """A channel's draft as rendered for this correction."""
        ...

    def as_sent(self, channel: str, **images: object) -> Draft:
        """A channel's draft as a publish now would send it (the Diff URL and image URLs that went out)."""
        ...

    def kept(self, change: Change | None) -> None:
        """Keep the corrected text as what went out under this correction's number."""
        ...

    def mkdir(self) -> Path:
        """The update's outbox folder, made if missing."""
        ...


class RetractionJob(Protocol):
    """One retraction of one recorded update, as a channel's `retract` hook sees it."""

    ledger: Ledger
    slug: str
    recorded: UpdateRow
    reason: str | None
    sent_at: dt.datetime
    by_hand: bool
    folder: Path  # the update's outbox folder

    def section(self, channel: str) -> Any:
        """A channel's settings section."""
        ...

    def retracted(self, receipt: ReceiptRow, detail: str) -> ChannelResult:
        """Record the channel as retracted, with what was done."""
        ...


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
    job: CorrectionJob, transport, receipt: ReceiptRow, change: Change | None, diff_url: str
) -> ChannelResult:
    """Nothing is sent: the channel cannot be corrected from herald."""
    job.kept(change)
    return ChannelResult(receipt.channel, Status.ALREADY_PUBLISHED, receipt.url,
                         "this channel cannot be corrected from herald; nothing sent", transport.kind)


def retract(job: RetractionJob, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
    """A person takes it down, then records it with `--by-hand`."""
    if job.by_hand:
        return job.retracted(receipt, "taken down by hand")
    detail = (f"herald cannot take this channel's post down: remove {receipt.url or 'it'} by hand, then run "
              f"`herald retract {job.slug} --channels {receipt.channel} --by-hand --yes`")
    return ChannelResult(receipt.channel, Status.NEEDS_ATTENTION, receipt.url, detail, receipt.transport)
