"""An update's life on the embedded default (outbox, SQLite ledger): identity, scheduling, correction, retraction."""

from __future__ import annotations

import datetime as dt
import shutil
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


def _receipts(workdir: Path) -> dict[str, str]:
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    try:
        return {row.channel: row.status for row in ledger.receipts(SLUG)}
    finally:
        ledger.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_second_file_with_a_published_slug_is_refused_by_check_and_publish_but_a_move_keeps_identity(
    workdir, prefect_engine
):
    assert _run("publish", EXAMPLE).exit_code == 0
    copy = workdir / "content" / "updates" / "2026-10-09-copy.md"
    shutil.copy(workdir / EXAMPLE, copy)
    outbox_files = sorted(p.name for p in (workdir / "outbox" / SLUG).iterdir())

    for command in (["check", str(copy)], ["publish", str(copy)], ["publish", str(copy), "--dry-run"]):
        refused = _run(*command)
        assert refused.exit_code == 2, refused.output
        line = " ".join(refused.output.split())
        assert str(copy) in line and EXAMPLE in line and f"slug: {SLUG}-2" in line
    assert sorted(p.name for p in (workdir / "outbox" / SLUG).iterdir()) == outbox_files

    _edit(copy, "status: ready", f"slug: {SLUG}-2\nstatus: ready")
    assert _run("check", str(copy)).exit_code == 0

    moved = workdir / "content" / "updates" / "2026-10-08-moved.md"
    (workdir / EXAMPLE).rename(moved)
    again = _run("publish", str(moved))
    assert again.exit_code == 0, again.output
    assert again.output.count("already_published") == 4
    dry = _run("publish", str(moved), "--dry-run")
    assert dry.exit_code == 0 and dry.output.count("already published") == 4, dry.output


def test_check_refuses_two_new_files_with_one_slug_and_warns_of_a_future_date_without_publish_at(workdir):
    folder = workdir / "content" / "updates"
    for name in ("a.md", "b.md"):
        (folder / name).write_text("---\ntitle: Same title\ndate: 2099-01-01\n---\nBody.\n", encoding="utf-8")
    result = _run("check", str(folder / "a.md"), str(folder / "b.md"))
    assert result.exit_code == 2
    assert "b.md: slug: 'same-title' is also the slug of" in " ".join(result.output.split())
    assert "date: 2099-01-01 is in the future but there is no publish_at" in " ".join(result.output.split())
    for command in (["retract", str(folder / "a.md"), "--yes"], ["unschedule", "same-title"]):
        nothing = _run(*command)
        assert nothing.exit_code == 2 and "nothing to take back" in nothing.output
    assert not (workdir / "herald.db").exists()


def test_a_scheduled_update_sends_only_diff_before_publish_at_and_the_rest_after(workdir, prefect_engine, monkeypatch):
    path = workdir / EXAMPLE
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    _edit(path, "status: ready", f"publish_at: {soon.isoformat(timespec='seconds')}\nstatus: ready")
    first = _run("publish", EXAMPLE)
    assert first.exit_code == 0, first.output
    text = " ".join(first.output.split())
    assert "scheduled" in text and f"run `herald publish {EXAMPLE}` again after that time" in text
    assert _receipts(workdir) == {"diff": "published", "medium": "scheduled", "twitter": "scheduled",
                                  "email": "scheduled"}
    assert sorted(p.name for p in (workdir / "outbox" / SLUG).iterdir()) == ["diff.html", "diff.json"]
    planned = f"https://diff.example.org/{soon:%Y/%m/%d}/{SLUG}/"
    assert planned in first.output

    steps = [line.split("next:", 1)[1] for line in _run("status", EXAMPLE).output.splitlines() if "next:" in line]
    assert len(steps) == 3 and all(f"`herald publish {EXAMPLE}`" in step for step in steps)
    early = _run("publish", EXAMPLE)
    assert early.exit_code == 0 and _receipts(workdir)["twitter"] == "scheduled", early.output
    assert sorted(p.name for p in (workdir / "outbox" / SLUG).iterdir()) == ["diff.html", "diff.json"]

    later = soon + dt.timedelta(minutes=1)
    monkeypatch.setattr("herald.pipeline.schedule.now", lambda: later)
    due = _run("publish", EXAMPLE)
    assert due.exit_code == 0, due.output
    assert _receipts(workdir) == {"diff": "published", "medium": "pending_manual", "twitter": "published",
                                  "email": "published"}
    thread = (workdir / "outbox" / SLUG / "thread.json").read_text(encoding="utf-8")
    assert planned in thread
    assert _run("publish", EXAMPLE).output.count("already_published") == 4


