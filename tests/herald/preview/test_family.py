"""The family page: each language's Diff post side by side, the outdated one with what changed in its source."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import load_settings
from herald.cli import app
from herald.pipeline.translations import write_stub
from herald.preview.family import FILE, changes_html, family_page, versions

SOURCE = ("---\ntitle: What we told the Commission\ndate: 2026-10-08\nslug: what-we-told\nstatus: ready\n---\n"
          "We answered the consultation.\n\nThe deadline is 30 November.\n")
ARABIC = ("---\ntitle: ما قلناه للمفوضية\ndate: 2026-10-08\nlang: ar\nstatus: ready\nsource_revision: {revision}\n"
          "---\nأجبنا على المشاورة.\n\nالموعد النهائي هو 30 نوفمبر.\n")


@pytest.fixture
def family(workdir: Path) -> Path:
    """A source, its French stub and an Arabic translation made from it; then the source changes its deadline."""
    source = workdir / "content" / "updates" / "2026-10-08-told.md"
    source.write_text(SOURCE, encoding="utf-8")
    settings = load_settings()
    _, revision = write_stub(source, "fr", settings)
    arabic = source.with_name("2026-10-08-told.ar.md")
    arabic.write_text(ARABIC.format(revision=revision), encoding="utf-8")
    source.write_text(SOURCE.replace("30 November", "15 December"), encoding="utf-8")
    return source


def test_a_word_diff_becomes_struck_and_inserted_words_escaped() -> None:
    html = changes_html("The deadline is [-30 <b>November.-]{+15 December.+} Thanks")
    assert html == "The deadline is <del>30 &lt;b&gt;November.</del><ins>15 December.</ins> Thanks"


def test_the_family_page_shows_every_language_and_marks_the_outdated_ones(family: Path) -> None:
    found = versions(family, load_settings())
    assert [(v.lang, v.is_source, v.stale is not None) for v in found] == [
        ("en", True, False), ("ar", False, True), ("fr", False, True)]
    page = family_page(found)
    assert page.count("<section class=pane id=diff") == 3
    assert page.count("badge outdated") == 2
    assert "<del>30 November.</del><ins>15 December.</ins>" in page
    arabic = page[page.index("ar · 2026-10-08-told.ar.md"):]
    assert 'dir="rtl"' in arabic[:arabic.index("</section>")]  # the post itself carries it, as WordPress gets it
    assert page.count('<a href="diff.json">') == 1  # only the source's files are beside the page
    assert "Its exact files: <code>herald preview " in arabic


def test_preview_of_a_source_with_translations_writes_the_family_page(family: Path, workdir: Path) -> None:
    result = CliRunner().invoke(app, ["preview", str(family.relative_to(workdir)), "--out", "out"])
    assert result.exit_code == 0, result.output
    assert (workdir / "out" / FILE).is_file() and f"out/{FILE}" in result.output
    lone = workdir / "content" / "updates" / "2026-10-09-alone.md"
    lone.write_text(SOURCE.replace("what-we-told", "alone"), encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(lone.relative_to(workdir)), "--out", "lone"])
    assert result.exit_code == 0 and not (workdir / "lone" / FILE).exists()


@pytest.mark.browser
def test_browser_shows_the_arabic_column_right_to_left(family: Path, workdir: Path, browser, screenshot) -> None:
    CliRunner().invoke(app, ["preview", str(family.relative_to(workdir)), "--out", "out"])
    browser.get((workdir / "out" / FILE).as_uri())
    directions = browser.execute_script(
        "return [...document.querySelectorAll('.version .post')].map(p => "
        "getComputedStyle(p.querySelector('[lang]') || p).direction)")
    assert directions == ["ltr", "rtl", "ltr"], directions
    screenshot(browser, "family-preview")
