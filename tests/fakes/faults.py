"""A fault plan shared by the contract fakes: fail writes, before or after applying them, seeded or scripted.

Each write the plan is asked about gets one decision. Scripted rules (`FaultPlan.on`) are consulted first and pin
exact faults ("the 2nd POST to /2/tweets: after:503", "every POST to /v1/users/*/posts: after:503"); otherwise
the decision is drawn from the plan's own `random.Random(seed)` for a `share` of the eligible writes, so the same
seed and the same sequence of writes give the same faults. A fault has a *mode* and a *variant*:

- mode `before`: the write is **not applied**.
  `refuse` answers the protocol's "not applied, try again" error (HTTP 503, SMTP `451 4.3.0`); a status
  (`400`, `401`, `403`, `404`, `409`, `413`, `429`, `500`, `502`, `503`, `504`; SMTP `421`, `451`, `550`, `554`)
  answers that status in the service's error format (`429` and `503` with `Retry-After` when `retry_after` is set;
  X's 429 also with `x-rate-limit-reset`; SMTP `421` then closes the connection);
  `drop` closes the connection without an answer (FIN), `reset` resets it (RST), `timeout` holds the request
  `hold` seconds without answering, then closes (FIN): the client cannot tell these apart from a lost reply.
- mode `after`: the write **is applied** (the tweet, post or message is stored), then the reply is lost or
  replaced: `drop`, `reset`, `timeout` as above; `500` / `502` / `503` / `504` answer an error status a client must
  treat as "outcome unknown" (HTTP only); `451` answers SMTP's temporary refusal after storing (SMTP only).

Which variants a server can inject: `HTTP_VARIANTS`, `SMTP_VARIANTS` (servers refuse plans asking for others).
The HTTP fakes (`RecordingServer`, the WordPress fault proxy) ask only about write methods (POST, PUT, PATCH,
DELETE), never about reads, so a client can always reconcile by reading; the random draw further needs the
method in `methods` and the path allowed by `paths`, while a rule names its own method and path. The SMTP
`Mailbox` asks once per DATA, with method `DATA` and the message's Message-ID as the path.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MODES = ("before", "after")
LOST = ("drop", "reset", "timeout")
HTTP_VARIANTS = {"before": ("refuse", *LOST, "400", "401", "403", "404", "409", "413", "429", "500", "502", "503",
                            "504"),
                 "after": (*LOST, "500", "502", "503", "504")}
SMTP_VARIANTS = {"before": ("refuse", *LOST, "421", "451", "550", "554"), "after": (*LOST, "451")}
BEFORE_VARIANTS = tuple(dict.fromkeys(HTTP_VARIANTS["before"] + SMTP_VARIANTS["before"]))
AFTER_VARIANTS = tuple(dict.fromkeys(HTTP_VARIANTS["after"] + SMTP_VARIANTS["after"]))
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

    @property
    def status(self) -> int | None:
        """The status code the fault answers (`refuse` is 503), or None when the connection is lost instead."""
        if self.variant == "refuse":
            return 503
        return int(self.variant) if self.variant.isdigit() else None

    @classmethod
    def parse(cls, key: str | Fault) -> Fault:
        """`"after:503"` -> Fault("after", "503"), checked against the known variants."""
        if isinstance(key, Fault):
            return key
        mode, _, variant = key.partition(":")
        allowed = {"before": BEFORE_VARIANTS, "after": AFTER_VARIANTS}.get(mode, ())
        if variant not in allowed:
            raise ValueError(f"unknown fault {key!r}: expected before:<{'|'.join(BEFORE_VARIANTS)}> or "
                             f"after:<{'|'.join(AFTER_VARIANTS)}>")
        return cls(mode, variant)


@dataclass(frozen=True)
class Decision:
    """One write the plan decided about, in order: `fault` is None for a write left alone."""

    number: int
    method: str
    path: str
    fault: Fault | None
    scripted: bool = False  # decided by a rule, not drawn


def _path_pattern(path: str | re.Pattern[str] | None) -> re.Pattern[str] | None:
    """A rule's path: a compiled regex is searched; a string is a whole-path glob (`*` one segment, `**` any)."""
    if path is None or isinstance(path, re.Pattern):
        return path
    parts = re.split(r"(\*\*|\*)", path)
    return re.compile("^" + "".join({"**": ".*", "*": "[^/]*"}.get(part, re.escape(part)) for part in parts) + r"\Z")


@dataclass
class Rule:
    """A scripted fault: matching writes are counted from when the rule was added (`seen`); the `nth` one and the
    `times - 1` after it get `fault` (every match when both are None). `fired` counts the faults it gave."""

    method: str
    path: re.Pattern[str] | None
    fault: Fault
    nth: int | None = None
    times: int | None = None
    seen: int = field(default=0)
    fired: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and (self.path is None or self.path.search(path) is not None)

    def take(self) -> bool:
        """Count one matching write; whether this one gets the fault."""
        self.seen += 1
        first = self.nth or 1
        last = None if self.times is None and self.nth is None else first + (self.times or 1) - 1
        hit = self.seen >= first and (last is None or self.seen <= last)
        self.fired += hit
        return hit


