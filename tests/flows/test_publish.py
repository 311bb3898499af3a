"""The real publish flow on the embedded default: outbox files, ledger rows, reruns, exit codes."""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app

pytestmark = pytest.mark.flow
EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
SLUG = "what-we-told-the-european-commission-about-copyright-and-ai-training"
DIFF_URL = f"https://diff.example.org/2026/10/08/{SLUG}/"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _ledger_rows(workdir: Path) -> list[tuple]:
    with sqlite3.connect(workdir / "herald.db") as db:
        return db.execute(
            "select r.channel, r.status, r.url, r.transport from receipts r order by r.channel"
        ).fetchall()


def test_publish_writes_the_previewed_bytes_records_the_ledger_and_reruns_as_a_no_op(workdir, prefect_engine):
    assert _run("preview", EXAMPLE, "--out", "preview").exit_code == 0
    first = _run("publish", EXAMPLE)
    assert first.exit_code == 0, first.output

    outbox = workdir / "outbox" / SLUG
    previewed = {p.name: p.read_bytes() for p in (workdir / "preview").iterdir() if p.name != "index.html"}
    sent = {p.name: p.read_bytes() for p in outbox.iterdir()}
    assert sent == previewed
    assert set(sent) == {"diff.json", "diff.html", "medium.json", "medium.html", "thread.json", "thread.txt",
                         "email.eml"}

    assert _ledger_rows(workdir) == [
        ("diff", "published", DIFF_URL, "outbox"),
        ("email", "published", (outbox / "email.eml").as_uri(), "outbox"),
        ("medium", "pending_manual", None, "outbox"),
        ("twitter", "published", (outbox / "thread.json").as_uri(), "outbox"),
    ]
    assert json.loads(sent["medium.json"])["canonicalUrl"] == DIFF_URL
    assert DIFF_URL in "\n".join(json.loads(sent["thread.json"]))
    message = email.message_from_bytes(sent["email.eml"], policy=email.policy.default)
    assert DIFF_URL in message.get_body(("plain",)).get_content()
    assert DIFF_URL in message.get_body(("html",)).get_content()

    before = {p.name: p.stat().st_mtime_ns for p in outbox.iterdir()}
    second = _run("publish", EXAMPLE)
    assert second.exit_code == 0, second.output
    assert second.output.count("already_published") == 4
    assert {p.name: p.stat().st_mtime_ns for p in outbox.iterdir()} == before
    assert len(_ledger_rows(workdir)) == 4

    status = _run("status", EXAMPLE)
    assert status.exit_code == 0 and DIFF_URL in status.output


def test_a_channel_subset_publishes_only_those_channels(workdir, prefect_engine):
    result = _run("publish", EXAMPLE, "--channels", "diff,twitter")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (workdir / "outbox" / SLUG).iterdir()) == [
        "diff.html", "diff.json", "thread.json", "thread.txt"]
    assert [row[0] for row in _ledger_rows(workdir)] == ["diff", "twitter"]


