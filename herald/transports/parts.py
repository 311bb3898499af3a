"""Each remote write as a ledger part: intended before it is sent, then done, not sent, or ambiguous."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from channels.base import Receipt
from herald.ledger.store import UNSETTLED_PART_STATUSES, Ledger, PartRow
from herald.transports import Ambiguous, NeedsAttention


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