class FaultPlan:
    """Decides, per write, deterministically from `seed`: no fault, a fault before applying, or after.

    `share` (0..1) of the writes get a fault; its mode is drawn from `modes` and its variant from `before` or
    `after`. `methods` and `paths` (regular expressions, `re.search` on the request path or route) narrow which
    writes are eligible; `limit` caps the number of drawn faults; `retry_after` (seconds) adds a `Retry-After`
    header to HTTP 503 and 429 answers; `hold` (seconds) is how long a `timeout` fault keeps the connection open
    without answering. `on(...)` adds scripted rules, consulted before the draw (`FaultPlan.scripted()` is a plan
    with rules only). Thread-safe: one plan may be shared by several fakes.

    Counters: `counts` (`before`, `after`, `none`), `variants` (`before:refuse`, `after:drop`, ...),
    `history` (every `Decision`), `injected` (total faults), `rules` (each with `seen` and `fired`).
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
        hold: float = 2.0,
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
        self.hold = hold
        self.rules: list[Rule] = []
        self.enabled = True
        self.counts: Counter[str] = Counter()
        self.variants: Counter[str] = Counter()
        self.history: list[Decision] = []
        self._random = random.Random(seed)
        self._drawn = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"FaultPlan(share={self.share}, seed={self.seed}, modes={self.modes}, before={self.before}, "
                f"after={self.after}, injected={self.injected})")

    @classmethod
    def scripted(cls, *, retry_after: int | None = None, hold: float = 2.0) -> FaultPlan:
        """A plan that injects only what its rules (`on`) say."""
        return cls(0.0, seed=0, retry_after=retry_after, hold=hold)

    def on(
        self, method: str, path: str | re.Pattern[str] | None, fault: str | Fault, *, nth: int | None = None,
        times: int | None = None,
    ) -> FaultPlan:
        """Script a fault: `on("POST", "/2/tweets", "after:503", nth=2)` faults the 2nd POST to /2/tweets from now;
        `on("POST", "/v1/users/*/posts", "after:503")` every one; `times=3` three in a row. Returns the plan.

        `path`: a whole-path glob (`*` one segment, `**` anything), a compiled regex (searched), or None (any; the
        SMTP Mailbox's path is the Message-ID). `method`: a write method, or `DATA` for SMTP."""
        method = method.upper()
        if method not in WRITE_METHODS | {"DATA"}:
            raise ValueError(f"only writes can be faulted, not {method}")
        if (nth is not None and nth < 1) or (times is not None and times < 1):
            raise ValueError("nth and times count from 1")
        with self._lock:
            self.rules.append(Rule(method, _path_pattern(path), Fault.parse(fault), nth, times))
        return self

    def check(self, allowed: dict[str, tuple[str, ...]], server: str) -> None:
        """Refuse a plan with variants `server` cannot inject (`allowed`: HTTP_VARIANTS or SMTP_VARIANTS)."""
        wanted = [(mode, variant) for mode in self.modes for variant in getattr(self, mode)]
        wanted += [(rule.fault.mode, rule.fault.variant) for rule in self.rules]
        unsupported = sorted({f"{mode}:{variant}" for mode, variant in wanted if variant not in allowed[mode]})
        if unsupported:
            raise ValueError(f"{server} cannot inject {', '.join(unsupported)}")

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
        """The fault for one HTTP request, or None; reads, and writes neither eligible nor scripted, are never
        faulted nor counted."""
        method = method.upper()
        if method not in WRITE_METHODS:
            return None
        return self._decide(method, path, draw=self.eligible(method, path))

    def roll(self, method: str, path: str = "") -> Fault | None:
        """The decision for one write, drawn unconditionally unless a rule decides (SMTP: once per DATA)."""
        return self._decide(method.upper(), path, draw=True)

    def _decide(self, method: str, path: str, *, draw: bool) -> Fault | None:
        with self._lock:
            if not self.enabled:
                return None
            scripted = None
            for rule in self.rules:
                if rule.matches(method, path) and rule.take() and scripted is None:
                    scripted = rule.fault
            if scripted is None and not draw:
                return None
            fault = scripted
            if scripted is None and self._random.random() < self.share and (
                    self.limit is None or self._drawn < self.limit):
                mode = self._random.choice(self.modes)
                fault = Fault(mode, self._random.choice(self.before if mode == "before" else self.after))
                self._drawn += 1
            self.counts[fault.mode if fault else "none"] += 1
            if fault:
                self.variants[fault.key] += 1
            self.history.append(Decision(len(self.history) + 1, method, path, fault, scripted is not None))
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
                    "injected": self.injected, "counts": dict(self.counts), "variants": dict(self.variants),
                    "rules": [{"method": r.method, "path": r.path.pattern if r.path else None, "fault": r.fault.key,
                               "seen": r.seen, "fired": r.fired} for r in self.rules]}
