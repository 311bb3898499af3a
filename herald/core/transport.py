"""How a ready draft leaves herald: the outbox by default, live APIs when configured."""

from __future__ import annotations

from typing import Protocol

from herald.core.draft import Draft, Receipt


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


class Transport(Protocol):
    """Sends one channel's draft and says what happened."""

    kind: str

    def preflight(self, draft: Draft) -> None:
        """Cheap read-only checks (credentials, quota); raise PreflightError."""
        ...

    def send(self, draft: Draft) -> Receipt: ...