def test_an_edit_after_publishing_is_refused_then_corrected_channel_by_channel(workdir, prefect_engine):
    path = workdir / EXAMPLE
    assert _run("publish", EXAMPLE).exit_code == 0
    _edit(path, "closed a public\nconsultation", "closed a public\nhearing")

    refused = _run("publish", EXAMPLE)
    assert refused.exit_code == 1, refused.output
    text = " ".join(refused.output.split())
    for channel in ("diff", "medium", "email"):
        assert f"{channel} changed" in text
    assert "[-consultation-]{+hearing+}" in text and f"herald publish {EXAMPLE} --correct" in text
    assert f"nothing was sent: `herald publish {EXAMPLE} --correct` corrects what went out" in refused.output
    assert "to retry what failed" not in refused.output  # a plain rerun would only refuse again
    assert "hearing" not in (workdir / "outbox" / SLUG / "diff.html").read_text(encoding="utf-8")
    dry = _run("publish", EXAMPLE, "--dry-run")
    assert "changed since it went out" in dry.output
    checked = _run("check", EXAMPLE)
    assert checked.exit_code == 0 and "diff: changed since it went out" in checked.output

    corrected = _run("publish", EXAMPLE, "--correct")
    assert corrected.exit_code == 1, corrected.output  # Medium needs a person
    text = " ".join(corrected.output.split())
    assert "correction 1" in text and "diff corrected" in text
    assert "hearing" in (workdir / "outbox" / SLUG / "diff.html").read_text(encoding="utf-8")
    assert "medium needs_attention" in text and "medium-correction-1.html" in text
    assert "set `correction:` in the front matter" in text
    assert not list((workdir / "outbox" / SLUG).glob("correction-*"))
    assert "hearing" in (workdir / "outbox" / SLUG / "medium-correction-1.html").read_text(encoding="utf-8")

    hint = next(line for line in corrected.output.splitlines() if "herald resolve" in line)
    command = hint.split("then run `")[1].split("`")[0].split()[1:]
    settled = _run(*["https://medium.com/@wm/corrected" if word == "URL" else word for word in command])
    assert settled.exit_code == 0, settled.output
    assert _receipts(workdir)["medium"] == "published"
    assert _run("publish", EXAMPLE, "--correct").output.startswith(f"{SLUG}: nothing to correct")
    status = _run("status", EXAMPLE)
    assert "revisions: original" in status.output and "correction 1" in status.output

    _edit(path, "hearing", "public hearing")
    _edit(path, "status: ready", 'correction: "We first called the hearing a consultation."\nstatus: ready')
    second = _run("publish", EXAMPLE, "--correct", "--channels", "diff,twitter,email")
    assert second.exit_code == 0, second.output
    reply = (workdir / "outbox" / SLUG / "correction-2.txt").read_text(encoding="utf-8")
    assert reply.startswith("Correction: We first called the hearing a consultation.")
    notice = (workdir / "outbox" / SLUG / "correction-2.eml").read_text(encoding="utf-8")
    assert "Subject: Correction: Our response to the EU copyright consultation" in notice
    assert "public hearing" in notice


def test_a_retraction_takes_the_update_back_and_it_is_not_published_again(workdir, prefect_engine):
    assert _run("publish", EXAMPLE).exit_code == 0
    nothing = _run("retract", "content/updates/2026-10-22-global-digital-compact.md", "--yes")
    assert nothing.exit_code == 2 and "nothing to take back" in nothing.output
    no_terminal = _run("retract", EXAMPLE)
    assert no_terminal.exit_code == 2 and "--yes" in no_terminal.output
    assert _receipts(workdir)["diff"] == "published"

    result = _run("retract", EXAMPLE, "--reason", "Published by mistake.", "--yes")
    assert result.exit_code == 1, result.output  # Medium needs a person
    assert _receipts(workdir) == {"diff": "retracted", "medium": "needs_attention", "twitter": "retracted",
                                  "email": "retracted"}
    notice = (workdir / "outbox" / SLUG / "retraction.eml").read_text(encoding="utf-8")
    assert "Reason: Published by mistake." in notice
    steps = [line.split("next:", 1)[1] for line in _run("status", EXAMPLE).output.splitlines() if "next:" in line]
    assert len(steps) == 1 and "--by-hand" in steps[0]  # the only step left, and it works now
    by_hand = _run(*steps[0].split("`")[1].split()[1:])
    assert by_hand.exit_code == 0, by_hand.output
    assert "next:" not in _run("status", EXAMPLE).output
    assert _receipts(workdir)["medium"] == "retracted"
    again = _run("publish", EXAMPLE)
    assert again.exit_code == 2 and "was retracted" in again.output


def test_a_published_file_whose_slug_changed_is_refused_until_its_slug_is_pinned(workdir, prefect_engine):
    assert _run("publish", EXAMPLE).exit_code == 0
    path = workdir / EXAMPLE
    _edit(path, 'title: "What we told the European Commission', 'title: "What we told the Commission')
    outbox = sorted((workdir / "outbox").iterdir())
    for command in (["check", EXAMPLE], ["publish", EXAMPLE]):
        refused = _run(*command)
        line = " ".join(refused.output.split())
        assert refused.exit_code == 2 and f"went out as '{SLUG}'" in line and f"`slug: {SLUG}`" in line, line
    assert sorted((workdir / "outbox").iterdir()) == outbox  # nothing sent under the new slug
    _edit(path, "status: ready", f"slug: {SLUG}\nstatus: ready")  # the advice, as printed
    pinned = _run("publish", EXAMPLE)
    assert pinned.exit_code == 0 or "--correct" in pinned.output, pinned.output
    assert sorted((workdir / "outbox").iterdir()) == outbox
