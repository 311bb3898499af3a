"""Settle by hand what herald could not: a write whose outcome only a person can check."""

from __future__ import annotations

import re

from herald.ledger import Ledger
from herald.transports.parts import is_unsettled

SINGLE_PART_CHANNELS = ("medium", "email")
_TWEET_ID = re.compile(r"/status(?:es)?/(\d+)")


class NothingToResolve(ValueError):
    """The channel has no write waiting for a person."""


def remote_id_from(channel: str, url: str) -> str:
    """The service's id in a URL a person pasted (a tweet's status id; otherwise the URL itself)."""
    found = _TWEET_ID.search(url) if channel == "twitter" else None
    return found.group(1) if found else url


def resolve(ledger: Ledger, slug: str, channel: str, sent_url: str | None) -> str:
    """Mark the first unsettled write of a channel as sent (at `sent_url`) or not sent; returns what was done."""
    unsettled = [part for part in ledger.parts(slug, channel) if is_unsettled(part)]
    if not unsettled:
        raise NothingToResolve(f"{slug}: {channel}: nothing is waiting to be resolved")
    part = unsettled[0]
    receipt = ledger.receipt(slug, channel)
    transport = receipt.transport if receipt else "live"
    if sent_url:
        ledger.mark_part_done(slug, channel, part.kind, part.position, remote_id_from(channel, sent_url), sent_url)
        if channel in SINGLE_PART_CHANNELS:
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
