"""A seeded fault plan shared by the contract fakes: fail a share of writes, before or after applying them.

Each write the plan is asked about gets one decision, drawn from its own `random.Random(seed)`, so the same
seed and the same sequence of writes give the same faults. A fault has a *mode* and a *variant*:

- mode `before`: the write is **not applied**.
  `refuse` answers the protocol's "not applied, try again" error (HTTP 503, SMTP `451 4.3.0`);
  `drop` closes the connection without an answer (FIN), `reset` resets it (RST): the client cannot tell these
  apart from a lost reply, which is the point.
- mode `after`: the write **is applied** (the tweet, post or message is stored), then the reply is lost:
  `drop` closes the connection without an answer (the most realistic lost reply), `reset` resets it,
  `500` / `504` answer an error status a client must treat as "outcome unknown" (HTTP only).

The HTTP fakes (`RecordingServer`) ask only about write methods (POST, PUT, PATCH, DELETE) that are also in
`methods`, never about reads, so a client can always reconcile by reading. The SMTP `Mailbox` asks once per
DATA (ignoring `methods` and `paths`).
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MODES = ("before", "after")
BEFORE_VARIANTS = ("refuse", "drop", "reset")
AFTER_VARIANTS = ("drop", "reset", "500", "504")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Fault:
    """What to do to one write: `mode` is `before` or `after`, `variant` how the client sees it."""

    mode: str
    variant: str

    @property
    def applied(self) -> bool:
        """Whether the write is applied before the fault (mode `after`)."""
        return self.mode == "after"

    @property
    def key(self) -> str:
        """`mode:variant`, the key of `FaultPlan.variants`."""
        return f"{self.mode}:{self.variant}"


@dataclass(frozen=True)
class Decision:
    """One write the plan decided about, in order: `fault` is None for a write left alone."""

    number: int
    method: str
    path: str
    fault: Fault | None


class FaultPlan:
    """Decides, per write, deterministically from `seed`: no fault, a fault before applying, or after.

    `share` (0..1) of the writes get a fault; its mode is drawn from `modes` and its variant from `before` or
    `after`. `methods` and `paths` (regular expressions, `re.search` on the request path or route) narrow which
    writes are eligible; `limit` caps the number of faults; `retry_after` (seconds) adds a `Retry-After` header
    to HTTP `refuse` answers. Thread-safe: one plan may be shared by several fakes.

    Counters: `counts` (`before`, `after`, `none`), `variants` (`before:refuse`, `after:drop`, ...),
    `history` (every `Decision`), `injected` (total faults).
    """

    def __init__(
        self,
        share: float,
        seed: int,
        modes: Iterable[str] = MODES,
        methods: Iterable[str] = ("POST",),
        *,
        before: Iterable[str] = ("refuse",),
        after: Iterable[str] = ("drop",),
        paths: Iterable[str] | None = None,
        limit: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share must be between 0 and 1, not {share}")
        self.share = share
        self.seed = seed
        self.modes = tuple(modes)
        self.methods = frozenset(method.upper() for method in methods)
        self.before = tuple(before)
        self.after = tuple(after)
        for name, chosen, allowed in (("modes", self.modes, MODES), ("before", self.before, BEFORE_VARIANTS),
                                      ("after", self.after, AFTER_VARIANTS)):
            unknown = set(chosen) - set(allowed)
            if unknown or not chosen:
                raise ValueError(f"{name} must be a non-empty choice of {allowed}, not {chosen}")
        self.paths = tuple(re.compile(pattern) for pattern in paths) if paths is not None else None
        self.limit = limit
        self.retry_after = retry_after
        self.enabled = True
        self.counts: Counter[str] = Counter()
        self.variants: Counter[str] = Counter()
        self.history: list[Decision] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"FaultPlan(share={self.share}, seed={self.seed}, modes={self.modes}, before={self.before}, "
                f"after={self.after}, injected={self.injected})")

    @property
    def injected(self) -> int:
        """How many faults were injected so far."""
        return self.counts["before"] + self.counts["after"]

    def eligible(self, method: str, path: str) -> bool:
        """Whether an HTTP request may get a fault: a write method in `methods`, on a path `paths` allows."""
        method = method.upper()
        if method not in WRITE_METHODS or method not in self.methods:
            return False
        return self.paths is None or any(pattern.search(path) for pattern in self.paths)

    def decide(self, method: str, path: str) -> Fault | None:
        """The fault for one HTTP request, or None; reads and ineligible writes are never faulted nor counted."""
        if not self.eligible(method, path):
            return None
        return self.roll(method.upper(), path)

    def roll(self, method: str, path: str = "") -> Fault | None:
        """Draw the decision for one write unconditionally (the SMTP server calls this once per DATA)."""
        with self._lock:
            if not self.enabled:
                return None
            draw = self._random.random()
            fault = None
            if draw < self.share and (self.limit is None or self.injected < self.limit):
                mode = self._random.choice(self.modes)
                fault = Fault(mode, self._random.choice(self.before if mode == "before" else self.after))
            self.counts[fault.mode if fault else "none"] += 1
            if fault:
                self.variants[fault.key] += 1
            self.history.append(Decision(len(self.history) + 1, method, path, fault))
            return fault

    @contextmanager
    def suspended(self) -> Iterator[FaultPlan]:
        """No faults (and no draws) inside the block: for setup and for reading back what was applied."""
        with self._lock:
            before, self.enabled = self.enabled, False
        try:
            yield self
        finally:
            with self._lock:
                self.enabled = before

    def summary(self) -> dict[str, object]:
        """The counters as plain data, for a suite's report."""
        with self._lock:
            return {"seed": self.seed, "share": self.share, "writes": len(self.history),
                    "injected": self.injected, "counts": dict(self.counts), "variants": dict(self.variants)}
