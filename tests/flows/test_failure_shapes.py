"""Every shape of failure at every kind of write: nothing twice, nothing lost, and every printed hint works.

Each case pins one fault on one write (refused before sending, 4xx/429, 5xx before and after the write was
applied, a timeout, a reset, a lost reply) with a scripted `FaultPlan`, publishes through the CLI, and then does
what herald says (`herald status` → `next:`), as a person would, until nothing is left; then checks the
services: one post, one article, one thread in order, one message; and for a Mastodon status or a Bluesky post
(the world then includes that channel: a Mastodon fake, the session's real PDS behind a fault proxy), one status
or one post per part of the thread, each replying to the one before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faults import FaultPlan
from operator_steps import follow_advice, run
from social_threads import assert_one_social_thread
from world import OPT_IN, World

from channels.registry import load_update

pytestmark = [pytest.mark.flow, pytest.mark.live]
HOLD = 2.5  # a `timeout` fault holds the connection longer than the clients' timeout below
CLIENT_TIMEOUT = "1.5"

WRITES = {  # a kind of write: (method, path the fake sees, which occurrence)
    "diff-post": ("POST", "/wp/v2/posts", None),
    "diff-term": ("POST", "/wp/v2/tags", None),
    "diff-media": ("POST", "/wp/v2/media", None),
    "medium-post": ("POST", "/v1/users/*/posts", None),
    "tweet-1": ("POST", "/2/tweets", 1),
    "tweet-3": ("POST", "/2/tweets", 3),
    "tweet-media-upload": ("POST", "/2/media/upload", None),  # X's featured image, one-shot (the drill's is small)
    "tweet-media-alt": ("POST", "/2/media/metadata", None),
    "email": ("DATA", None, None),
    "mastodon-status-1": ("POST", "/api/v1/statuses", 1),
    "mastodon-status-2": ("POST", "/api/v1/statuses", 2),
    "bluesky-post-1": ("POST", "/xrpc/com.atproto.repo.createRecord", 1),
    "bluesky-post-2": ("POST", "/xrpc/com.atproto.repo.createRecord", 2),
}
HTTP_SHAPES = ("before:429", "before:400", "before:503", "before:drop", "before:reset", "before:timeout",
               "after:500", "after:502", "after:503", "after:504", "after:drop", "after:reset", "after:timeout")
SMTP_SHAPES = ("before:451", "before:421", "before:550", "before:drop", "before:reset", "before:timeout",
               "after:451", "after:drop", "after:reset", "after:timeout")
CASES = [(write, shape) for write in WRITES for shape in (SMTP_SHAPES if write == "email" else HTTP_SHAPES)]
_HTTP_WRITES = [write for write in WRITES if write != "email" and not write.startswith((*OPT_IN, "tweet-media"))]
QUICK = [(_HTTP_WRITES[index % len(_HTTP_WRITES)], shape) for index, shape in enumerate(HTTP_SHAPES)] + [
    ("email", shape) for shape in SMTP_SHAPES] + [  # every shape once, every write at least once
    ("mastodon-status-1", "before:429"), ("mastodon-status-1", "after:503"), ("mastodon-status-2", "after:timeout"),
    ("mastodon-status-2", "before:400"), ("bluesky-post-1", "after:drop"), ("bluesky-post-1", "before:429"),
    ("bluesky-post-2", "after:502"), ("bluesky-post-2", "before:reset"),  # a few of each opt-in channel's
    ("tweet-media-upload", "after:drop"), ("tweet-media-upload", "before:400"),  # X's image: uploaded again, or
    ("tweet-media-alt", "after:503")]  # refused in X's words; its alt text sent again on the same upload


def _params(cases: list[tuple[str, str]]) -> list:
    """The cases as parameters; one at a Mastodon or Bluesky write gets a world that includes that channel."""
    return [pytest.param(write, shape, id=f"{write}-{shape}",
                         marks=[pytest.mark.with_channels(write.split("-")[0])] if write.startswith(OPT_IN) else [])
            for write, shape in cases]

SCENARIO = """---
title: "Fault drill: {name}"
date: 2026-10-{day:02d}
summary: What happens to an update when {name} fails, told in one sentence.
tags: [fault drills, {name}]
image: ../images/eu-parliament-plenary.png
image_alt: The plenary hall.
---
First paragraph of the {name} drill: we met officials and explained how volunteers write free knowledge.

## What we filed

Second paragraph: see https://meta.wikimedia.org/wiki/Drill_{day} for the notes we filed with the ministry.

## What comes next

Third paragraph: we will publish the full response next week, with the data behind every recommendation.

## Thanks

Fourth paragraph: thank you to every volunteer who reviewed the draft and sent us corrections in time.
"""  # sections: a long update's thread (a short announcement's is two posts), so tweet 3 and post 2 exist


@pytest.fixture
def quick_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients that give up before a `timeout` fault ends, so the fault looks like a timeout to them."""
    for section in ("DIFF", "MEDIUM", "TWITTER", "EMAIL", "MASTODON", "BLUESKY"):
        monkeypatch.setenv(f"HERALD_{section}__TIMEOUT_SECONDS", CLIENT_TIMEOUT)


def _scenario(world: World, write: str, shape: str) -> Path:
    name = f"{write} {shape.replace(':', ' ')}"
    day = sum(map(ord, name)) % 28 + 1
    path = world.root / "content" / "updates" / f"drill-{write}-{shape.replace(':', '-')}.md"
    path.write_text(SCENARIO.format(name=name, day=day), encoding="utf-8")
    return path


