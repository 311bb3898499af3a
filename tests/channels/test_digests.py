"""Approval digests of every channel's draft of the shipped examples and the fixtures, against recorded values.

A change of a digest is a change of what a reviewer approved: record new values on purpose, in their own commit:
`HERALD_RECORD_DIGESTS=1 scripts/test tests/channels/test_digests.py`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from channels.registry import CHANNELS, load_update
from content.errors import UpdateError
from herald.core.draft import RenderContext, RenderError, draft_digest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
RECORDED = Path(__file__).with_name("digests.json")
CONTEXT = RenderContext(diff_url="https://diff.wikimedia.org/2026/10/08/herald-digest/")
VARIANTS = {  # besides each channel's defaults: the other link position, and short caps that condense
    "twitter link=last": ("twitter", {"link": "last"}), "twitter max_tweets=4": ("twitter", {"max_tweets": 4}),
    "mastodon max_posts=3": ("mastodon", {"max_posts": 3}), "bluesky max_posts=3": ("bluesky", {"max_posts": 3}),
}
UPDATES = sorted([*(REPO / "content" / "updates").glob("*.md"), *FIXTURES.rglob("*.md")])


def root_of(path: Path) -> Path:
    """The content root a file's images are checked against."""
    return REPO / "content" if path.is_relative_to(REPO / "content") else FIXTURES


def digests(path: Path) -> dict[str, str]:
    """Each channel's draft digest for one update (or the one-line refusal, without the file's path)."""
    try:
        update = load_update(path, root_of(path))
    except UpdateError as error:
        return {"load": str(error).removeprefix(f"{path}: ")}
    out = {}
    cases = {**{name: (name, {}) for name in CHANNELS}, **VARIANTS}
    for label, (name, values) in cases.items():
        spec = CHANNELS[name]
        settings = spec.settings(enabled=True, **values)
        try:
            draft = spec.render(update, CONTEXT, settings, update.block(name, spec.options))
        except RenderError as error:
            out[label] = f"refused: {error.field}: {error.message}"
        else:
            out[label] = draft_digest(draft)
    return out


def current() -> dict[str, dict[str, str]]:
    """Every update's digests, by its path in the repository."""
    return {path.relative_to(REPO).as_posix(): digests(path) for path in UPDATES}


def test_every_draft_digest_is_as_recorded() -> None:
    found = current()
    if os.environ.get("HERALD_RECORD_DIGESTS"):
        RECORDED.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("digests recorded")
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    changed = [f"{path} {name}" for path in found | recorded for name in found.get(path, {}) | recorded.get(path, {})
               if found.get(path, {}).get(name) != recorded.get(path, {}).get(name)]
    assert not changed, f"drafts changed: {', '.join(changed)}"
