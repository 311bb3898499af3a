"""Exactly once under faults: seeded lost replies and refusals at every service, a SIGKILL mid-thread, a race."""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import smtp_server
from faults import FaultPlan
from medium_api import FakeMedium
from typer.testing import CliRunner
from wordpress_api import FakeWordPress
from x_api import FakeX

from herald.cli import app
from herald.ledger import UNSETTLED_PART_STATUSES, Ledger
from herald.report import NOT_DONE

pytestmark = [pytest.mark.flow, pytest.mark.live]
WP_USER, WP_PASSWORD = "herald", "abcd efgh ijkl mnop qrst uvwx"
X_KEYS = {"consumer_key": "ck-f", "consumer_secret": "cs-f", "access_token": "1-at-f", "access_token_secret": "ats-f"}
MEDIUM_TOKEN = "medium-f"
SMTP_USER, SMTP_PASSWORD = "herald", "smtp-f"
TOPICS = ["copyright", "platform rules", "data protection", "internet shutdowns", "public domain", "AI training"]


@dataclass
class World:
    """The four fakes, the fault plan they share, and the config that points at them."""

    wordpress: FakeWordPress
    medium: FakeMedium
    x: FakeX
    smtp: smtp_server.Server
    faults: FaultPlan | None
    config: Path
    root: Path


def _config(workdir: Path, world: dict, retry_delays: str = "[0]") -> Path:
    config = workdir / "herald.toml"
    config.write_text(
        f'content_root = "{workdir / "content"}"\noutbox = "{workdir / "outbox"}"\n'
        f'ledger_url = "sqlite:///{workdir / "herald.db"}"\n'
        f"[publish]\nretries = 4\nretry_delays = {retry_delays}\n"
        f'[diff]\nbase_url = "{world["wordpress"].url}"\nusername = "{WP_USER}"\ntimeout_seconds = 5\n'
        f'[medium]\napi_base = "{world["medium"].api_base}"\ntimeout_seconds = 5\n'
        f'[twitter]\napi_base = "{world["x"].url}"\ntimeout_seconds = 5\ndaily_post_quota = 100\n'
        f'[email]\nfrom_addr = "Advocacy <advocacy@example.org>"\nlist_addr = "news@lists.example.org"\n'
        f'message_id_domain = "example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {world["smtp"].port}\n'
        f'username = "{SMTP_USER}"\nca_file = "{world["pki"].ca}"\ntimeout_seconds = 5\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture
def world(workdir: Path, smtp_pki, monkeypatch: pytest.MonkeyPatch, request) -> Iterator[World]:
    """Fakes of all four services sharing one seeded fault plan (`share` from the test's `faults` marker)."""
    marker = request.node.get_closest_marker("faults")
    faults = FaultPlan(marker.args[0], seed=marker.kwargs.get("seed", 7), modes=("before", "after"),
                       before=("refuse", "drop", "reset"), after=("drop", "reset", "500", "504")) if marker else None
    smtp_faults = FaultPlan(marker.args[0], seed=marker.kwargs.get("seed", 7) + 1, modes=("before", "after"),
                            before=("refuse", "drop", "reset"), after=("drop", "reset")) if marker else None
    smtp = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=smtp_faults)
    with (FakeWordPress(WP_USER, WP_PASSWORD, faults=faults) as wordpress, FakeMedium(MEDIUM_TOKEN, faults=faults)
          as medium, FakeX(**X_KEYS, faults=faults, shorten_urls=True, escape_html=True) as x):
        for name in ("Advocacy", "Policy"):  # the site's curated categories: herald refuses unknown ones
            wordpress.terms["categories"].append(
                wordpress._term("categories", next(wordpress._term_ids), name, name.lower()))
        services = {"wordpress": wordpress, "medium": medium, "x": x, "smtp": smtp, "pki": smtp_pki}
        config = _config(workdir, services)
        monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", WP_PASSWORD)
        monkeypatch.setenv("HERALD_MEDIUM__TOKEN", MEDIUM_TOKEN)
        for name, value in X_KEYS.items():
            monkeypatch.setenv(f"HERALD_TWITTER__{name.upper()}", value)
        monkeypatch.setenv("HERALD_EMAIL__PASSWORD", SMTP_PASSWORD)
        yield World(wordpress, medium, x, smtp, faults, config, workdir)
    smtp.controller.stop()


