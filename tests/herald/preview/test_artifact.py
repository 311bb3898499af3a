"""The preview as Prefect artifacts: a Markdown summary, and the page written under a content-derived name."""

from __future__ import annotations

from pathlib import Path

from config.settings import load_settings
from herald.core.draft import fenced
from herald.pipeline.render import load_and_render
from herald.preview.artifact import summary_markdown, write_page
from herald.preview.page import preview_page

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _rendered(tmp_path: Path, name: str):
    config = tmp_path / "herald.toml"
    config.write_text(f'content_root = "{FIXTURES}"\n', encoding="utf-8")
    return load_and_render(FIXTURES / "updates" / name, load_settings(config))


def test_summary_has_a_row_per_channel_the_thread_and_the_plain_text(tmp_path):
    rendered = _rendered(tmp_path, "full.md")
    markdown = summary_markdown(rendered, "file:///tmp/page.html")
    for name in rendered.drafts:
        assert f"\n| {name} | " in markdown
    assert all(tweet in markdown for tweet in rendered.drafts["twitter"].tweets)
    assert "Subject: Don't Blink" in markdown and "Read on Diff:" in markdown
    assert "medium tag &#x27;Open Knowledge&#x27; dropped" in markdown
    assert "[page.html](file:///tmp/page.html)" in markdown


def test_summary_carries_no_raw_html_from_the_update(tmp_path):
    markdown = summary_markdown(_rendered(tmp_path, "unsafe.md"))
    assert "<script" not in markdown.lower() and "onerror" not in markdown


def test_fences_outgrow_backticks_in_the_text():
    assert fenced("a ```` b").startswith("`````text\n")


def test_the_page_is_named_by_its_content_and_an_unwritable_folder_is_not_an_error(tmp_path):
    rendered = _rendered(tmp_path, "cjk.md")
    page = preview_page(rendered)
    uri = write_page(page, rendered.update.slug, tmp_path / "previews")
    assert uri is not None and Path(uri.removeprefix("file://")).read_bytes() == page.encode()
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert write_page(page, rendered.update.slug, blocker / "previews") is None
