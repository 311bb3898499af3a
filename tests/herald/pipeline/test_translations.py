"""Translations: the stub, outdated and what changed, what a translation sends, one recap entry per family."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from channels.registry import load_update
from config.settings import load_settings
from content.errors import UpdateError
from content.family import revision_of, snapshot, source_text
from herald.core.ledger import RecapEntry, ReceiptRow, UpdateRow
from herald.pipeline.recap import Month, build_recap
from herald.pipeline.translations import language_settings, mark_up_to_date, outdated, write_stub

SOURCE = ("---\ntitle: What we told the Commission\ndate: 2026-10-08\nsummary: Our answer.\ntags: [copyright]\n"
          "slug: what-we-told\ncorrection: \"An earlier date was wrong.\"\n---\n"
          "We answered the consultation.\n\nThe deadline is 30 November.\n")


@pytest.fixture
def source(workdir: Path) -> Path:
    path = workdir / "content" / "updates" / "2026-10-08-told.md"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def _config(workdir: Path, extra: str):  # noqa: ANN202 - Settings
    config = workdir / "herald.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[email]\n", f"{extra}\n[email]\n"), "utf-8")
    return load_settings(config)


def test_the_stub_has_the_source_text_its_revision_and_its_own_fields(source, workdir):
    settings = load_settings()
    target, revision = write_stub(source, "fr", settings)
    assert target.name == "2026-10-08-told.fr.md"
    stub = load_update(target)
    assert (stub.lang, stub.status, stub.source_revision) == ("fr", "draft", revision)
    assert stub.tags == ("copyright",) and stub.correction is None and stub.slug == "what-we-told-the-commission-fr"
    assert "We answered the consultation." in stub.body
    assert revision == revision_of(source_text(load_update(source))) and len(revision) >= 12
    assert snapshot(source, revision) == source_text(load_update(source))
    with pytest.raises(UpdateError, match="already exists"):
        write_stub(source, "fr", settings)
    with pytest.raises(UpdateError, match="the source's own language"):
        write_stub(source, "en", settings)
    with pytest.raises(UpdateError, match="is a translation; translate its source"):
        write_stub(target, "ar", settings)


def test_an_edited_source_makes_the_translation_outdated_with_the_changed_passage(source):
    settings = load_settings()
    target, revision = write_stub(source, "fr", settings)
    assert outdated(load_update(target), settings) is None
    source.write_text(SOURCE.replace("30 November", "15 December"), encoding="utf-8")
    stale = outdated(load_update(target), settings)
    assert stale is not None and stale.revision == revision
    assert "[-30 November.-]{+15 December.+}" in stale.changes
    path, before, after = mark_up_to_date(source, "fr", settings)
    assert (path, before) == (target, revision) and after != revision
    assert outdated(load_update(target), settings) is None
    assert load_update(target).source_revision == after


def test_a_translation_sends_email_only_to_its_language_list_and_posts_only_with_its_own_account(source, workdir):
    settings = _config(workdir, '[email.lists]\nfr = "fr@lists.example.org"\n'
                                '[twitter.accounts.ar]\naccess_token = "ar-token"\n')
    french = load_update(write_stub(source, "fr", settings)[0])
    arabic = load_update(write_stub(source, "ar", settings)[0])
    fr_settings, fr_channels, fr_skipped = language_settings(french, settings, None)
    assert fr_channels == ["diff", "medium", "email"]
    assert fr_settings.email.list_addr == "fr@lists.example.org"
    assert [name for name, _ in fr_skipped] == ["twitter"] and "no account for 'fr'" in fr_skipped[0][1]
    ar_settings, ar_channels, ar_skipped = language_settings(arabic, settings, None)
    assert ar_channels == ["diff", "medium", "twitter"]
    assert ar_settings.twitter.access_token.get_secret_value() == "ar-token"
    assert [name for name, _ in ar_skipped] == ["email"] and "[email.lists] ar" in ar_skipped[0][1]
    source_settings, channels, skipped = language_settings(load_update(source), settings, None)
    assert source_settings is settings and channels is None and skipped == []


def _entry(slug: str, source: Path, url: str) -> RecapEntry:
    now = dt.datetime(2026, 10, 9, tzinfo=dt.UTC)
    row = UpdateRow(1, slug, str(source), slug, dt.date(2026, 10, 8), now, now)
    receipt = ReceiptRow(slug, "diff", "published", url, "1", None, "", "live", now, now)
    return RecapEntry(row, (receipt,))


def test_the_recap_has_one_entry_per_family_in_its_language_linking_the_others(source):
    settings = load_settings()
    french_path, _ = write_stub(source, "fr", settings)
    arabic_path, _ = write_stub(source, "ar", settings)
    updates = {update.slug: update for update in map(load_update, (source, french_path, arabic_path))}
    urls = {slug: f"https://diff.example.org/2026/10/08/{slug}/" for slug in updates}
    entries = [_entry(slug, update.source, urls[slug]) for slug, update in updates.items()]
    text = build_recap(Month(2026, 10), entries, updates, settings)
    assert text is not None and text.count("## ") == 1 and "## What we told the Commission" in text
    line = next(line for line in text.splitlines() if line.startswith("Also available in:"))
    assert "[العربية](https://diff.example.org/2026/10/08/what-we-told-the-commission-ar/)" in line
    assert "[Français](https://diff.example.org/2026/10/08/what-we-told-the-commission-fr/)" in line


def test_check_of_a_translation_names_only_the_channels_it_sends_to(source, workdir):
    from typer.testing import CliRunner

    from herald.cli import app

    target, _ = write_stub(source, "fr", load_settings())
    result = CliRunner().invoke(app, ["check", str(target.relative_to(workdir))])
    assert result.exit_code == 0, result.output
    summary = result.output.splitlines()[0]
    assert summary.endswith(": diff, medium"), summary  # no list or account for French: said in the warnings
    assert "twitter: no account for 'fr'" in result.output and "email: no list for 'fr'" in result.output
