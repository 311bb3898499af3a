"""Publish benchmark: the real flow against local fakes of all four services, each round trip `--latency` long.

Run: .venv/bin/python bench/publish.py [--updates 3] [--latency 0.05] [--smoke]  (figures measured in this one run)

Every HTTP request to the WordPress, Medium and X fakes waits `latency` before it is answered
(`RecordingServer(latency=...)`); the SMTP server (aiosmtpd, STARTTLS + AUTH) waits `latency` before every reply
it sends (the greeting, and each command's answer: DATA counts twice, for its 354 and for the final 250), so one
SMTP command is one round trip. TLS handshakes and TCP connects add no latency here (on a real network they add
one or two round trips per new connection, which only widens the gap between a reused and a fresh connection).

Times are taken at the fakes: from the first request's arrival to the last reply, over all four services, so the
flow and the plain sequential script are measured the same way. The fixed overhead is a dry-run publish of the
same update (load, render, preview artifact, the flow and its report), with the engine already running.

Each update has a hand-written thread of `THREAD_LENGTH` tweets (`twitter: {thread: [...]}`), so the number of
writes on X does not depend on how the thread engine splits a body; the floor and the minimum calls are computed
from the rendered drafts anyway. The engine is Prefect's ephemeral one, or the server in PREFECT_API_URL when set.
`--smoke`: one update at 10 ms a round trip; checks that every channel published and the calls equal the minimum.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "fakes"), str(REPO / "tests" / "servers")]

import smtp_server  # noqa: E402 - after the path set-up
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402
from benchkit import expect, load_line, smoke_ok  # noqa: E402
from medium_api import FakeMedium  # noqa: E402
from wordpress_api import FakeWordPress, wp_slug  # noqa: E402
from x_api import FakeX  # noqa: E402

WP_USER, WP_PASSWORD = "herald", "abcd efgh ijkl mnop qrst uvwx"
X_KEYS = {"consumer_key": "ck-b", "consumer_secret": "cs-b", "access_token": "1-at-b", "access_token_secret": "ats-b"}
MEDIUM_TOKEN = "medium-b"
SMTP_USER, SMTP_PASSWORD = "herald", "smtp-b"
TAGS = ("copyright", "public policy")
CATEGORIES = ("Advocacy",)
THREAD_LENGTH = 6
PARAGRAPHS = 4
SENTENCE = ("In meeting {n}.{p} we explained to officials how volunteers write, check and reuse free knowledge, "
            "and why the rules for text and data mining must leave room for public-interest projects. ")
TWEET = ("Meeting {n}, part {t}: we explained how volunteers write, check and reuse free knowledge, and why the rules "
         "for text and data mining must leave room for public-interest projects.")


class Timed:
    """Mixed into a fake: keeps (arrival, answer) times of every request; arrival is before the added latency."""

    latency: float
    spans: list[tuple[float, float]]

    def receive(self, request):  # noqa: ANN001, ANN201 - RecordingServer's hook
        now = time.monotonic()
        self.spans.append((now - self.latency, now))
        return super().receive(request)


class TimedWordPress(Timed, FakeWordPress):
    """FakeWordPress with timings."""


class TimedMedium(Timed, FakeMedium):
    """FakeMedium with timings."""


class TimedX(Timed, FakeX):
    """FakeX with timings."""


class SlowSMTP(SMTP):
    """aiosmtpd's SMTP session with `latency` before every reply it sends; logs (time, reply) per reply."""

    latency = 0.0
    log: list[tuple[float, str]]

    async def push(self, status) -> None:  # noqa: ANN001 - aiosmtpd's signature
        text = status.decode() if isinstance(status, bytes) else str(status)
        if text[3:4] != "-":  # the last line of a reply (EHLO's is pushed line by line): one round trip
            if self.latency:
                await asyncio.sleep(self.latency)
            self.log.append((time.monotonic(), text[:3]))
        await super().push(status)


class SlowController(Controller):
    """A Controller whose sessions are SlowSMTP."""

    def __init__(self, handler, *, latency: float, **kwargs) -> None:  # noqa: ANN001, ANN003
        super().__init__(handler, **kwargs)
        self.latency = latency
        self.log: list[tuple[float, str]] = []

    def factory(self) -> SMTP:
        server = SlowSMTP(self.handler, **self.SMTP_kwargs)
        server.latency, server.log = self.latency, self.log
        return server


