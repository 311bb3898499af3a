"""Mastodon and Bluesky through the whole pipeline, by the CLI: a Ukrainian update on all six channels, its status,
its recap and its retraction; and what happens when the two opt-in channels are disabled or have no credentials."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import httpx
import pytest
from faults import FaultPlan
from operator_steps import run
from social_threads import assert_one_social_thread
from world import World

from channels.bluesky.transport import post_rkey, post_url
from channels.registry import load_update
from config.settings import load_settings
from herald.core.ledger import Ledger
from herald.pipeline.render import load_and_render

pytestmark = [pytest.mark.flow, pytest.mark.live]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "threads" / "ukrainian.md"
SIX = ("diff", "medium", "twitter", "email", "mastodon", "bluesky")


def _ukrainian(world_root: Path) -> Path:
    path = world_root / "content" / "updates" / "2026-11-12-media-law.md"
    shutil.copy(FIXTURE, path)
    return path


def _receipts(world: World, slug: str) -> dict[str, tuple[str, str | None]]:
    ledger = Ledger(load_settings(world.config).ledger_url)
    try:
        return {row.channel: (row.status, row.url) for row in ledger.receipts(slug)}
    finally:
        ledger.close()


def _outbox(world: World, slug: str) -> set[str]:
    folder = world.root / "outbox" / slug
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()


@pytest.mark.with_channels("mastodon", "bluesky")
def test_a_ukrainian_update_goes_to_all_six_channels_is_recapped_and_retracted(world: World, prefect_engine) -> None:
    path = _ukrainian(world.root)
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code == 0, output

    posts = world.wordpress.posts_with_slug(update.slug)
    assert len(posts) == 1
    diff_url = world.wordpress.link(posts[0])
    drafts = load_and_render(path, load_settings(world.config), diff_url=diff_url).drafts
    assert tuple(drafts) == SIX

    statuses = world.mastodon.thread(next(s.id for s in world.mastodon.statuses if s.in_reply_to_id is None))
    assert [status.text for status in statuses] == list(drafts["mastodon"].statuses)
    assert len(statuses) == len(world.mastodon.statuses) >= 2
    assert diff_url in statuses[0].text and "Верховна Рада" in "".join(status.text for status in statuses)
    assert all(status.language == "uk" for status in statuses)
    mastodon_url = f"{world.mastodon.url}/@{world.mastodon.account['username']}/{statuses[0].id}"

    records = world.bluesky.posts(update.slug)
    assert sorted(records) == list(range(1, len(drafts["bluesky"].posts) + 1)) and len(records) >= 2
    assert all(len(found) == 1 for found in records.values())
    first = records[1][0]["value"]
    assert first["embed"]["$type"] == "app.bsky.embed.external" and first["embed"]["external"]["uri"] == diff_url
    assert first["embed"]["external"]["title"] == update.title
    [link] = [facet for facet in first["facets"] if facet["features"][0]["uri"] == diff_url]
    shown = first["text"].encode()[link["index"]["byteStart"]:link["index"]["byteEnd"]].decode()
    assert shown and shown in first["text"]  # the byte offsets fall on the link's text in the Cyrillic post
    assert all(record[0]["value"]["langs"] == ["uk"] for record in records.values())
    bluesky_url = post_url(world.bluesky.account.handle, post_rkey(update.slug, 1))

    receipts = _receipts(world, update.slug)
    assert receipts["mastodon"] == ("published", mastodon_url)
    assert receipts["bluesky"] == ("published", bluesky_url)
    code, status = run("status", str(path))
    assert code == 0 and mastodon_url in status and bluesky_url in status, status

    code, recap = run("recap", "2026-11")
    assert code == 0, recap
    recap_file = world.root / "content" / "updates" / "2026-12-01-dont-blink-november-2026.md"
    text = recap_file.read_text(encoding="utf-8")
    assert f"[the thread on Mastodon]({mastodon_url})" in text
    assert f"[the thread on Bluesky]({bluesky_url})" in text
    recap_slug = load_update(recap_file, world.root / "content").slug
    assert _receipts(world, recap_slug)["mastodon"][0] == "published"
    assert world.bluesky.posts(recap_slug)  # the recap went out on Bluesky too

    code, retracted = run("retract", str(path), "--yes")
    assert code == 1, retracted  # Medium needs a person; every other channel is retracted
    assert not any(status.id in {s.id for s in statuses} for status in world.mastodon.statuses)
    assert {s.id for s in world.mastodon.deleted} >= {s.id for s in statuses}
    assert world.bluesky.posts(update.slug) == {}
    receipts = _receipts(world, update.slug)
    assert receipts["mastodon"][0] == receipts["bluesky"][0] == "retracted"
    code, status = run("status", str(path))
    assert code == 0 and "retracted" in status

    again_code, again = run("retract", str(path), "--channels", "mastodon,bluesky", "--yes")
    assert again_code == 0, again
    assert world.bluesky.posts(recap_slug) and world.mastodon.statuses  # the recap's threads stay


@pytest.mark.with_channels("mastodon", "bluesky")
def test_disabled_channels_receive_nothing(world: World, prefect_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_MASTODON__ENABLED", "false")
    monkeypatch.setenv("HERALD_BLUESKY__ENABLED", "false")
    path = _ukrainian(world.root)
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code == 0, output
    assert len(world.wordpress.posts_with_slug(update.slug)) == 1 and world.x.tweets
    assert world.mastodon.requests == [] and world.bluesky.proxy.requests == []
    assert world.bluesky.records() == []
    assert set(_receipts(world, update.slug)) == {"diff", "medium", "twitter", "email"}
    assert "mastodon" not in output and "bluesky" not in output


@pytest.mark.with_channels("mastodon", "bluesky")
def test_enabled_channels_without_credentials_go_to_the_outbox_with_the_real_diff_url(
    world: World, prefect_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HERALD_MASTODON__ACCESS_TOKEN", "HERALD_BLUESKY__HANDLE", "HERALD_BLUESKY__APP_PASSWORD"):
        monkeypatch.delenv(name)
    path = _ukrainian(world.root)
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code == 0, output
    diff_url = world.wordpress.link(world.wordpress.posts_with_slug(update.slug)[0])
    assert world.mastodon.requests == [] and world.bluesky.proxy.requests == [] and world.bluesky.records() == []
    assert _outbox(world, update.slug) == {"mastodon.json", "bluesky.json"}
    drafts = load_and_render(path, load_settings(world.config), ["mastodon", "bluesky"], diff_url=diff_url).drafts
    for name in ("mastodon", "bluesky"):
        sent = (world.root / "outbox" / update.slug / f"{name}.json").read_bytes()
        assert sent == drafts[name].files()[f"{name}.json"]
    mastodon = json.loads((world.root / "outbox" / update.slug / "mastodon.json").read_text(encoding="utf-8"))
    assert diff_url in mastodon["statuses"][0] and mastodon["language"] == "uk"
    bluesky = json.loads((world.root / "outbox" / update.slug / "bluesky.json").read_text(encoding="utf-8"))
    assert bluesky["card"]["uri"] == diff_url
    receipts = _receipts(world, update.slug)
    assert receipts["mastodon"][0] == receipts["bluesky"][0] == "published"
    assert all(receipts[name][1].startswith("file://") for name in ("mastodon", "bluesky"))


@pytest.mark.parametrize("command", [["check"], ["publish"], ["publish", "--dry-run"]])
def test_listing_a_disabled_channel_is_one_line_naming_the_file_and_channels(workdir: Path, command) -> None:
    path = workdir / "content" / "updates" / "2026-11-12-media-law.md"
    text = FIXTURE.read_text(encoding="utf-8").replace("lang: uk\n", "lang: uk\nchannels: [diff, mastodon]\n", 1)
    path.write_text(text, encoding="utf-8")
    code, output = run(*command, str(path))
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert str(path) in lines[0] or path.name in lines[0]
    assert "channels" in lines[0] and "mastodon is not enabled" in lines[0]
    assert not (workdir / "outbox").exists()


def _post_by_hand(world: World, text: str, reply_to: dict) -> str:
    """What a person does on bsky.app: post the text as a reply in the thread; the post's bsky.app URL."""
    account = world.bluesky.account
    session = httpx.post(f"{account.url}/xrpc/com.atproto.server.createSession",
                         json={"identifier": account.handle, "password": account.password}, timeout=30).json()
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-30T12:00:00.000Z", "langs": ["uk"],
              "reply": {"root": reply_to, "parent": reply_to}}
    made = httpx.post(f"{account.url}/xrpc/com.atproto.repo.createRecord", timeout=30,
                      headers={"Authorization": f"Bearer {session['accessJwt']}"},
                      json={"repo": account.did, "collection": "app.bsky.feed.post", "record": record}).json()
    return post_url(account.handle, made["uri"].rsplit("/", 1)[1])


