"""What every benchmark script shares: the load line, median (min-max), and the smoke mode's sanity checks."""

from __future__ import annotations

import os
import statistics


def load_line() -> str:
    """The machine's load averages and cores, printed first by every script."""
    return f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores"


def spread(timings: list[float], digits: int = 1) -> str:
    """Median (min-max)."""
    return f"{statistics.median(timings):.{digits}f} ({min(timings):.{digits}f}-{max(timings):.{digits}f})"


def expect(condition: object, problem: str) -> None:
    """Stop with `problem` when a measured thing did not run or gave the wrong shape of output."""
    if not condition:
        raise SystemExit(f"bench sanity check failed: {problem}")


def smoke_ok(what: str) -> None:
    """The line the test suite looks for once a smoke run checked itself."""
    print(f"smoke ok: {what}")
