"""How a ready draft leaves herald: the outbox by default, live APIs when configured."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from content.body_images import InlineImage
from herald.core.draft import Draft, Receipt
from herald.core.status import Status


class TransportError(RuntimeError):
    """A send that failed; `transient` says whether retrying can help (nothing was applied)."""

    transient = False


class TransientError(TransportError):
    """Connection refused, 429, or a 5xx known not to have been applied: safe to retry after a pause."""

    transient = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Ambiguous(TransportError):
    """The write may have been applied but no answer came; `transient` when a rerun can look it up."""

    def __init__(self, message: str, reconcilable: bool = False) -> None:
        super().__init__(message)
        self.transient = reconcilable


class NeedsAttention(TransportError):
    """An outcome herald cannot settle by itself: a person checks, then runs `herald resolve`."""


class PreflightError(TransportError):
    """Credentials or quota checked before the first side effect, and found wanting."""


class Transport:
    """Sends one channel's draft and says what happened; every member a channel may offer, with a default that does
    nothing, so the flow and the lifecycle call them without asking whether they exist."""

    kind: str = "live"
    progress: Callable[[str], None] = staticmethod(lambda text: None)  # the flow sets a per-channel reporter

    def preflight(self, draft: Draft) -> None:
        """Cheap read-only checks (credentials, quota); raise PreflightError."""

    def check_site(self, draft: Draft) -> None:
        """Read-only checks of what the draft names on the live site (WordPress: its terms); raise PreflightError."""

    def look_up(self, draft: Draft) -> None:
        """Read-only: after an unclear outcome, find out whether the last write went (settles it in the ledger)."""

    def send(self, draft: Draft) -> Receipt:
        """Send the draft; raise a TransportError that says whether anything may have been applied."""
        raise NotImplementedError

    def upload_images(self, images: Sequence[InlineImage]) -> dict[str, str]:
        """Upload the body's images once; their public URLs by content digest (only a channel hosting media)."""
        raise NotImplementedError(f"{type(self).__name__} does not host images")

    def ensure_published(self, remote_id: int) -> str | None:
        """Once a scheduled post is due: make sure it is public and return its link (None: nothing to do)."""
        return None

    def close(self) -> None:
        """Release connections (an SMTP session pre-flight kept, HTTP clients)."""


@contextmanager
def closing(transports: Iterable[Transport]) -> Iterator[None]:
    """Close every transport at the end, whatever happened."""
    try:
        yield
    finally:
        for transport in transports:
            transport.close()


def status_of(error: BaseException) -> Status:
    """The status of a failed write: a person must settle it, or failed (a rerun can finish it)."""
    if isinstance(error, NeedsAttention) or (isinstance(error, Ambiguous) and not error.transient):
        return Status.NEEDS_ATTENTION
    return Status.FAILED
