"""Mastodon and Bluesky through an update's life on the embedded default: enabled, corrected, retracted, refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.core.ledger import Ledger

pytestmark = pytest.mark.flow
EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
SLUG = "what-we-told-the-european-commission-about-copyright-and-ai-training"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_MASTODON__ENABLED", "true")
    monkeypatch.setenv("HERALD_BLUESKY__ENABLED", "true")


def test_enabled_thread_channels_go_to_the_outbox_and_a_correction_is_one_reply_each(workdir, prefect_engine,
                                                                                      enabled):
    published = _run("publish", EXAMPLE)
    assert published.exit_code == 0, published.output
    folder = workdir / "outbox" / SLUG
    statuses = json.loads((folder / "mastodon.json").read_text(encoding="utf-8"))["statuses"]
    posts = json.loads((folder / "bluesky.json").read_text(encoding="utf-8"))["posts"]
    diff_url = json.loads((folder / "diff.json").read_text(encoding="utf-8"))
    assert statuses[0].startswith("What we told the European Commission") and "https://diff." in statuses[0]
    assert any(facet["uri"].startswith("https://diff.") for facet in posts[0]["facets"])
    assert diff_url  # the Diff post went first; its planned URL is what both link to
    status = _run("status", EXAMPLE)
    assert "mastodon" in status.output and "bluesky" in status.output

    path = workdir / EXAMPLE
    _edit(path, "status: ready", 'correction: "We first said the consultation closed last month."\nstatus: ready')
    _edit(path, "last week it closed", "last month it closed")
    corrected = _run("publish", EXAMPLE, "--correct", "--channels", "diff,mastodon,bluesky")
    assert corrected.exit_code == 0, corrected.output
    for name in ("mastodon", "bluesky"):
        reply = (folder / f"{name}-correction-1.txt").read_text(encoding="utf-8")
        assert reply.startswith("Correction: We first said the consultation closed last month. https://diff.")


def test_a_correction_too_long_for_bluesky_is_refused_before_anything_is_written(workdir, prefect_engine, enabled):
    assert _run("publish", EXAMPLE).exit_code == 0
    path = workdir / EXAMPLE
    _edit(path, "status: ready", f'correction: "{"We corrected a date in the second section. " * 8}"\nstatus: ready')
    _edit(path, "last week it closed", "last month it closed")
    refused = _run("publish", EXAMPLE, "--correct", "--channels", "diff,bluesky")
    assert refused.exit_code == 2 and "correction:" in refused.output and "Bluesky takes 300" in refused.output
    assert "Traceback" not in refused.output
    assert "last month" not in (workdir / "outbox" / SLUG / "diff.html").read_text(encoding="utf-8")
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    try:
        assert ledger.parts(SLUG, "lifecycle", "correction") == []  # refused before any state was written
    finally:
        ledger.close()


def test_listing_a_channel_the_configuration_does_not_enable_is_one_line_naming_the_file(workdir):
    path = workdir / EXAMPLE
    _edit(path, "status: ready", "channels: [diff, mastodon]\nstatus: ready")
    checked = _run("check", EXAMPLE)
    assert checked.exit_code == 2
    line = checked.output.strip()
    assert line.count("\n") == 0 and EXAMPLE in line and "channels: mastodon is not enabled" in line
