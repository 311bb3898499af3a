"""How a ready draft leaves herald: the outbox by default, live APIs when configured."""

from __future__ import annotations

from typing import Protocol

from channels.base import Draft, Receipt


class Transport(Protocol):
    """Sends one channel's draft and says what happened."""

    kind: str

    def send(self, draft: Draft) -> Receipt: ...
