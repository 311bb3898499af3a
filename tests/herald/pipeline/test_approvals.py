"""Approval bound to the bytes: publish refuses drafts nobody approved, or that changed since, naming the channel."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import load_settings
from content.errors import UpdateError
from herald.cli import app
from herald.pipeline.approvals import Approvals
from herald.pipeline.gate import prepare_publish
from herald.pipeline.render import load_and_render

EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
SLUG = "what-we-told-the-european-commission-about-copyright-and-ai-training"


@pytest.fixture
def approving(workdir: Path) -> Path:
    """The scratch project with `require_approval = true` (a top-level key: before the first [section])."""
    config = workdir / "herald.toml"
    config.write_text("require_approval = true\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return workdir


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _edit(workdir: Path, old: str, new: str) -> None:
    path = workdir / EXAMPLE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _receipts(workdir: Path) -> list[tuple]:
    with sqlite3.connect(workdir / "herald.db") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
        return db.execute("select channel, status from receipts").fetchall() if "receipts" in tables else []


def test_an_unapproved_update_is_refused(approving):
    with pytest.raises(UpdateError, match=r"approval: not approved; review `herald preview .*`, then run `herald appr"):
        prepare_publish(EXAMPLE, load_settings())


def test_approval_records_every_channels_digest_and_lets_the_same_drafts_through(approving):
    result = _run("approve", EXAMPLE, "--by", "Ada Policy")
    assert result.exit_code == 0, result.output
    assert f"approved {SLUG} by Ada Policy" in result.output
    settings = load_settings()
    latest = Approvals(settings.ledger_url).latest(SLUG)
    assert sorted(latest) == ["diff", "email", "medium", "twitter"]
    assert {approval.approved_by for approval in latest.values()} == {"Ada Policy"}
    assert prepare_publish(EXAMPLE, settings).update.slug == SLUG


@pytest.mark.parametrize(("old", "new", "changed"), [
    ('subject: "Our response', 'subject: "Our reply', "email"),
    ("tags: [Copyright, Wikipedia, AI Policy]", "tags: [Copyright, Wikipedia, AI]", "medium"),
    ("last week it closed", "last month it closed", "diff, medium, twitter, email"),  # the thread tells it too
])
def test_a_change_after_approval_names_the_channels_whose_drafts_changed(approving, old, new, changed):
    assert _run("approve", EXAMPLE, "--by", "Ada Policy").exit_code == 0
    _edit(approving, old, new)
    with pytest.raises(UpdateError) as error:
        prepare_publish(EXAMPLE, load_settings())
    assert str(error.value).startswith(f"{EXAMPLE}: approval: {changed} changed since approved by Ada Policy on ")
    assert str(error.value).endswith("; review the preview and approve again")


def test_a_channel_subset_needs_only_its_own_approval_and_nothing_else_is_checked(approving):
    settings = load_settings()
    rendered = load_and_render(EXAMPLE, settings, ["diff"])
    Approvals(settings.ledger_url).approve(rendered, "Ada Policy")
    assert list(prepare_publish(EXAMPLE, settings, ["diff"]).drafts) == ["diff"]
    with pytest.raises(UpdateError, match="approval: medium, twitter, email never approved"):
        prepare_publish(EXAMPLE, settings)


def test_approve_needs_a_name_and_a_valid_update(approving):
    assert _run("approve", EXAMPLE, "--by", " ").exit_code == 2
    assert _run("approve", "content/updates/missing.md", "--by", "Ada").exit_code == 2


def test_without_require_approval_nothing_is_checked(workdir):
    assert prepare_publish(EXAMPLE, load_settings()).update.slug == SLUG
    assert not (workdir / "herald.db").exists()


@pytest.mark.flow
def test_approve_change_one_word_refused_approve_again_published(approving, prefect_engine):
    assert _run("approve", EXAMPLE, "--by", "Ada Policy").exit_code == 0
    _edit(approving, "last week it closed", "last month it closed")

    refused = _run("publish", EXAMPLE)
    assert refused.exit_code == 2, refused.output
    changed = "approval: diff, medium, twitter, email changed since approved by Ada Policy"  # the thread tells it too
    assert changed in " ".join(refused.output.split())
    assert not (approving / "outbox").exists()
    assert _receipts(approving) == []

    assert _run("approve", EXAMPLE, "--by", "Ada Policy").exit_code == 0
    published = _run("publish", EXAMPLE)
    assert published.exit_code == 0, published.output
    assert sorted(p.name for p in (approving / "outbox" / SLUG).iterdir()) == [
        "diff.html", "diff.json", "email.eml", "medium.html", "medium.json", "thread.json", "thread.txt"]
    assert sorted(_receipts(approving)) == [("diff", "published"), ("email", "published"),
                                           ("medium", "pending_manual"), ("twitter", "published")]
