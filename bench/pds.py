"""PDS benchmark: how long the live tests' real Bluesky PDS takes to start, and a 5-post thread to go out through it.

Run: .venv/bin/python bench/pds.py [--runs 3] [--smoke]  (figures measured in this one run, with the load average)

Each run starts `tests/servers/pds/index.js` (`npm ci` first if its packages are missing, not timed), times node's
start to a healthy `/xrpc/_health` and then to an account with an app password, and sends a 5-post thread with the
link card through `BlueskyTransport` into a scratch ledger. Median (min-max) of `--runs`. `--smoke`: one run; checks
that the thread's five posts are in the ledger, each with its at:// URI. Needs Node.js 18+ and npm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "servers")]

from benchkit import expect, load_line, smoke_ok  # noqa: E402
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
        receipt = BlueskyTransport(settings, ledger, slug).send(draft)
        thread = time.monotonic() - sent
        posted = ledger.parts(slug, "bluesky", "post")
        ledger.close()
        expect(receipt.status == "published", f"the thread was not published: {receipt}")
        expect(len(posted) == 5 and all(str(p.remote_id or p.url or "").startswith("at://") for p in posted),
               f"the ledger holds {[(p.position, p.status, p.remote_id) for p in posted]}")
        return account.started_in, ready, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one run; checks the thread in the ledger")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    ensure_packages()
    results = [one_run(n) for n in range(runs)]
    print(f"{load_line()}; {runs} runs; median (min-max) seconds")
    for index, label in enumerate(("PDS healthy", "PDS with account", "5-post thread sent")):
        values = [result[index] for result in results]
        print(f"  {label:20} {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})")
    if args.smoke:
        smoke_ok("a fresh PDS, an account, a 5-post thread in the ledger")


if __name__ == "__main__":
    main()
