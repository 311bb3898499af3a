"""One publisher at a time per update: a lease in the ledger, taken over only when its holder is gone."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from herald.core.ledger import Ledger
from herald.core.transport import TransportError


class LeaseHeld(TransportError):
    """Another publish of the same update is running."""


def lease_owner() -> str:
    """`host:pid:nonce` for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_gone(owner: str) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextmanager
def publish_lease(ledger: Ledger, slug: str, ttl_seconds: float) -> Iterator[str]:
    """Hold the update's publish lease for the block; raise LeaseHeld if another live publisher has it."""
    owner = lease_owner()
    holder = ledger.acquire_lease(slug, owner, ttl_seconds)
    if holder is not None and holder_is_gone(holder):
        holder = ledger.acquire_lease(slug, owner, ttl_seconds, stale_owner=holder)
    if holder is not None:
        held = ledger.lease_holder(slug)
        until = f" until {held[1]:%Y-%m-%d %H:%M} UTC" if held else ""
        raise LeaseHeld(f"another publish of {slug} is running ({holder}{until}); nothing was sent by this one")
    try:
        yield owner
    finally:
        ledger.release_lease(slug, owner)
