"""How a ready draft leaves herald: the outbox by default, live APIs when configured."""

from __future__ import annotations

from typing import Protocol

from channels.base import Draft, Receipt


class TransportError(RuntimeError):
    """A send that failed; `transient` says whether retrying can help (nothing was applied)."""

    transient = False


class TransientError(TransportError):
    """Connection refused, 429, or a 5xx known not to have been applied: safe to retry after a pause."""

    transient = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PreflightError(TransportError):
    """Credentials or quota checked before the first side effect, and found wanting."""


class Transport(Protocol):
    """Sends one channel's draft and says what happened."""

    kind: str

    def preflight(self, draft: Draft) -> None:
        """Cheap read-only checks (credentials, quota); raise PreflightError."""
        ...

    def send(self, draft: Draft) -> Receipt: ...
