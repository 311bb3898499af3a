"""PDS benchmark: how long the live tests' real Bluesky PDS takes to start, and a 5-post thread to go out through it.

Run: .venv/bin/python bench/pds.py [--runs 3]  (prints figures measured in this one run, with the load average)

Each run starts `tests/servers/pds/index.js` (`npm ci` first if its packages are missing, not timed), times node's
start to a healthy `/xrpc/_health` and then to an account with an app password, and sends a 5-post thread with the
link card through `BlueskyTransport` into a scratch ledger. Median (min-max) of `--runs`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "servers")]

from pds_server import ensure_packages, pds_server  # noqa: E402

from channels.bluesky.draft import BlueskyDraft, BlueskyPost, LinkCard  # noqa: E402
from channels.bluesky.settings import BlueskySettings  # noqa: E402
from channels.bluesky.transport import BlueskyTransport  # noqa: E402
from herald.core.ledger import Ledger  # noqa: E402


def one_run(number: int) -> tuple[float, float, float]:
    """(healthy, with account, thread) seconds for one fresh PDS."""
    started = time.monotonic()
    with pds_server() as account, tempfile.TemporaryDirectory() as scratch:
        ready = time.monotonic() - started
        ledger = Ledger.at(Path(scratch) / "herald.db")
        slug = f"bench-{number}"
        ledger.record_update(slug, "bench.md", "Bench", dt.date(2026, 11, 30))
        settings = BlueskySettings(pds_url=account.url, handle=account.handle, app_password=account.app_password,
                                   enabled=True)
        draft = BlueskyDraft(posts=tuple(BlueskyPost(f"Post {n} of the benchmark thread.") for n in range(1, 6)),
                             card=LinkCard("https://diff.example/bench", "Bench", "A benchmark."))
        sent = time.monotonic()
        BlueskyTransport(settings, ledger, slug).send(draft)
        thread = time.monotonic() - sent
        ledger.close()
        return account.started_in, ready, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    ensure_packages()
    results = [one_run(n) for n in range(runs)]
    print(f"load average {os.getloadavg()[0]:.2f}; {runs} runs; median (min-max) seconds")
    for index, label in enumerate(("PDS healthy", "PDS with account", "5-post thread sent")):
        values = [result[index] for result in results]
        print(f"  {label:20} {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})")


if __name__ == "__main__":
    main()