@dataclass
class World:
    """The four fakes and the config pointing at them."""

    wordpress: TimedWordPress
    medium: TimedMedium
    x: TimedX
    smtp: SlowController
    config: Path
    root: Path

    def reset(self) -> None:
        for fake in (self.wordpress, self.medium, self.x):
            fake.requests.clear()
            fake.spans.clear()
        self.smtp.log.clear()

    def span(self) -> float:
        """Seconds from the first request's arrival (at any fake) to the last reply (from any fake)."""
        starts = [s for fake in (self.wordpress, self.medium, self.x) for s, _ in fake.spans]
        ends = [e for fake in (self.wordpress, self.medium, self.x) for _, e in fake.spans]
        smtp = [t for t, _ in self.smtp.log]
        starts += [smtp[0] - self.smtp.latency] if smtp else []  # the greeting waited `latency` after connecting
        ends += smtp[-1:]
        return max(ends) - min(starts)

    def counts(self) -> dict[str, int]:
        return {"diff": len(self.wordpress.requests), "medium": len(self.medium.requests),
                "twitter": len(self.x.requests), "email": len(self.smtp.log)}


def start_world(root: Path, latency: float) -> World:
    pki = smtp_server.make_pki(root)
    wordpress = TimedWordPress(WP_USER, WP_PASSWORD)
    wordpress.add_categories(*CATEGORIES)  # categories are curated on the site: herald refuses unknown ones
    medium = TimedMedium(MEDIUM_TOKEN)
    x = TimedX(**X_KEYS, shorten_urls=True)
    for fake in (wordpress, medium, x):
        fake.latency, fake.spans = latency, []
        fake.start()
    smtp = SlowController(
        smtp_server.Mailbox(), latency=latency, hostname="127.0.0.1", port=smtp_server.free_port(),
        server_hostname="localhost", authenticator=smtp_server.authenticator_for(SMTP_USER, SMTP_PASSWORD),
        tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True,
    )
    smtp.start()
    (root / "content" / "updates").mkdir(parents=True)
    shutil.copytree(REPO / "content" / "images", root / "content" / "images")
    config = root / "herald.toml"
    config.write_text(
        f'content_root = "{root / "content"}"\noutbox = "{root / "outbox"}"\n'
        f'ledger_url = "sqlite:///{root / "herald.db"}"\n'
        f"[publish]\nretries = 0\n"
        f'[diff]\nbase_url = "{wordpress.url}"\nusername = "{WP_USER}"\ntimeout_seconds = 10\n'
        f'[medium]\napi_base = "{medium.api_base}"\ntimeout_seconds = 10\n'
        f'[twitter]\napi_base = "{x.url}"\ntimeout_seconds = 10\ndaily_post_quota = 100\n'
        f'[email]\nfrom_addr = "Advocacy <advocacy@example.org>"\nlist_addr = "news@lists.example.org"\n'
        f'message_id_domain = "example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
        f'username = "{SMTP_USER}"\nca_file = "{pki.ca}"\ntimeout_seconds = 10\n',
        encoding="utf-8",
    )
    os.environ.pop("HERALD_CONFIG", None)
    os.environ["HERALD_DIFF__APP_PASSWORD"] = WP_PASSWORD
    os.environ["HERALD_MEDIUM__TOKEN"] = MEDIUM_TOKEN
    for name, value in X_KEYS.items():
        os.environ[f"HERALD_TWITTER__{name.upper()}"] = value
    os.environ["HERALD_EMAIL__PASSWORD"] = SMTP_PASSWORD
    return World(wordpress, medium, x, smtp, config, root)


def stop_world(world: World) -> None:
    for fake in (world.wordpress, world.medium, world.x):
        fake.stop()
    world.smtp.stop()


def make_update(world: World, number: int) -> Path:
    """A new update with an image, known terms, a body of PARAGRAPHS paragraphs and a THREAD_LENGTH-tweet thread."""
    day = number % 28 + 1
    body = "\n\n".join(SENTENCE.format(n=number, p=p) * 2 for p in range(PARAGRAPHS))
    thread = ", ".join(f'"{TWEET.format(n=number, t=t)}"' for t in range(1, THREAD_LENGTH + 1))
    path = world.root / "content" / "updates" / f"2026-10-{day:02d}-bench-{number}.md"
    path.write_text(
        f'---\ntitle: "Benchmark update {number}: copyright and AI training"\ndate: 2026-10-{day:02d}\n'
        f"summary: What we told officials in meeting {number}.\ntags: [{', '.join(TAGS)}]\n"
        f"image: ../images/eu-parliament-plenary.png\nimage_alt: The plenary hall.\nstatus: ready\n"
        f"diff:\n  categories: [{', '.join(CATEGORIES)}]\ntwitter:\n  thread: [{thread}]\n---\n{body}\n",
        encoding="utf-8",
    )
    return path


