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
from pathlib import Path

import pytest
from operator_steps import follow_advice
from social_threads import assert_one_social_thread
from typer.testing import CliRunner
from world import X_KEYS, World, world_config
from x_api import FakeX

from channels.registry import CHANNELS
from herald.cli import app
from herald.core.ledger import Ledger
from herald.core.report import NOT_DONE
from herald.core.status import UNSETTLED_PART_STATUSES

pytestmark = [pytest.mark.flow, pytest.mark.live]
TOPICS = ["copyright", "platform rules", "data protection", "internet shutdowns", "public domain", "AI training"]


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


def _assert_reported(ledger: Ledger, slug: str, results: list[dict]) -> None:
    """Nothing ambiguous is left unreported: every unsettled write shows in a not-done result."""
    by_channel = {result["channel"]: result["status"] for result in results}
    for channel in CHANNELS:
        if any(part.status in UNSETTLED_PART_STATUSES for part in ledger.parts(slug, channel)):
            assert by_channel.get(channel) in NOT_DONE, (channel, by_channel)


def _assert_exactly_once(world: World, slug: str, title: str, message_id: str, source: Path) -> None:
    posts = world.wordpress.posts_with_slug(slug)
    assert len(posts) == 1, [p["slug"] for p in posts]
    assert len([p for p in world.medium.posts if p["title"] == title]) == 1
    assert len(world.wordpress.media) <= 1  # every drill shares one image: uploaded once, ever
    diff_url = world.wordpress.link(posts[0])
    mine = [t for t in world.x.tweets if slug in json.dumps([t.original]) or t.original.startswith(title)]
    roots = [t for t in mine if t.in_reply_to is None]
    assert len(roots) == 1, [t.original for t in roots]
    chain = world.x.thread(roots[0].id)
    assert [t.original for t in chain] == [t.original for t in sorted(chain, key=lambda t: int(t.id))]
    assert len({t.original for t in chain}) == len(chain)
    assert diff_url in chain[0].original  # tweet 1 carries the Diff link
    if "\nimage:" in source.read_text(encoding="utf-8"):  # and the image: one upload, described, v2 only
        (media,) = world.x.media_of(chain[0])
        assert media.alt_text == "The plenary hall."
    assert all(t.media_ids == () for t in chain[1:]) and world.x.v1_media_calls == []
    texts = {t.original for t in world.x.tweets}
    assert all(t.original in {c.original for c in chain} for t in world.x.tweets if t.original.startswith(title))
    assert len(texts) == len(world.x.tweets)  # no tweet text was ever posted twice
    mails = [env for env in world.smtp.mailbox.envelopes if message_id.encode() in env.original_content]
    assert len(mails) == 1
    body = email.message_from_bytes(mails[0].original_content, policy=email.policy.default)
    assert diff_url in body.get_body(("plain",)).get_content()
    assert_one_social_thread(world, slug, source, diff_url)  # with Mastodon and Bluesky in the world


def _drill(world: World, updates: int, seed: int) -> dict[str, int]:
    """Publish `updates` updates under faults; for each, do what herald advises until done; check exactly once."""
    rng = random.Random(seed)
    ledger = Ledger(f"sqlite:///{world.root / 'herald.db'}")
    figures = {"publishes": 0, "advice_steps": 0, "needed_a_person": 0}
    from channels.registry import load_update

    for number in range(updates):
        path = _write_update(world.root, number, rng)
        update = load_update(path, world.root / "content")
        message_id = f"<herald.{update.date:%Y%m%d}.{update.slug}@example.org>"
        results = _publish(path)
        _assert_reported(ledger, update.slug, results)
        steps = follow_advice(world, world.config, path, update.slug)  # the faults go on meanwhile
        figures["publishes"] += 1 + sum(step.startswith("publish") for step in steps)
        figures["advice_steps"] += len(steps)
        figures["needed_a_person"] += any(step.startswith("resolve") for step in steps)
        _assert_exactly_once(world, update.slug, update.title, message_id, path)
    return figures


@pytest.mark.faults(0.3, seed=11)
def test_a_seeded_share_of_faults_never_duplicates_or_loses_anything(world: World, prefect_engine) -> None:
    _drill(world, updates=int(os.environ.get("HERALD_FAULT_UPDATES", "6")), seed=11)
    assert world.faults.counts["after"] > 0 and world.faults.counts["before"] > 0


@pytest.mark.faults(0.3, seed=15)
@pytest.mark.with_channels("mastodon", "bluesky")
def test_a_seeded_share_of_faults_at_six_channels_never_duplicates_or_loses_anything(world: World,
                                                                                     prefect_engine) -> None:
    _drill(world, updates=int(os.environ.get("HERALD_FAULT_UPDATES", "4")), seed=15)
    faulted = [decision.path for decision in world.faults.history if decision.fault]
    assert any(path.startswith("/api/v") for path in faulted) and any(path.startswith("/xrpc/") for path in faulted)


@pytest.mark.slow
@pytest.mark.faults(0.3, seed=2026)
def test_two_hundred_publishes_under_thirty_percent_faults(world: World, prefect_engine, monkeypatch) -> None:
    monkeypatch.setenv("HERALD_TWITTER__DAILY_POST_QUOTA", "100000")
    started = time.monotonic()
    figures = _drill(world, updates=int(os.environ.get("HERALD_FAULT_UPDATES", "200")), seed=2026)
    faults = world.faults.summary() | {"smtp": world.smtp.mailbox.faults.summary()}
    print(f"\nlong fault mode: {figures}, {time.monotonic() - started:.0f} s, faults {faults}")
    assert world.faults.counts["after"] >= 50


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
        config = world_config(world.root, {"wordpress": world.wordpress, "medium": world.medium, "x": slow_x,
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
        planned_url = [word for word in planned[0].split() if word.startswith("http")][-1]  # tweet 1's Diff link
        chain = slow_x.thread(slow_x.tweets[0].id)
        assert [t.original for t in chain] == [tweet.replace(planned_url, diff_url) for tweet in planned]
        assert len(slow_x.tweets) == len(planned)


def test_two_concurrent_publishes_of_one_update_send_once(world: World, prefect_engine, smtp_pki) -> None:
    with SlowX(**X_KEYS, delay=2.0) as slow_x:
        config = world_config(world.root, {"wordpress": world.wordpress, "medium": world.medium, "x": slow_x,
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