@pytest.mark.with_channels("bluesky")
def test_a_bluesky_post_made_by_hand_and_resolved_continues_the_thread_and_is_retracted(world: World,
                                                                                       prefect_engine) -> None:
    path = _ukrainian(world.root)
    update = load_update(path, world.root / "content")
    world.bluesky.faults = FaultPlan.scripted().on("POST", "/xrpc/com.atproto.repo.createRecord", "before:400",
                                                   nth=2, times=3)  # every attempt at post 2 is refused
    code, output = run("publish", str(path))
    assert code == 1, output
    world.bluesky.faults = None
    [first] = world.bluesky.posts(update.slug)[1]
    text = load_and_render(path, load_settings(world.config), ["bluesky"]).drafts["bluesky"].posts[1].text
    by_hand = _post_by_hand(world, text, {"uri": first["uri"], "cid": first["cid"]})

    code, output = run("resolve", update.slug, "bluesky", "--part", "2", "--sent", by_hand)
    assert code == 0, output
    code, output = run("publish", str(path))
    assert code == 0, output
    records = {record["uri"].rsplit("/", 1)[1]: record for record in world.bluesky.records()}
    third = records[post_rkey(update.slug, 3)]["value"]
    assert third["reply"]["parent"]["uri"].endswith("/" + by_hand.rsplit("/", 1)[1])  # the thread goes on from it

    code, output = run("retract", str(path), "--channels", "bluesky", "--yes")
    assert code == 0, output
    assert world.bluesky.records() == []  # the post made by hand is part of the thread: deleted with it