def minimum(world: World, path: Path) -> tuple[dict[str, int], dict[str, str], float]:
    """The fewest calls per service for this content (given the terms already on the site), and the floor in RTTs.

    Diff: users/me (pre-flight), posts?slug= (idempotency), one terms lookup per taxonomy (`slug=a,b`), one POST
    per missing term, the image upload and its alt text, the post. Medium: /me (pre-flight; its id is the
    author), the post. X: users/me (pre-flight), one POST per tweet. SMTP: one session of greeting, EHLO,
    STARTTLS, EHLO, AUTH, MAIL, RCPT per recipient, DATA, the data's 250, QUIT. X also uploads tweet 1's image and
    sets its alt text before the first tweet.

    The floor orders only what must be ordered: every pre-flight check before the first write (they are
    independent, so the longest chain counts; Diff's reads are not writes and belong to its chain there), Diff's
    writes, then the longest of the other channels' writes (a thread is one chain: each tweet replies to the last).
    """
    from config.settings import load_settings
    from herald.pipeline.render import load_and_render

    rendered = load_and_render(path, load_settings(world.config))
    diff, thread = rendered.drafts["diff"], rendered.drafts["twitter"]
    names = [("tags", n) for n in diff.tags] + [("categories", n) for n in diff.categories]
    existing = {(tax, term["slug"]) for tax, terms in world.wordpress.terms.items() for term in terms}
    missing = sum((tax, wp_slug(name)) not in existing for tax, name in names)
    lookups = len({tax for tax, _ in names})
    image = 2 if diff.image_file is not None else 0
    diff_reads, diff_writes = 1 + 1 + lookups, missing + image + 1
    recipients = 1
    smtp_open, smtp_send = 5, 4 + recipients
    tweets = len(thread.tweets)
    x_image = (1 + bool(thread.image_alt)) if thread.image_file is not None else 0  # upload, its alt text
    calls = {"diff": diff_reads + diff_writes, "medium": 2, "twitter": 1 + x_image + tweets,
             "email": smtp_open + smtp_send}
    why = {
        "diff": f"users/me + posts?slug + {lookups} term lookup(s) + {missing} term create(s) + "
                f"{image} image (upload, alt) + post",
        "medium": "/me + post",
        "twitter": f"users/me + {x_image} image (upload, alt) + {tweets} tweets",
        "email": f"one session: 5 to log in + MAIL, {recipients} RCPT, DATA, 250, QUIT",
    }
    floor = max(diff_reads, 1, 1, smtp_open) + diff_writes + max(1, x_image + tweets, smtp_send)
    return calls, why, floor


def sequential(path: Path, config: Path) -> float:
    """The same transports and calls, pre-flight then send, one after the other; no Prefect, no ledger receipts."""
    from config.settings import load_settings
    from herald.core.ledger import Ledger
    from herald.pipeline.gate import prepare_publish
    from herald.pipeline.render import render_update
    from herald.pipeline.select import transport_for

    settings = load_settings(config)
    rendered = prepare_publish(path, settings)
    update = rendered.update
    ledger = Ledger(settings.ledger_url)
    transports = {name: transport_for(name, settings, update.slug, ledger) for name in rendered.drafts}
    start = time.perf_counter()
    for name, transport in transports.items():
        transport.preflight(rendered.drafts[name])
        if hasattr(transport, "look_up"):  # as the flow's pre-flight does: WordPress's reads
            transport.look_up(rendered.drafts[name])
    ledger.record_update(update.slug, str(update.source), update.title, update.date)
    diff_url = transports["diff"].send(rendered.drafts["diff"]).url
    others = [name for name in rendered.drafts if name != "diff"]
    final = render_update(update, settings, others, diff_url=diff_url)
    for name in others:
        receipt = transports[name].send(final.drafts[name])
        assert receipt.status == "published", receipt
    elapsed = time.perf_counter() - start
    for transport in transports.values():
        getattr(transport, "close", lambda: None)()
    ledger.close()
    return elapsed