def _write_update(root: Path, number: int, rng: random.Random) -> Path:
    topic = rng.choice(TOPICS)
    paragraphs = "\n\n".join(
        f"Paragraph {p} of drill {number} on {topic}: we met officials, filed comments and explained how volunteers "
        f"write and reuse free knowledge. See https://meta.wikimedia.org/wiki/Drill_{number}_{p} for details."
        for p in range(rng.randint(3, 6))
    )
    path = root / "content" / "updates" / f"2026-10-{number % 28 + 1:02d}-drill-{number}.md"
    image = "image: ../images/eu-parliament-plenary.png\nimage_alt: The plenary hall.\n" if number % 3 == 0 else ""
    path.write_text(
        f"---\ntitle: \"Fault drill {number}: {topic}\"\ndate: 2026-10-{number % 28 + 1:02d}\n"
        f"summary: Drill {number} about {topic}.\ntags: [{topic}, drills]\n{image}---\n{paragraphs}\n",
        encoding="utf-8",
    )
    return path


def _publish(path: Path) -> list[dict]:
    from flows.publish import publish_file

    return publish_file(path)


def _person_settles(world: World, ledger: Ledger, slug: str, results: list[dict], title: str, message_id: str) -> None:
    """What a person does for needs_attention: look at the service, then `herald resolve`."""
    for result in results:
        if result["status"] != "needs_attention":
            continue
        channel = result["channel"]
        if channel == "medium":
            found = [post["url"] for post in world.medium.posts if post["title"] == title]
        elif channel == "email":
            found = [f"mid:{message_id}" for env in world.smtp.mailbox.envelopes
                     if message_id.encode() in env.original_content]
        else:
            raise AssertionError(f"{channel} should reconcile by itself, not need a person: {result['detail']}")
        args = ["resolve", slug, channel, "--sent", found[0]] if found else ["resolve", slug, channel, "--not-sent"]
        outcome = CliRunner().invoke(app, args, catch_exceptions=False)
        assert outcome.exit_code == 0, outcome.output


def _assert_reported(ledger: Ledger, slug: str, results: list[dict]) -> None:
    """Nothing ambiguous is left unreported: every unsettled write shows in a not-done result."""
    by_channel = {result["channel"]: result["status"] for result in results}
    for channel in ("diff", "medium", "twitter", "email"):
        if any(part.status in UNSETTLED_PART_STATUSES for part in ledger.parts(slug, channel)):
            assert by_channel.get(channel) in NOT_DONE, (channel, by_channel)


def _assert_exactly_once(world: World, slug: str, title: str, message_id: str) -> None:
    posts = world.wordpress.posts_with_slug(slug)
    assert len(posts) == 1, [p["slug"] for p in posts]
    assert len([p for p in world.medium.posts if p["title"] == title]) == 1
    diff_url = world.wordpress.link(posts[0])
    mine = [t for t in world.x.tweets if slug in json.dumps([t.original]) or t.original.startswith(title)]
    roots = [t for t in mine if t.in_reply_to is None]
    assert len(roots) == 1, [t.original for t in roots]
    chain = world.x.thread(roots[0].id)
    assert [t.original for t in chain] == [t.original for t in sorted(chain, key=lambda t: int(t.id))]
    assert len({t.original for t in chain}) == len(chain)
    assert diff_url in chain[-1].original
    texts = {t.original for t in world.x.tweets}
    assert all(t.original in {c.original for c in chain} for t in world.x.tweets if t.original.startswith(title))
    assert len(texts) == len(world.x.tweets)  # no tweet text was ever posted twice
    mails = [env for env in world.smtp.mailbox.envelopes if message_id.encode() in env.original_content]
    assert len(mails) == 1
    body = email.message_from_bytes(mails[0].original_content, policy=email.policy.default)
    assert diff_url in body.get_body(("plain",)).get_content()


def _drill(world: World, updates: int, seed: int) -> None:
    rng = random.Random(seed)
    ledger = Ledger(f"sqlite:///{world.root / 'herald.db'}")
    for number in range(updates):
        path = _write_update(world.root, number, rng)
        from content.loader import load_update

        update = load_update(path, world.root / "content")
        message_id = f"<herald.{update.date:%Y%m%d}.{update.slug}@example.org>"
        for _attempt in range(8):
            results = _publish(path)
            _assert_reported(ledger, update.slug, results)
            if all(result["status"] not in NOT_DONE for result in results):
                break
            _person_settles(world, ledger, update.slug, results, update.title, message_id)
        else:
            pytest.fail(f"{update.slug} did not finish in 8 attempts: {results}")
        _assert_exactly_once(world, update.slug, update.title, message_id)


