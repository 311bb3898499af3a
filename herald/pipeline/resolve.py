"""Settle by hand what herald could not, and say what to do next for a channel in any state."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from channels.registry import CHANNELS
from herald.core.parts import is_unsettled
from herald.core.status import PUBLISHED_STATUSES

if TYPE_CHECKING:
    from herald.core.ledger import Ledger, PartRow, ReceiptRow

_GONE = re.compile(r"\b(post|status|tweet) (\d+) was posted .* no longer on")


def _found_gone(receipt: ReceiptRow | None, position: int | None) -> bool:
    """Whether herald found part `position`, recorded as sent, deleted on the service (only then may a person
    settle it as not sent, to post it again)."""
    found = _GONE.search(receipt.detail or "") if receipt is not None and receipt.status == "needs_attention" else None
    return found is not None and position is not None and int(found.group(2)) == position


class NothingToResolve(ValueError):
    """The channel has no write waiting for a person."""


def remote_id_from(channel: str, url: str) -> str:
    """The service's id in a URL a person pasted (a tweet's status id; otherwise the URL itself)."""
    return CHANNELS[channel].remote_id(url) if channel in CHANNELS else url

REMADE = ("media", "alt_text")  # uploads and their descriptions are made again by a rerun, never settled by hand


def _pick(ledger: Ledger, slug: str, channel: str, position: int | None, gone: bool = False) -> PartRow:
    """The write a person is settling: the first unsettled one, or the one at `position`."""
    recorded = ledger.parts(slug, channel)
    if position is None:
        unsettled = sorted((part for part in recorded if is_unsettled(part)), key=lambda part: part.kind in REMADE)
        if not unsettled:
            raise NothingToResolve(f"{slug}: {channel}: nothing is waiting to be resolved")
        return unsettled[0]
    # a retraction's own deletes are never what a person settles
    candidates = sorted((part for part in recorded if part.position == position and part.kind != "delete"),
                        key=lambda part: (not is_unsettled(part), part.kind in REMADE))
    if not candidates:
        raise NothingToResolve(f"{slug}: {channel}: there is no part {position}")
    part = candidates[0]
    if part.status == "done" and not gone:  # `--not-sent` on a sent part: a person found it deleted on the service
        raise NothingToResolve(f"{slug}: {channel}: {part.kind} {part.position} is already recorded as sent"
                               + (f" ({part.url})" if part.url else ""))
    return part


def resolve(ledger: Ledger, slug: str, channel: str, sent_url: str | None, position: int | None = None) -> str:
    """Mark a write of a channel as sent (at `sent_url`) or not sent; returns what was done.

    Without `position`, the first unsettled write; with it, that part (a tweet's number), even one recorded as
    not sent. A Medium article waiting for its manual import is recorded as published at `sent_url`.
    """
    receipt = ledger.receipt(slug, channel)
    transport = receipt.transport if receipt else "live"
    if receipt is not None and receipt.status == "pending_manual" and position is None:
        if not sent_url:
            raise NothingToResolve(f"{slug}: {channel}: the manual import is still to be done; once it is "
                                   f"imported on the service, run `herald resolve {slug} {channel} --sent URL`")
        ledger.record_receipt(slug, channel, "published", url=sent_url, remote_id=remote_id_from(channel, sent_url),
                              detail="imported by hand", transport=transport)
        return f"{channel}: recorded as published at {sent_url}"
    part = _pick(ledger, slug, channel, position, gone=not sent_url and _found_gone(receipt, position))
    if sent_url:
        ledger.mark_part_done(slug, channel, part.kind, part.position, remote_id_from(channel, sent_url), sent_url)
        if not CHANNELS[channel].thread:
            ledger.record_receipt(slug, channel, "published", url=sent_url, remote_id=remote_id_from(channel, sent_url),
                                  detail="settled by hand: it was sent", transport=transport)
            return f"{channel}: recorded as published at {sent_url}"
        ledger.record_receipt(slug, channel, "failed", detail=f"{part.kind} {part.position} settled by hand as "
                              "sent; publish again to finish", transport=transport)
        return f"{channel}: {part.kind} {part.position} recorded as sent; publish again to finish the rest"
    ledger.mark_part_not_sent(slug, channel, part.kind, part.position)
    ledger.record_receipt(slug, channel, "failed", detail=f"{part.kind} {part.position} settled by hand as not "
                          "sent; publish again to send it", transport=transport)
    return f"{channel}: {part.kind} {part.position} recorded as not sent; publish again to send it"


def advice(ledger: Ledger, slug: str, channel: str, source: str, receipt: ReceiptRow | None = None) -> str | None:
    """The next command for a channel that is not done, valid in the state the ledger is in now."""
    receipt = receipt or ledger.receipt(slug, channel)
    if receipt is None or receipt.status in PUBLISHED_STATUSES and receipt.status != "pending_manual":
        return None
    again = f"`herald publish {source}`"
    if receipt.status == "pending_manual":
        return f"import the article by hand, then run `herald resolve {slug} {channel} --sent URL`"
    unsettled = [part for part in ledger.parts(slug, channel) if is_unsettled(part)]
    gone = _GONE.search(receipt.detail or "") if receipt.status == "needs_attention" else None
    if not unsettled and gone:  # a post recorded as sent was deleted on the service: the transport named it
        return (f"check the thread; to post {gone.group(1)} {gone.group(2)} again run `herald resolve {slug} {channel} "
                f"--part {gone.group(2)} --not-sent`, then {again} (or `herald retract {slug}` to take it down)")
    if not unsettled:
        return f"run {again} again"
    part = unsettled[0]
    if CHANNELS[channel].looks_up and receipt.status != "needs_attention":
        return f"run {again} again: it looks up {part.kind} {part.position} before sending anything"
    which = f" --part {part.position}" if CHANNELS[channel].thread else ""
    return (f"check whether {part.kind} {part.position} went out, then run `herald resolve {slug} {channel}{which} "
            f"--sent URL` or `herald resolve {slug} {channel}{which} --not-sent`, then {again}")