def timed_publish(path: Path, config: Path, dry_run: bool = False) -> tuple[float, list[dict]]:
    from flows.publish import publish_file

    start = time.perf_counter()
    results = publish_file(path, dry_run=dry_run, config=config)
    return time.perf_counter() - start, results


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every round trip")
    parser.add_argument("--smoke", action="store_true", help="one update at 10 ms; checks what went out")
    args = parser.parse_args()
    updates, latency = (1, 0.01) if args.smoke else (args.updates, args.latency)
    print(f"{load_line()}; engine: {os.environ.get('PREFECT_API_URL') or 'ephemeral'}")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's deprecation notice on every AUTH
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as scratch:
        world = start_world(Path(scratch), latency)
        try:
            run(world, updates, latency)
        finally:
            stop_world(world)
    if args.smoke:
        smoke_ok(f"{updates} update published on all four fakes, {THREAD_LENGTH} tweets each")


def run(world: World, updates: int, latency: float) -> None:
    started = time.perf_counter()
    warm = make_update(world, 0)
    engine_and_first, results = timed_publish(warm, world.config)  # starts the ephemeral engine; creates the terms
    expect(all(r["status"] == "published" for r in results), f"warm-up publish: {results}")
    print(f"latency {latency * 1000:.0f} ms per round trip; warm-up publish (engine start + first run) "
          f"{engine_and_first:.1f} s")
    print(f"{'update':>6} {'floor s':>8} {'in-flow s':>9} {'/floor':>6} {'target s':>8} {'seq s':>6} "
          f"{'speed-up':>8} {'overhead s':>10} {'wall s':>6}")
    rows, calls_seen = [], []
    for number in range(1, updates + 1):
        path = make_update(world, number)
        calls_min, why, floor_rtt = minimum(world, path)
        floor = floor_rtt * latency
        world.reset()
        wall, results = timed_publish(path, world.config)
        expect(len(results) == 4 and all(r["status"] == "published" for r in results), f"publish: {results}")
        in_flow, counted = world.span(), world.counts()
        expect(counted["twitter"] >= 1 + THREAD_LENGTH, f"X saw {counted['twitter']} calls")
        expect(in_flow >= 0.9 * floor, f"in-flow {in_flow:.3f} s under the floor {floor:.3f} s: latency not applied")
        overhead, _ = timed_publish(path, world.config, dry_run=True)

        seq_path = make_update(world, 1000 + number)
        world.reset()
        sequential(seq_path, world.config)
        seq, seq_counted = world.span(), world.counts()
        target = 1.2 * floor + 0.3
        rows.append((floor, in_flow, seq, overhead, wall, target))
        calls_seen.append((counted, seq_counted, calls_min, why))
        print(f"{number:>6} {floor:>8.2f} {in_flow:>9.2f} {in_flow / floor:>6.2f} {target:>8.2f} {seq:>6.2f} "
              f"{seq / in_flow:>7.2f}x {overhead:>10.2f} {wall:>6.2f}")
    floor, in_flow, seq, overhead, wall, target = (statistics.median(col) for col in zip(*rows, strict=True))
    print(f"median {floor:>8.2f} {in_flow:>9.2f} {in_flow / floor:>6.2f} {target:>8.2f} {seq:>6.2f} "
          f"{seq / in_flow:>7.2f}x {overhead:>10.2f} {wall:>6.2f}")
    print(f"floor = {floor / latency:.0f} round trips (longest pre-flight, Diff's send chain, longest of the rest)")
    print(f"in-flow <= 1.2 x floor + 0.3 s: {'met' if in_flow <= target else 'MISSED'} "
          f"({in_flow:.2f} <= {target:.2f}); >= 1.5x faster than sequential: "
          f"{'met' if seq / in_flow >= 1.5 else 'MISSED'} ({seq / in_flow:.2f}x)")
    counted, seq_counted, calls_min, why = calls_seen[-1]
    print(f"\n{'service':<8} {'flow':>5} {'seq':>5} {'min':>5}  minimum is")
    for service in ("diff", "medium", "twitter", "email"):
        unit = " (SMTP replies)" if service == "email" else ""
        print(f"{service:<8} {counted[service]:>5} {seq_counted[service]:>5} {calls_min[service]:>5}  "
              f"{why[service]}{unit}")
    same = all(c == calls_min for c, _, calls_min, _ in calls_seen)
    print(f"API calls equal to the minimum on every update: {'met' if same else 'MISSED'}")
    print(f"(whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