def _pin(world: World, write: str, shape: str) -> FaultPlan:
    method, route, nth = WRITES[write]
    plan = FaultPlan.scripted(retry_after=1, hold=HOLD).on(method, route, shape, nth=nth, times=1)
    if write == "email":
        world.smtp.mailbox.faults = plan
    else:
        fake = {"diff": world.wordpress, "medium": world.medium, "tweet": world.x, "mastodon": world.mastodon,
                "bluesky": world.bluesky}[write.split("-")[0]]
        fake.faults = plan
    return plan


def assert_exactly_once(world: World, slug: str, title: str, source: Path | None = None) -> None:
    """One post, one Medium article, one thread in order ending with the Diff link, one message, one image; with
    Mastodon or Bluesky in the world, their thread as drafted for `source`: one status or post per part, in order."""
    posts = world.wordpress.posts_with_slug(slug)
    assert len(posts) == 1, [post["slug"] for post in posts]
    diff_url = world.wordpress.link(posts[0])
    assert [post["title"] for post in world.medium.posts].count(title) == 1
    roots = [tweet for tweet in world.x.tweets if tweet.in_reply_to is None]
    assert len(roots) == 1, [tweet.original for tweet in roots]
    chain = world.x.thread(roots[0].id)
    assert len(chain) == len(world.x.tweets) and len({tweet.original for tweet in chain}) == len(chain)
    assert any(diff_url in tweet.original for tweet in chain)
    (media,) = world.x.media_of(chain[0])  # the image, on tweet 1 only, described, never through v1.1
    assert media.alt_text == "The plenary hall." and all(tweet.media_ids == () for tweet in chain[1:])
    assert world.x.v1_media_calls == []
    assert len(world.smtp.mailbox.envelopes) == 1
    assert len(world.wordpress.media) <= 1
    if world.mastodon is not None or world.bluesky is not None:
        assert source is not None, "say which update the Mastodon and Bluesky threads are drafted from"
        assert_one_social_thread(world, slug, source, diff_url, alone=True)


@pytest.mark.parametrize(("write", "shape"), _params(QUICK))
def test_one_fault_then_herald_s_advice_ends_with_everything_sent_once(
    world: World, prefect_engine, quick_clients, write: str, shape: str
) -> None:
    _one_case(world, write, shape)


@pytest.mark.slow
@pytest.mark.parametrize(("write", "shape"), _params(CASES))
def test_every_fault_at_every_write(world: World, prefect_engine, quick_clients, write: str, shape: str) -> None:
    _one_case(world, write, shape)


def _one_case(world: World, write: str, shape: str) -> None:
    path = _scenario(world, write, shape)
    plan = _pin(world, write, shape)
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code in (0, 1), output
    assert plan.injected == 1, f"the fault was never injected: {plan.history}"
    follow_advice(world, world.config, path, update.slug)
    assert_exactly_once(world, update.slug, update.title, path)


def test_a_503_after_a_stored_tweet_continues_the_same_thread(world: World, prefect_engine) -> None:
    world.x.faults = FaultPlan.scripted().on("POST", "/2/tweets", "after:503", nth=2, times=1)
    path = _scenario(world, "tweet-2", "after:503")
    code, output = run("publish", str(path))
    assert code == 0, output
    update = load_update(path, world.root / "content")
    assert_exactly_once(world, update.slug, update.title)
    flat = " ".join(output.split())
    # the whole publish is counted (tweet 1 went out in the attempt that failed), and the failure's reason kept
    assert f"thread of {len(world.x.tweets)} tweets; {len(world.x.tweets)} posted in this publish" in flat, output
    assert "went after a retried failure:" in flat and "503" in flat.split("went after a retried failure:")[1]
    code, status = run("status", str(path))
    assert "went after a retried failure:" in " ".join(status.split()), status


def test_a_503_after_every_stored_medium_post_needs_a_person_and_leaves_one_post(world: World, prefect_engine) -> None:
    world.medium.faults = FaultPlan.scripted().on("POST", "/v1/users/*/posts", "after:503")
    path = _scenario(world, "medium-post", "after:503 always")
    code, output = run("publish", str(path))
    assert code == 1, output
    assert len(world.medium.posts) == 1
    code, status = run("status", str(path))
    assert "medium   needs_attention" in status and "herald resolve" in status
    again_code, again = run("publish", str(path))
    assert again_code == 1 and len(world.medium.posts) == 1, again
    update = load_update(path, world.root / "content")
    steps = follow_advice(world, world.config, path, update.slug)
    assert steps[0].startswith(f"resolve {update.slug} medium --sent https://")
    assert_exactly_once(world, update.slug, update.title)


def test_the_quick_run_covers_every_shape_and_every_write() -> None:
    assert {shape for _, shape in QUICK} == set(HTTP_SHAPES) | set(SMTP_SHAPES)
    assert {write for write, _ in QUICK} == set(WRITES)
    assert {write.split("-")[0] for write, _ in QUICK} >= set(OPT_IN)  # a Mastodon status and a Bluesky post
    for channel in OPT_IN:  # a few cases each in the quick run, every shape at each of their writes in slow mode
        writes = [write for write in WRITES if write.startswith(channel)]
        assert 2 <= sum(write.startswith(channel) for write, _ in QUICK) <= 6
        assert {(write, shape) for write in writes for shape in HTTP_SHAPES} <= set(CASES)
