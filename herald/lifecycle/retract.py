"""Retraction: take an update back from every channel that allows it, and say what a person must do elsewhere.

Diff goes to the WordPress trash (restorable), each tweet of the thread is deleted (a ledger part each, so a
killed retraction finishes on the next run), Medium needs a person, and an email cannot be unsent: with a
reason, one short notice goes to the list. A retracted update leaves the recap and is not published again.
"""

from __future__ import annotations

import datetime as dt
import shlex

from channels.email.notices import retraction_email
from config.settings import Settings
from herald.ledger import Ledger, ReceiptRow, UpdateRow
from herald.lifecycle.schedule import ScheduleError, cancel_run, prefect_server
from herald.report import ChannelResult
from herald.transports import Ambiguous, NeedsAttention, TransportError
from herald.transports.outbox import write_atomically
from herald.transports.select import transport_for

NOTICE_KIND = "retraction"
WENT_OUT = ("published", "pending_manual", "needs_attention", "scheduled")
STORIES_URL = "https://medium.com/me/stories/public"


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
                results.append(self._retracted(receipt, f"never went out ({receipt.status})"))
                continue
            if receipt.status == "scheduled":
                results.append(self._unscheduled(receipt))
                continue
            transport = transport_for(receipt.channel, self.settings, self.slug, self.ledger)
            try:
                results.append(getattr(self, f"_{receipt.channel}")(transport, receipt))
            except TransportError as error:
                status = "needs_attention" if isinstance(error, NeedsAttention) or (
                    isinstance(error, Ambiguous) and not error.transient) else "failed"
                again = f" --reason {shlex.quote(self.reason)}" if self.reason and receipt.channel == "email" else ""
                detail = (f"{error}; `herald retract {self.slug} --channels {receipt.channel}{again} --yes` "
                          "tries again")
                results.append(ChannelResult(receipt.channel, status, receipt.url, detail, transport.kind))
            finally:
                close = getattr(transport, "close", None)
                if close is not None:
                    close()
        return results

    def _retracted(self, receipt: ReceiptRow, detail: str) -> ChannelResult:
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
        return self._retracted(receipt, "was scheduled; never sent")

    def _diff(self, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
        if transport.kind != "live" or not receipt.remote_id or receipt.transport != "live":
            return self._retracted(receipt, "only in the outbox; nothing was on the site")
        transport.trash_post(int(receipt.remote_id))
        return self._retracted(receipt, f"post {receipt.remote_id} is in the WordPress trash (Posts > Trash "
                                        "restores it)")

    def _twitter(self, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
        tweets = [part for part in self.ledger.parts(self.slug, "twitter") if part.kind in ("tweet", "correction")
                  and part.status == "done" and part.remote_id]
        if transport.kind != "live" or receipt.transport != "live":
            return self._retracted(receipt, "only in the outbox; nothing was posted")
        deleted = 0
        for number, part in enumerate(reversed(tweets), 1):  # the last reply first: no reply is left orphaned
            deleted += transport.delete_tweet(part.remote_id, number)
        return self._retracted(receipt, f"{len(tweets)} tweets deleted ({deleted} now)")

    def _medium(self, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
        if self.by_hand:
            return self._retracted(receipt, "deleted or unlisted on Medium by hand")
        where = receipt.url or STORIES_URL
        detail = (f"Medium's API cannot delete a post: open {where}, then Edit story > More > Delete story (or "
                  f"unlist it); then run `herald retract {self.slug} --channels medium --by-hand --yes`")
        self.ledger.record_receipt(self.slug, "medium", "needs_attention", url=receipt.url,
                                   remote_id=receipt.remote_id, payload_hash=receipt.payload_hash, detail=detail,
                                   transport=receipt.transport)
        return ChannelResult("medium", "needs_attention", receipt.url, detail, receipt.transport)

    def _email(self, transport, receipt: ReceiptRow) -> ChannelResult:  # noqa: ANN001
        if not self.reason:
            return ChannelResult("email", receipt.status, receipt.url, "an email cannot be unsent; nothing sent "
                                 "(`--reason TEXT` sends a short retraction notice to the list)", receipt.transport)
        notice = retraction_email(self.slug, self.recorded.title, self.recorded.date, self.settings.email, self.reason,
                                  self.sent_at)
        if transport.kind == "live":
            transport.part_kind = NOTICE_KIND
            sent = transport.send(notice)
            detail = f"retraction notice {notice.message_id} sent: {sent.detail}"
        else:
            folder = self.settings.outbox / self.slug
            folder.mkdir(parents=True, exist_ok=True)
            detail = f"retraction notice written to {write_atomically(folder / 'retraction.eml', notice.as_bytes())}"
        return self._retracted(receipt, detail)
