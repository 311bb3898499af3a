"""Retraction: take an update back from every channel that allows it, and say what a person must do elsewhere.

Diff goes to the WordPress trash (restorable), each tweet of the thread is deleted (a ledger part each, so a
killed retraction finishes on the next run), Medium needs a person, and an email cannot be unsent: with a
reason, one short notice goes to the list. A retracted update leaves the recap and is not published again.
"""

from __future__ import annotations

import datetime as dt
import shlex
from typing import TYPE_CHECKING, Any

from channels.registry import lifecycle_hook
from herald.core.report import ChannelResult
from herald.core.transport import TransportError, status_of
from herald.pipeline.schedule import ScheduleError, cancel_run, prefect_server
from herald.pipeline.select import transport_for

if TYPE_CHECKING:
    from config.settings import Settings
    from herald.core.ledger import Ledger, ReceiptRow, UpdateRow

WENT_OUT = ("published", "pending_manual", "needs_attention", "scheduled")


class Retraction:
    """Retracts one recorded update channel by channel."""

    def __init__(self, ledger: Ledger, settings: Settings, recorded: UpdateRow, reason: str | None,
                 sent_at: dt.datetime, by_hand: bool = False) -> None:
        self.ledger = ledger
        self.settings = settings
        self.recorded = recorded
        self.slug = recorded.slug
        self.reason = reason
        self.sent_at = sent_at
        self.by_hand = by_hand
        self.folder = settings.outbox / self.slug

    def section(self, channel: str) -> Any:
        """A channel's settings section."""
        return self.settings.channel(channel)

    def run(self, channels: list[str]) -> list[ChannelResult]:
        """Retract each named channel that has a receipt; a failure on one leaves the others done."""
        results = []
        for receipt in self.ledger.receipts(self.slug):
            if receipt.channel not in channels:
                continue
            if receipt.status == "retracted":
                results.append(ChannelResult(receipt.channel, "retracted", None, "retracted earlier",
                                             receipt.transport))
                continue
            posted = receipt.channel == "diff" and receipt.transport == "live" and receipt.remote_id
            if receipt.status not in WENT_OUT and not posted:  # a Diff post unscheduled to draft is still trashed
                results.append(self.retracted(receipt, f"never went out ({receipt.status})"))
                continue
            if receipt.status == "scheduled":
                results.append(self._unscheduled(receipt))
                continue
            transport = transport_for(receipt.channel, self.settings, self.slug, self.ledger)
            try:
                results.append(lifecycle_hook(receipt.channel, "retract")(self, transport, receipt))
            except TransportError as error:
                status = status_of(error)
                again = f" --reason {shlex.quote(self.reason)}" if self.reason else ""
                detail = (f"{error}; `herald retract {self.slug} --channels {receipt.channel}{again} --yes` "
                          "tries again")
                results.append(ChannelResult(receipt.channel, status, receipt.url, detail, transport.kind))
            finally:
                transport.close()
        return results

    def retracted(self, receipt: ReceiptRow, detail: str) -> ChannelResult:
        """Record the channel as retracted, with what was done."""
        self.ledger.record_receipt(self.slug, receipt.channel, "retracted", url=receipt.url,
                                   remote_id=receipt.remote_id, payload_hash=receipt.payload_hash, detail=detail,
                                   transport=receipt.transport)
        return ChannelResult(receipt.channel, "retracted", receipt.url, detail, receipt.transport)

    def _unscheduled(self, receipt: ReceiptRow) -> ChannelResult:
        if receipt.remote_id and prefect_server():
            try:
                cancel_run(receipt.remote_id)
            except ScheduleError as error:
                return ChannelResult(receipt.channel, "failed", None, str(error), receipt.transport)
        return self.retracted(receipt, "was scheduled; never sent")