def test_dry_run_sends_and_records_nothing(workdir, prefect_engine):
    result = _run("publish", EXAMPLE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry_run" in result.output
    assert not (workdir / "outbox").exists()
    assert not (workdir / "herald.db").exists()


def test_a_failed_channel_does_not_block_the_others_and_exits_1(workdir, prefect_engine):
    outbox = workdir / "outbox" / SLUG
    outbox.mkdir(parents=True)
    (outbox / "thread.json").mkdir()  # the outbox cannot write this file: twitter fails
    result = _run("publish", EXAMPLE)
    assert result.exit_code == 1, result.output
    rows = {row[0]: row[1] for row in _ledger_rows(workdir)}
    assert rows == {"diff": "published", "medium": "pending_manual", "email": "published", "twitter": "failed"}

    (outbox / "thread.json").rmdir()
    retry = _run("publish", EXAMPLE)
    assert retry.exit_code == 0, retry.output
    assert retry.output.count("already_published") == 3
    assert {row[0]: row[1] for row in _ledger_rows(workdir)}["twitter"] == "published"


def test_without_a_medium_token_the_article_waits_as_a_manual_step(workdir, prefect_engine):
    assert _run("publish", EXAMPLE, "--channels", "diff,medium").exit_code == 0
    status = _run("status", EXAMPLE)
    assert "pending_manual" in status.output
    assert "medium.com/p/import" in status.output
    assert DIFF_URL in status.output


def test_invalid_input_exits_2_with_one_line_and_writes_nothing(workdir, prefect_engine):
    bad = workdir / "content" / "updates" / "bad.md"
    bad.write_text("---\ntitle: Broken\ndate: 2026-13-45\n---\nBody.\n", encoding="utf-8")
    result = _run("publish", str(bad))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: date: 2026-13-45 is not a valid date"
    assert not (workdir / "outbox").exists()
    assert not (workdir / "herald.db").exists()


def test_a_draft_update_is_refused(workdir, prefect_engine):
    path = workdir / EXAMPLE
    path.write_text(path.read_text(encoding="utf-8").replace("status: ready", "status: draft"), encoding="utf-8")
    result = _run("publish", EXAMPLE)
    assert result.exit_code == 2
    assert "status: is 'draft'" in result.output
    assert not (workdir / "outbox").exists()


def test_body_images_land_next_to_the_outbox_drafts_exactly_as_previewed(workdir, prefect_engine):
    import shutil

    from update_files import FIXTURES

    shutil.copy(FIXTURES / "updates" / "amicus.md", workdir / "content" / "updates" / "amicus.md")
    for name in ("courtroom.png", "supreme-court.png"):
        shutil.copy(FIXTURES / "images" / name, workdir / "content" / "images" / name)
    path = "content/updates/amicus.md"
    assert _run("preview", path, "--out", "preview").exit_code == 0
    result = _run("publish", path, "--channels", "diff,medium,email")
    assert result.exit_code == 0, result.output

    [outbox] = (workdir / "outbox").iterdir()
    [image] = outbox.glob("herald-*.png")
    assert image.read_bytes() == (FIXTURES / "images" / "courtroom.png").read_bytes()
    previewed = {p.name: p.read_bytes() for p in (workdir / "preview").iterdir()
                 if p.name not in ("index.html", "thread.json", "thread.txt")}
    assert {p.name: p.read_bytes() for p in outbox.iterdir()} == previewed
    for name in ("diff.html", "medium.html"):
        assert f'<img src="{image.name}" alt="Volunteers at an edit-a-thon' in (outbox / name).read_text()
    message = email.message_from_bytes((outbox / "email.eml").read_bytes(), policy=email.policy.default)
    assert f'src="{image.name}"' in message.get_body(("html",)).get_content()


def test_medium_gets_the_featured_image_at_the_url_the_diff_upload_recorded(tmp_path: Path) -> None:
    from update_files import FIXTURES, load

    from config.settings import load_settings
    from herald.core.ledger import Ledger
    from herald.core.sent import uploaded_images
    from herald.pipeline.render import render_update

    update = load("amicus.md")
    ledger = Ledger(f"sqlite:///{tmp_path / 'herald.db'}")
    ledger.record_update(update.slug, str(update.source), update.title, update.date)
    assert uploaded_images(ledger, update.slug)["featured_url"] is None  # nothing uploaded yet
    url = "https://diff.example.org/wp-content/uploads/2026/11/supreme-court.png"
    ledger.mark_part_intended(update.slug, "diff", "media", 0, "digest")
    ledger.mark_part_done(update.slug, "diff", "media", 0, "17", url)
    featured = uploaded_images(ledger, update.slug)["featured_url"]
    ledger.close()
    assert featured == url
    config = tmp_path / "herald.toml"
    config.write_text(f'content_root = "{FIXTURES}"\n', encoding="utf-8")
    rendered = render_update(update, load_settings(config), ["medium"], diff_url="https://diff.example.org/p/1/",
                             featured_url=featured)
    assert f'<figure lang="en"><img src="{url}" alt="{update.image_alt}">' in rendered.drafts["medium"].content
    assert not any("featured image" in warning for warning in rendered.warnings)


def test_a_refused_image_upload_sends_nothing_that_shows_it_and_a_rerun_finishes(workdir, prefect_engine,
                                                                                monkeypatch):
    import shutil

    from update_files import FIXTURES
    from wordpress_api import FakeWordPress

    shutil.copy(FIXTURES / "updates" / "amicus.md", workdir / "content" / "updates" / "amicus.md")
    for name in ("courtroom.png", "supreme-court.png"):
        shutil.copy(FIXTURES / "images" / name, workdir / "content" / "images" / name)
    path = "content/updates/amicus.md"
    with FakeWordPress("admin", "abcd EFGH ijkl MNOP") as wordpress:
        wordpress.add_categories("Advocacy", "Legal")  # the site's curated categories: herald refuses others
        config = workdir / "herald.toml"
        config.write_text(config.read_text().replace('base_url = "https://diff.example.org"',
                                                     f'base_url = "{wordpress.url}"\nusername = "admin"'))
        monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", "abcd EFGH ijkl MNOP")
        wordpress.fail_once("POST", "/wp-json/wp/v2/media", 400,
                            {"code": "rest_upload_unknown_error", "message": "Disk full", "data": {"status": 400}})
        first = _run("publish", path, "--channels", "diff,twitter,email")
        assert first.exit_code == 1
        shown = " ".join(first.output.split())
        assert "the body's images could not be uploaded" in shown and "Disk full" in shown
        assert not wordpress.posts and not (workdir / "outbox").exists()  # no post, no email, thread held

        again = _run("publish", path, "--channels", "diff,twitter,email")
        assert again.exit_code == 0, again.output
        [media] = [item for item in wordpress.media if item["slug"].startswith("herald-")
                   and item["alt_text"].startswith("Volunteers")]
        [post] = wordpress.posts
        assert f'src="{media["source_url"]}"' in post["content"]["raw"]
        outbox = next((workdir / "outbox").iterdir())
        message = email.message_from_bytes((outbox / "email.eml").read_bytes(), policy=email.policy.default)
        assert f'src="{media["source_url"]}"' in message.get_body(("html",)).get_content()


def test_a_publish_renders_each_channel_once_when_the_links_it_planned_hold(workdir, prefect_engine, monkeypatch):
    from herald.pipeline import render

    rendered: list[str] = []
    real = render.render_channel

    def counting(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - a spy with the same signature
        rendered.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(render, "render_channel", counting)
    assert _run("publish", EXAMPLE).exit_code == 0
    # once at the CLI's gate (a bad update stops before Prefect starts), once in the flow (also a deployment's entry)
    assert Counter(rendered) == dict.fromkeys(("diff", "medium", "twitter", "email"), 2), rendered


def test_the_link_fixing_step_renders_again_only_what_shows_a_changed_link(workdir) -> None:
    from config.settings import load_settings
    from herald.core.draft import draft_digest
    from herald.pipeline import render

    settings = load_settings()
    planned = render.load_and_render(EXAMPLE, settings)
    moved = "https://diff.example.org/?p=42"
    final = render.relinked(planned, settings, ["diff", "medium", "twitter", "email"], diff_url=moved)
    assert final.drafts["diff"] is planned.drafts["diff"]  # its own URL is not in its body
    assert moved in final.drafts["twitter"].text() and moved in final.drafts["medium"].canonical_url
    for name in ("medium", "twitter", "email"):
        assert final.drafts[name] is not planned.drafts[name]
        again = render.render_update(planned.update, settings, [name], moved).drafts[name]
        assert draft_digest(final.drafts[name]) == draft_digest(again), name