@pytest.mark.with_channels("mastodon", "bluesky")
def test_an_edit_is_refused_then_corrected_without_posting_to_mastodon_or_bluesky(world: World,
                                                                                  prefect_engine) -> None:
    path = _ukrainian(world.root)
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code == 0, output
    statuses, records = [s.id for s in world.mastodon.statuses], world.bluesky.records()
    path.write_text(path.read_text(encoding="utf-8").replace("до кінця місяця", "до середини грудня"),
                    encoding="utf-8")

    code, refused = run("publish", str(path))
    assert code == 1, refused
    changed = [line.split()[0] for line in refused.splitlines() if " changed " in line]
    assert {"mastodon", "bluesky"} <= set(changed), refused
    code, corrected = run("publish", str(path), "--correct")
    assert code == 1, corrected  # Medium needs a person; the threads cannot be edited: nothing is posted
    lines = {line.split()[0]: line for line in corrected.splitlines() if line.startswith("  ")}
    assert "already_published" in lines["mastodon"] and "already_published" in lines["bluesky"], corrected
    assert [s.id for s in world.mastodon.statuses] == statuses and world.bluesky.records() == records

    medium_url = world.medium.posts[0]["url"]
    code, output = run("resolve", update.slug, "medium", "--sent", medium_url)
    assert code == 0, output
    code, again = run("publish", str(path))
    assert code == 0, again  # the correction is done: nothing is taken as changed any more
    assert [s.id for s in world.mastodon.statuses] == statuses and world.bluesky.records() == records


@pytest.mark.with_channels("mastodon", "bluesky")
def test_a_scheduled_update_posts_the_threads_only_after_publish_at(world: World, prefect_engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _ukrainian(world.root)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "lang: uk\n", f"lang: uk\npublish_at: {soon.isoformat(timespec='seconds')}\n", 1), encoding="utf-8")
    update = load_update(path, world.root / "content")
    code, output = run("publish", str(path))
    assert code == 0, output
    receipts = _receipts(world, update.slug)
    assert receipts["mastodon"][0] == receipts["bluesky"][0] == "scheduled"
    assert world.mastodon.statuses == [] and world.bluesky.records() == []

    monkeypatch.setattr("herald.pipeline.schedule.now", lambda: soon + dt.timedelta(minutes=1))
    code, output = run("publish", str(path))
    assert code == 0, output
    diff_url = world.wordpress.link(world.wordpress.posts_with_slug(update.slug)[0])
    assert_one_social_thread(world, update.slug, path, diff_url, alone=True)
    receipts = _receipts(world, update.slug)
    assert receipts["mastodon"][0] == receipts["bluesky"][0] == "published"
