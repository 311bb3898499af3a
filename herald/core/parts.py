"""Each remote write as a ledger part: intended before it is sent, then done, not sent, or ambiguous."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from herald.core.draft import Receipt
from herald.core.ledger import Ledger, PartRow
from herald.core.status import UNSETTLED_PART_STATUSES
from herald.core.transport import Ambiguous, NeedsAttention


@contextmanager
def tracked_write(ledger: Ledger, slug: str, channel: str, kind: str, position: int, digest: str) -> Iterator[None]:
    """Mark the part intended, run the write, and record a failure as not sent or ambiguous.

    The caller marks the part done with the remote id. A process killed mid-write leaves it `intended`,
    which later runs treat as unsettled, never as safe to resend.
    """
    ledger.mark_part_intended(slug, channel, kind, position, digest)
    try:
        yield
    except Ambiguous:
        ledger.mark_part_ambiguous(slug, channel, kind, position)
        raise
    except Exception:
        ledger.mark_part_not_sent(slug, channel, kind, position)
        raise


def is_unsettled(part: PartRow | None) -> bool:
    """A write that was started and may have been applied: it must be looked up or settled by a person."""
    return part is not None and part.status in UNSETTLED_PART_STATUSES


def resolve_hint(slug: str, channel: str) -> str:
    """The command a person runs once they have checked."""
    return f"then run `herald resolve {slug} {channel} --sent URL` (or `--not-sent`)"


def gone_hint(slug: str, channel: str, position: int) -> str:
    """What a person runs when a post herald recorded as sent was deleted on the service mid-thread."""
    return (f"`herald resolve {slug} {channel} --part {position} --not-sent` posts it again on the next publish; "
            f"`herald retract {slug}` takes the thread down instead")


def earlier_single_write(ledger: Ledger, slug: str, channel: str, kind: str, unchecked: str) -> Receipt | None:
    """For a channel of one write that no lookup can confirm: its receipt if it went, None if it may be sent.

    An unsettled write raises NeedsAttention with `unchecked` (what a person should look at).
    """
    part = ledger.part(slug, channel, kind, 1)
    if part is not None and part.status == "done":
        return Receipt(channel=channel, status="published", url=part.url, remote_id=part.remote_id,
                       detail="sent earlier; not sent again")
    if is_unsettled(part):
        raise NeedsAttention(f"{unchecked}, {resolve_hint(slug, channel)}")
    return None


def reused_upload(ledger: Ledger, slug: str, channel: str, kind: str, digest: str, upload: Callable[[], str],
                  keep_for: dt.timedelta, again: bool = False, now: dt.datetime | None = None) -> str:
    """An image upload as a ledger part: the last done one while the service keeps it and it is the same image,
    else a new part (a changed image, an expired upload, or `again`); an unsettled upload is simply made again,
    since media no post carries is never shown."""
    uploads = sorted(ledger.parts(slug, channel, kind), key=lambda part: part.position)
    latest = uploads[-1] if uploads else None
    if latest is not None and latest.status == "done":
        fresh = (now or dt.datetime.now(dt.UTC)) - latest.updated_at < keep_for and not again
        if latest.payload_hash == digest and latest.remote_id and fresh:
            return latest.remote_id
        position = latest.position + 1
    else:
        position = latest.position if latest is not None else 1
    with tracked_write(ledger, slug, channel, kind, position, digest):
        media_id = upload()
    ledger.mark_part_done(slug, channel, kind, position, media_id)
    return media_id


def thread_receipt(channel: str, parts: list[dict], noun: str) -> Receipt:
    """A thread's receipt: post 1's URL and id, how many went out now, and which were posted earlier differently."""
    posted = sum(part["status"] == "posted" for part in parts)
    detail = f"thread of {len(parts)} {noun}; {posted} posted in this publish"
    changed = [str(part["position"]) for part in parts if part["changed"]]
    if changed:
        detail += f"; {noun} {', '.join(changed)} were posted earlier with different text"
    return Receipt(channel=channel, status="published", url=parts[0]["url"], remote_id=parts[0]["id"],
                   detail=detail, parts=tuple(parts))


def counted_since(receipt: Receipt, ledger: Ledger, slug: str, kind: str, noun: str, since: dt.datetime) -> Receipt:
    """A thread's receipt counting as posted in this publish every part done since it started, so posts an earlier
    attempt of the same publish sent (before a retried failure) are not reported as sent some other time."""
    fresh = {part.position for part in ledger.parts(slug, receipt.channel, kind)
             if part.status == "done" and part.updated_at >= since}
    parts = [{**part, "status": "posted"} if part["status"] == "already_posted" and part["position"] in fresh
             else part for part in receipt.parts]
    return thread_receipt(receipt.channel, parts, noun)
