"""The monthly recap: the pure builder against a real ledger and real update files, then the flow itself."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from channels.registry import load_update
from config.settings import load_settings
from herald.cli import app
from herald.core.ledger import Ledger
from herald.pipeline.recap import Month, build_recap, recap_items, recap_path, recap_slug

OCTOBER = Month(2026, 10)
TITLE = "Don't Blink: Protecting the Wikimedia model, its people, and its values in October 2026"
COPYRIGHT = "what-we-told-the-european-commission-about-copyright-and-ai-training"
COMPACT = "three-things-the-global-digital-compact-review-should-protect"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _write(workdir: Path, name: str, title: str, day: str, summary: str, extra: str = "") -> Path:
    path = workdir / "content" / "updates" / name
    path.write_text(f'---\ntitle: "{title}"\ndate: {day}\nsummary: {summary}\n{extra}---\nBody of {title}.\n',
                    encoding="utf-8")
    return path


def _publish(ledger: Ledger, path: Path, diff: str | None, medium: str | None = None, thread: str | None = None,
             medium_status: str = "published") -> str:
    """Record what the publish flow would have recorded for an update."""
    update = load_update(path, path.parent.parent)
    ledger.record_update(update.slug, str(path), update.title, update.date)
    if diff:
        ledger.record_receipt(update.slug, "diff", "published", url=diff, transport="live")
    ledger.record_receipt(update.slug, "medium", medium_status, url=medium, transport="live")
    if thread:
        ledger.record_receipt(update.slug, "twitter", "published", url=thread, transport="live")
    ledger.record_receipt(update.slug, "email", "published", url="mid:1@example.org", transport="live")
    return update.slug


@pytest.fixture
def month_of_updates(workdir: Path) -> dict[str, str]:
    """October 2026 in the ledger: three published updates (one opted out), one failed, and two outside the month."""
    for old in (workdir / "content" / "updates").glob("*.md"):
        old.unlink()
    ledger = Ledger(load_settings().ledger_url)
    slugs = {
        "late": _publish(ledger, _write(workdir, "c.md", "Late October", "2026-10-30", "Third."),
                         "https://diff.example.org/late/", None, "https://x.com/wmpolicy/status/3",
                         medium_status="pending_manual"),
        "early": _publish(ledger, _write(workdir, "a.md", "Early October", "2026-10-01", "First of all."),
                          "https://diff.example.org/early/", "https://medium.com/@wm/early-1",
                          "https://x.com/wmpolicy/status/1"),
        "opted_out": _publish(ledger, _write(workdir, "b.md", "Internal note", "2026-10-15", "Not for the recap.",
                                             "recap: false\n"), "https://diff.example.org/note/"),
        "september": _publish(ledger, _write(workdir, "s.md", "September item", "2026-09-30", "Before."),
                              "https://diff.example.org/sep/"),
        "november": _publish(ledger, _write(workdir, "n.md", "November item", "2026-11-01", "After."),
                             "https://diff.example.org/nov/"),
    }
    failed = load_update(_write(workdir, "f.md", "Never went out", "2026-10-20", "Failed."))
    ledger.record_update(failed.slug, str(failed.source), failed.title, failed.date)
    ledger.record_receipt(failed.slug, "diff", "failed", detail="500")
    ledger.close()
    return slugs


def _inputs(month: Month = OCTOBER):
    settings = load_settings()
    ledger = Ledger(settings.ledger_url)
    entries = ledger.published_between(month.start, month.end)
    ledger.close()
    updates = {entry.update.slug: load_update(entry.update.source, settings.content_root) for entry in entries
               if Path(entry.update.source).is_file()}
    return entries, updates, settings


def test_month_parsing_and_bounds() -> None:
    assert Month.parse("2026-10") == OCTOBER
    assert (OCTOBER.start, OCTOBER.end, OCTOBER.name) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1), "October 2026")
    assert Month(2026, 12).end == dt.date(2027, 1, 1)
    for bad in ("2026-13", "26-10", "October", "2026-1"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)
    berlin_new_year = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # already 1 January in Berlin
    from zoneinfo import ZoneInfo

    assert Month.before(berlin_new_year, ZoneInfo("Europe/Berlin")) == Month(2026, 12)
    assert Month.before(berlin_new_year, ZoneInfo("UTC")) == Month(2026, 11)


def test_recap_lists_the_months_published_updates_in_date_order_with_their_real_urls(month_of_updates) -> None:
    entries, updates, settings = _inputs()
    text = build_recap(OCTOBER, entries, updates, settings)
    assert text is not None
    assert [item.title for item in recap_items(entries, updates)] == ["Early October", "Late October"]
    sections = text.split("\n## ")[1:]
    assert [section.splitlines()[0] for section in sections] == ["Early October", "Late October"]
    assert sections[0].splitlines()[2:] == [
        "First of all.", "",
        "[Read more](https://diff.example.org/early/) · [on Medium](https://medium.com/@wm/early-1)"
        " · [the thread on X](https://x.com/wmpolicy/status/1)",
    ]  # fmt: skip
    assert sections[1].splitlines()[4] == (  # Medium is a pending manual import: no link
        "[Read more](https://diff.example.org/late/) · [the thread on X](https://x.com/wmpolicy/status/3)")
    for left_out in ("Internal note", "Never went out", "September item", "November item"):
        assert left_out not in text
    assert text.count("[Read more]") == 2


def test_outbox_file_links_never_reach_the_recap(workdir: Path) -> None:
    ledger = Ledger(load_settings().ledger_url)
    slug = _publish(ledger, _write(workdir, "o.md", "Outbox only", "2026-10-05", "Local."),
                    "https://diff.example.org/outbox/", None, "file:///tmp/outbox/outbox-only/thread.json")
    ledger.close()
    entries, updates, settings = _inputs()
    text = build_recap(OCTOBER, [e for e in entries if e.update.slug == slug], updates, settings)
    assert "file://" not in text
    assert "[Read more](https://diff.example.org/outbox/)" in text


def test_recap_is_a_valid_update_in_the_dont_blink_shape(month_of_updates, workdir: Path) -> None:
    entries, updates, settings = _inputs()
    text = build_recap(OCTOBER, entries, updates, settings)
    path = recap_path(OCTOBER, settings)
    assert path == settings.content_root / "updates" / "2026-11-01-dont-blink-october-2026.md"
    path.write_text(text, encoding="utf-8")

    recap = load_update(path)
    assert (recap.title, recap.date, recap.slug, recap.recap) == (TITLE, dt.date(2026, 11, 1), recap_slug(OCTOBER),
                                                                  False)
    assert recap.channels is None  # every channel the team enables
    assert recap.body.lstrip().startswith(settings.recap.intro)
    assert "[Meta-Wiki](https://meta.wikimedia.org/wiki/Global_Advocacy)" in recap.body
    checked = _run("check", str(path))
    assert checked.exit_code == 0, checked.output
    assert build_recap(OCTOBER, entries, updates, settings) == text  # deterministic


def test_team_links_and_texts_come_from_the_recap_settings(month_of_updates, workdir: Path) -> None:
    config = workdir / "herald.toml"
    config.write_text(config.read_text() + '[recap]\nintro = "Hello, readers."\ntags = ["Monthly"]\n'
                      'links = [{label = "our blog", url = "https://blog.example.org/"}]\n', encoding="utf-8")
    entries, updates, settings = _inputs()
    text = build_recap(OCTOBER, entries, updates, settings)
    assert "\nHello, readers.\n" in text
    assert 'tags: ["Monthly"]' in text
    assert "follow [our blog](https://blog.example.org/)." in text
    assert "Meta-Wiki" not in text


def test_an_empty_month_builds_nothing(month_of_updates) -> None:
    entries, updates, settings = _inputs(Month(2026, 8))
    assert entries == []
    assert build_recap(Month(2026, 8), entries, updates, settings) is None


def test_an_update_whose_file_is_gone_keeps_its_ledger_title_but_an_old_recap_never_shows(month_of_updates) -> None:
    ledger = Ledger(load_settings().ledger_url)
    ledger.record_update("dont-blink-september-2026", "gone.md", "Don't Blink ... September 2026", dt.date(2026, 10, 1))
    ledger.record_receipt("dont-blink-september-2026", "diff", "published", url="https://diff.example.org/db-sep/")
    ledger.close()
    entries, updates, settings = _inputs()
    del updates[month_of_updates["early"]]
    text = build_recap(OCTOBER, entries, updates, settings)
    assert "## Early October\n\n[Read more](https://diff.example.org/early/)" in text
    assert "September 2026" not in text


# The flow, on the embedded engine: publish the two October examples, then recap October.

RECAP_SLUG = "dont-blink-october-2026"


def _receipts(workdir: Path, slug: str) -> list[tuple]:
    with sqlite3.connect(workdir / "herald.db") as db:
        return db.execute("select r.channel, r.status from receipts r join updates u on u.id = r.update_id"
                          " where u.slug = ? order by r.channel", (slug,)).fetchall()


@pytest.mark.flow
def test_recap_flow_writes_publishes_once_and_reruns_as_a_no_op(workdir: Path, prefect_engine) -> None:
    for example in sorted((workdir / "content" / "updates").glob("2026-10-*.md")):
        assert _run("publish", str(example)).exit_code == 0

    first = _run("recap", "2026-10")
    assert first.exit_code == 0, first.output
    path = workdir / "content" / "updates" / "2026-11-01-dont-blink-october-2026.md"
    text = path.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## What we told the European Commission about copyright and AI training",
        "## Three things the Global Digital Compact review should protect",
    ]
    assert f"[Read more](https://diff.example.org/2026/10/08/{COPYRIGHT}/)" in text
    assert f"[Read more](https://diff.example.org/2026/10/22/{COMPACT}/)" in text
    diff = json.loads((workdir / "outbox" / RECAP_SLUG / "diff.json").read_text(encoding="utf-8"))
    assert diff["title"] == TITLE
    assert _receipts(workdir, RECAP_SLUG) == [("diff", "published"), ("email", "published"),
                                              ("medium", "pending_manual"), ("twitter", "published")]

    mtime = path.stat().st_mtime_ns
    again = _run("recap", "2026-10")
    assert again.exit_code == 0, again.output
    assert again.output.count("already_published") == 4
    assert path.stat().st_mtime_ns == mtime and path.read_text(encoding="utf-8") == text

    empty = _run("recap", "2026-09")
    assert empty.exit_code == 0, empty.output
    assert "nothing was published in September 2026" in empty.output
    assert not (workdir / "content" / "updates" / "2026-10-01-dont-blink-september-2026.md").exists()


@pytest.mark.flow
def test_recap_dry_run_writes_and_sends_nothing(workdir: Path, prefect_engine) -> None:
    ledger = Ledger(load_settings().ledger_url)
    _publish(ledger, workdir / "content" / "updates" / "2026-10-08-eu-copyright-consultation.md",
             "https://diff.example.org/copyright/")
    ledger.close()
    result = _run("recap", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry_run" in result.output and "[Read more](https://diff.example.org/copyright/)" in result.output
    assert not (workdir / "outbox").exists()
    assert not list((workdir / "content" / "updates").glob("*dont-blink*"))


def test_a_bad_month_is_invalid_input(workdir: Path) -> None:
    result = _run("recap", "October")
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_recap_settings_are_checked_when_read(workdir: Path) -> None:
    config = workdir / "herald.toml"
    config.write_text(config.read_text() + '[recap]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    result = _run("recap", "2026-10")
    assert result.exit_code == 2 and "recap.timezone" in result.output and "IANA" in result.output


def test_a_retracted_update_leaves_the_recap(month_of_updates) -> None:
    ledger = Ledger(load_settings().ledger_url)
    ledger.record_receipt(month_of_updates["early"], "diff", "retracted", url="https://diff.example.org/early/",
                          transport="live")
    ledger.close()
    entries, updates, _ = _inputs()
    assert [item.title for item in recap_items(entries, updates)] == ["Late October"]


def test_titles_and_summaries_come_out_exactly_on_every_channel(month_of_updates, workdir: Path) -> None:
    from content.markdown import bare_link, blocks, render_html
    from herald.pipeline.render import render_update

    title = 'Unsafe <script>alert(1)</script> title & "quotes" *stars* _under_ [brackets] #1'
    summary = "1. A summary with <b>tags</b>, ~tildes~ & `ticks`"
    path = workdir / "content" / "updates" / "u.md"
    path.write_text(f"---\ntitle: {json.dumps(title)}\ndate: 2026-10-12\nsummary: {json.dumps(summary)}\n---\n"
                    "Body.\n", encoding="utf-8")
    ledger = Ledger(load_settings().ledger_url)
    _publish(ledger, path, "https://diff.example.org/unsafe/")
    ledger.close()
    entries, updates, settings = _inputs()
    recap_file = recap_path(OCTOBER, settings)
    recap_file.write_text(build_recap(OCTOBER, entries, updates, settings), encoding="utf-8")
    recap = load_update(recap_file)

    texts = [block.text for block in blocks(recap.body, bare_link)]
    assert title in texts and summary in texts
    html = render_html(recap.body)
    shown = 'Unsafe &lt;script&gt;alert(1)&lt;/script&gt; title &amp; "quotes" *stars* _under_ [brackets] #1'
    assert f"<h2>{shown}</h2>" in html
    assert "<p>1. A summary with &lt;b&gt;tags&lt;/b&gt;, ~tildes~ &amp; `ticks`</p>" in html
    drafts = render_update(recap, settings).drafts
    assert title in " ".join(drafts["email"].message.get_body(("plain",)).get_content().split())  # wrapped at 72
    assert any(title in tweet for tweet in drafts["twitter"].tweets)


def test_a_spanish_recap_has_spanish_link_labels(month_of_updates) -> None:
    entries, updates, settings = _inputs()
    spanish = settings.model_copy(update={"recap": settings.recap.model_copy(update={"lang": "es"})})
    text = build_recap(OCTOBER, entries, updates, spanish)
    assert text is not None and "\nlang: \"es\"\n" in text
    assert ("[Leer más](https://diff.example.org/early/) · [en Medium](https://medium.com/@wm/early-1)"
            " · [el hilo en X](https://x.com/wmpolicy/status/1)") in text
    assert "Para saber más sobre nosotros y nuestro trabajo, sigue [Meta-Wiki](" in text
    assert "Read more" not in text and "To learn more" not in text
    assert "octubre de 2026" in text.split("\n---\n", 1)[0]  # {month} in the title and summary, in Spanish
    english = build_recap(OCTOBER, entries, updates, settings)
    assert english is not None and "\nlang: \"en\"\n" in english and "To learn more about us" in english
