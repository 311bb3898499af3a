"""Recap benchmark: one month's "Don't Blink" recap from archives of 1,000 / 10,000 / 30,000 updates over ten years.

Run: .venv/bin/python bench/recap.py [--sizes 1000,10000,30000] [--no-postgres] [--smoke]  (figures from one run)

Each archive has the same month (October 2026) with the same number of updates (10,000 / 120 months = 83); the
rest are spread over the other 119 months of 2017-2026. Ledger rows (updates, four receipts each, nine parts each:
post, six tweets, Medium, email) are bulk-inserted with SQLAlchemy Core into the ledger's own tables; every update
also has its file under a temporary content dir, since the recap re-reads the month's files for their summaries.
Timed: what the monthly-recap flow does before publishing, `read_month.fn` (the ledger query and the month's
files) and `build_recap`, median of 5, on SQLite and (when Debian's PostgreSQL is installed) PostgreSQL.
`--smoke`: archives of 200 and 400 updates on SQLite only, a few seconds; checks that every archive's recap lists the
same items, read from the month's own files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "fakes"), str(REPO / "tests" / "servers")]

from benchkit import expect, load_line, smoke_ok  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402 - after the path set-up

from config.settings import load_settings  # noqa: E402
from flows.recap import read_month  # noqa: E402
from herald.core.ledger import Ledger, parts, receipts, updates  # noqa: E402
from herald.pipeline.recap import Month, build_recap  # noqa: E402

MONTH = Month(2026, 10)
PER_MONTH = 10_000 // 120
TOPICS = ["copyright", "platform rules", "data protection", "internet shutdowns", "public domain", "AI training"]
BATCH = 5_000


def months() -> list[Month]:
    return [Month(year, month) for year in range(2017, 2027) for month in range(1, 13)]


def dates(size: int, rng: random.Random) -> list[dt.date]:
    """`PER_MONTH` dates in MONTH, the rest spread evenly over the other months."""
    others = [m for m in months() if m != MONTH]
    chosen = [MONTH.start + dt.timedelta(days=i % 31) for i in range(PER_MONTH)]
    for i in range(size - PER_MONTH):
        month = others[i % len(others)]
        chosen.append(month.start + dt.timedelta(days=rng.randrange((month.end - month.start).days)))
    return chosen


def generate(root: Path, url: str, size: int) -> None:
    """The update files and the ledger rows of an archive of `size` updates."""
    rng = random.Random(size)
    folder = root / "content" / "updates"
    folder.mkdir(parents=True)
    Ledger(url).close()  # the schema, as herald creates it
    now = dt.datetime.now(dt.UTC)
    update_rows, receipt_rows, part_rows = [], [], []
    for number, day in enumerate(dates(size, rng), 1):
        topic = rng.choice(TOPICS)
        slug = f"update-{number}-{topic.replace(' ', '-')}"
        path = folder / f"{day.isoformat()}-{slug}.md"
        title = f"Update {number} on {topic}"
        path.write_text(
            f'---\ntitle: "{title}"\ndate: {day.isoformat()}\nslug: {slug}\nsummary: What happened on {topic} '
            f"in update {number}, and what we asked for.\ntags: [{topic}]\nstatus: ready\n---\n"
            f"We met officials about {topic}. See https://meta.wikimedia.org/wiki/Update_{number}.\n",
            encoding="utf-8",
        )
        update_rows.append({"id": number, "slug": slug, "source": str(path), "title": title, "date": day,
                            "first_seen_at": now, "updated_at": now})
        links = {"diff": f"https://diff.example.org/{day:%Y/%m/%d}/{slug}/",
                 "medium": f"https://medium.com/@wikimediapolicy/{slug}-{number:x}",
                 "twitter": f"https://x.com/i/status/{1850000000000000000 + number * 10}",
                 "email": f"mid:herald.{day:%Y%m%d}.{slug}@example.org"}
        for channel, link in links.items():
            receipt_rows.append({"update_id": number, "channel": channel, "status": "published", "url": link,
                                 "remote_id": str(number), "payload_hash": "0" * 64, "detail": "",
                                 "transport": "live", "created_at": now, "updated_at": now})
        for channel, kind, position in [("diff", "post", 0), ("medium", "post", 1), ("email", "message", 1),
                                        *(("twitter", "tweet", p) for p in range(1, 7))]:
            part_rows.append({"update_id": number, "channel": channel, "kind": kind, "position": position,
                              "status": "done", "remote_id": str(number), "url": None, "payload_hash": "0" * 64,
                              "created_at": now, "updated_at": now})
    engine = create_engine(url)
    with engine.begin() as conn:
        for table, rows in ((updates, update_rows), (receipts, receipt_rows), (parts, part_rows)):
            for start in range(0, len(rows), BATCH):
                conn.execute(table.insert(), rows[start:start + BATCH])
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def time_recap(root: Path, url: str) -> tuple[float, float, float, int]:
    """Median ms of: the ledger query alone, read_month (query + the month's files), build_recap; and items."""
    config = root / "herald.toml"
    config.write_text(f'content_root = "{root / "content"}"\nledger_url = "{url}"\n', encoding="utf-8")
    settings = load_settings(config)
    query, read, build, items = [], [], [], 0
    for _ in range(5):
        start = time.perf_counter()
        ledger = Ledger(url)
        ledger.published_between(MONTH.start, MONTH.end)
        ledger.close()
        query.append(time.perf_counter() - start)
        start = time.perf_counter()
        entries, found, _warnings = read_month.fn(MONTH, settings)
        read.append(time.perf_counter() - start)
        start = time.perf_counter()
        text = build_recap(MONTH, entries, found, settings)
        build.append(time.perf_counter() - start)
        items = text.count("\n## ") if text else 0
    return (statistics.median(query) * 1000, statistics.median(read) * 1000, statistics.median(build) * 1000,
            items)


def databases(stack: ExitStack, use_postgres: bool) -> list[tuple[str, object]]:
    """('sqlite', None) and, when it starts, ('postgresql', server)."""
    found: list[tuple[str, object]] = [("sqlite", None)]
    if not use_postgres:
        return found
    try:
        import postgres_server

        binaries = postgres_server.ensure_installed()
        started = time.perf_counter()
        server = stack.enter_context(postgres_server.running_postgres(binaries))
        print(f"PostgreSQL started in {time.perf_counter() - started:.1f} s")
        found.append(("postgresql", server))
    except Exception as error:  # noqa: BLE001 - report and go on with SQLite
        print(f"PostgreSQL skipped: {error}")
    return found


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="200 and 400 updates on SQLite; checks the recaps")
    args = parser.parse_args()
    sizes = [200, 400] if args.smoke else [int(size) for size in args.sizes.split(",")]
    os.environ.pop("HERALD_CONFIG", None)
    seen: set[int] = set()
    with ExitStack() as stack:
        found = databases(stack, not (args.no_postgres or args.smoke))
        print(f"{load_line()}\nmonth {MONTH}: {PER_MONTH} updates in every archive; median of 5")
        print(f"{'database':<11} {'archive':>8} {'generate s':>10} {'query ms':>9} {'read_month ms':>13} "
              f"{'build ms':>8} {'total ms':>8} {'items':>5} {'vs smallest':>11}")
        for name, server in found:
            smallest = None
            for size in sizes:
                with tempfile.TemporaryDirectory(prefix="herald-recap-bench-") as scratch:
                    root = Path(scratch)
                    url = (f"sqlite:///{root / 'herald.db'}" if server is None
                           else server.url(server.create_database("recap")))
                    started = time.perf_counter()
                    generate(root, url, size)
                    generated = time.perf_counter() - started
                    query, read, build, items = time_recap(root, url)
                total = read + build
                seen.add(items)
                smallest = smallest or total
                print(f"{name:<11} {size:>8,} {generated:>10.1f} {query:>9.1f} {read:>13.1f} {build:>8.2f} "
                      f"{total:>8.1f} {items:>5} {total / smallest:>10.2f}x")
    print("target: < 2000 ms, and flat across archive sizes (the month's own updates only)")
    expect(len(seen) == 1 and min(seen) > 0, f"recap items differ between archives or are missing: {sorted(seen)}")
    if args.smoke:
        smoke_ok(f"{len(sizes)} archives, {seen.pop()} recap items each")


if __name__ == "__main__":
    main()
