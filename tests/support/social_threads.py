"""Exactly once on Mastodon and Bluesky: one status or post per part of the update's thread, the chain intact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from world import OPT_IN, World

from config.settings import load_settings
from herald.pipeline.render import load_and_render


def assert_one_social_thread(world: World, slug: str, source: Path, diff_url: str, alone: bool = False) -> None:
    """Mastodon: each status of the draft once, each replying to the one before, status 1 with the Diff link;
    Bluesky: one record per post at its record key, reply refs to the root and the post before, post 1 linking the
    Diff post; on both, no text posted twice on the account, and with `alone` nothing but this thread there."""
    wanted = [name for name in OPT_IN if getattr(world, name) is not None]
    if not wanted:
        return
    drafts = load_and_render(source, load_settings(world.config), wanted, diff_url=diff_url).drafts
    if world.mastodon is not None:
        _mastodon(world, drafts["mastodon"].statuses, diff_url)
        assert not alone or len(world.mastodon.statuses) == len(drafts["mastodon"].statuses)
    if world.bluesky is not None:
        _bluesky(world, slug, [post.text for post in drafts["bluesky"].posts], diff_url)
        assert not alone or len(world.bluesky.records()) == len(drafts["bluesky"].posts)


def _mastodon(world: World, statuses: tuple[str, ...], diff_url: str) -> None:
    live = world.mastodon.statuses
    assert max(Counter(status.text for status in live).values()) == 1, world.mastodon.texts().most_common(3)
    by_text = {status.text: status for status in live}
    assert all(text in by_text for text in statuses), [text for text in statuses if text not in by_text]
    chain = [by_text[text] for text in statuses]
    assert chain[0].in_reply_to_id is None
    assert [status.in_reply_to_id for status in chain[1:]] == [status.id for status in chain[:-1]]
    assert diff_url in chain[0].text


def _bluesky(world: World, slug: str, texts: list[str], diff_url: str) -> None:
    every = world.bluesky.records()
    assert max(Counter(record["value"]["text"] for record in every).values()) == 1
    found = world.bluesky.posts(slug)
    assert {n: len(records) for n, records in found.items()} == {n: 1 for n in range(1, len(texts) + 1)}
    records = [found[n][0] for n in range(1, len(texts) + 1)]
    assert [record["value"]["text"] for record in records] == texts
    assert "reply" not in records[0]["value"]
    for before, record in zip(records, records[1:], strict=False):
        reply = record["value"]["reply"]
        assert (reply["root"]["uri"], reply["root"]["cid"]) == (records[0]["uri"], records[0]["cid"])
        assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (before["uri"], before["cid"])
    first = records[0]["value"]
    assert any(feature["uri"] == diff_url for facet in first.get("facets", []) for feature in facet["features"])