@pytest.mark.faults(0.2, seed=11)
def test_a_seeded_share_of_faults_never_duplicates_or_loses_anything(world: World, prefect_engine) -> None:
    _drill(world, updates=int(os.environ.get("HERALD_FAULT_UPDATES", "6")), seed=11)
    assert world.faults.counts["after"] > 0 and world.faults.counts["before"] > 0


@pytest.mark.slow
@pytest.mark.faults(0.25, seed=2026)
def test_one_hundred_publishes_under_faults(world: World, prefect_engine) -> None:
    _drill(world, updates=100, seed=2026)
    assert world.faults.counts["after"] >= 20


# A killed publisher ---------------------------------------------------------------------------------------------


class SlowX(FakeX):
    """X that takes a while over each tweet, so a publisher can be killed between (or during) tweets."""

    def __init__(self, *args, delay: float = 0.4, **kwargs) -> None:  # noqa: ANN002, ANN003 - FakeX's
        super().__init__(*args, **kwargs)
        self.delay = delay

    def respond(self, request):  # noqa: ANN001, ANN201 - the fake's hook
        if request.method == "POST":
            time.sleep(self.delay)
        return super().respond(request)


def _cli_env(world_config: Path) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "HERALD_CONFIG": str(world_config), "PREFECT_API_URL": PREFECT_API_URL.value() or ""}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"


def test_a_publisher_killed_mid_thread_is_finished_by_a_rerun_without_duplicates(world: World, prefect_engine,
                                                                                 smtp_pki) -> None:
    with SlowX(**X_KEYS, shorten_urls=True) as slow_x:
        config = _config(world.root, {"wordpress": world.wordpress, "medium": world.medium, "x": slow_x,
                                      "smtp": world.smtp, "pki": smtp_pki})
        env = _cli_env(config)
        publisher = subprocess.Popen([sys.executable, "-m", "herald.cli", "publish", EXAMPLE], cwd=world.root, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while len(slow_x.calls("POST", "/2/tweets")) < 3 and time.monotonic() < deadline:
            assert publisher.poll() is None, publisher.stdout.read().decode()
            time.sleep(0.02)
        os.killpg(publisher.pid, signal.SIGKILL)  # mid-request: the third tweet may or may not be applied
        publisher.wait(10)
        posted_before = len(slow_x.tweets)
        assert 2 <= posted_before <= 3

        rerun = subprocess.run([sys.executable, "-m", "herald.cli", "publish", EXAMPLE], cwd=world.root, env=env,
                               capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr

        preview = CliRunner().invoke(app, ["preview", EXAMPLE, "--out", "preview"])
        assert preview.exit_code == 0
        planned = json.loads((world.root / "preview" / "thread.json").read_text(encoding="utf-8"))
        diff_url = world.wordpress.link(world.wordpress.posts_with_slug(
            "what-we-told-the-european-commission-about-copyright-and-ai-training")[0])
        planned_url = next(word for word in planned[-1].split() if word.startswith("http"))
        chain = slow_x.thread(slow_x.tweets[0].id)
        assert [t.original for t in chain] == [tweet.replace(planned_url, diff_url) for tweet in planned]
        assert len(slow_x.tweets) == len(planned)


def test_two_concurrent_publishes_of_one_update_send_once(world: World, prefect_engine, smtp_pki) -> None:
    with SlowX(**X_KEYS, delay=2.0) as slow_x:
        config = _config(world.root, {"wordpress": world.wordpress, "medium": world.medium, "x": slow_x,
                                      "smtp": world.smtp, "pki": smtp_pki})
        env = _cli_env(config)
        command = [sys.executable, "-m", "herald.cli", "publish", EXAMPLE]
        first = subprocess.Popen(command, cwd=world.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        deadline = time.monotonic() + 90
        while not slow_x.calls("POST", "/2/tweets") and time.monotonic() < deadline:
            time.sleep(0.02)
        second = subprocess.run(command, cwd=world.root, env=env, capture_output=True, text=True, timeout=120)
        first_output = first.communicate(timeout=120)[0]
        assert first.returncode == 0, first_output
        assert second.returncode == 1
        assert "another publish of" in second.stdout + second.stderr
        assert len(world.wordpress.posts) == 1
        assert len(world.medium.posts) == 1
        assert len({t.text for t in slow_x.tweets}) == len(slow_x.tweets)
        assert len(world.smtp.mailbox.envelopes) == 1
