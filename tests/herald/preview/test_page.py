"""The reviewer preview: one self-contained page per update, drawn from the drafts publish sends."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import time
from html import escape
from pathlib import Path

import pytest
from twitter_text import parse_tweet
from typer.testing import CliRunner

from channels.email.options import EmailOptions
from channels.email.render import Email
from config.settings import Settings, load_settings
from herald.cli import app
from herald.pipeline.render import Rendered, load_and_render
from herald.preview.page import CSP, preview_page, write_preview

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLES = sorted((REPO / "content" / "updates").glob("*.md"))
PAGES = [*EXAMPLES, *sorted((FIXTURES / "updates").glob("*.md"))]
HOSTILE = (
    '<script>window.__pwned=1;document.title="pwned"</script><img src="x" onerror="window.__pwned=1">'
    '<svg onload="window.__pwned=1"></svg><a id=js href="javascript:window.__pwned=1">click</a>'
    '<iframe srcdoc="<script>parent.__pwned=1;window.__pwned=1</script>"></iframe>'
    '<p onclick="window.__pwned=1" id=clickable>click me</p>'
)
SHOWN_CARDS = """return [...document.querySelectorAll('#twitter .tweet')].map(card => {
  const text = card.querySelector('.tweet-text').cloneNode(true);
  text.querySelectorAll('.tco').forEach(note => note.remove());
  return [card.querySelector('.tweet-head').textContent, text.textContent, card.querySelector('.count').textContent];
});"""


def settings_for(path: Path, tmp_path: Path) -> Settings:
    """The repository's examples under content/, the fixtures under tests/fixtures (where their images are)."""
    root = FIXTURES if path.is_relative_to(FIXTURES) else REPO / "content"
    config = tmp_path / "herald.toml"
    config.write_text(f'content_root = "{root}"\n[diff]\nbase_url = "https://diff.example.org"\n', encoding="utf-8")
    return load_settings(config)


def render(path: Path, tmp_path: Path) -> Rendered:
    return load_and_render(path, settings_for(path, tmp_path))


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_page_is_self_contained_with_a_strict_csp_and_no_script(tmp_path):
    rendered = render(FIXTURES / "updates" / "full.md", tmp_path)
    page = preview_page(rendered)
    assert f'content="{CSP}"' in page and "script-src" not in page
    assert "<script" not in page.lower() and "http-equiv" in page
    assert 'class=featured src="data:image/png;base64,' in page
    assert 'alt="A map of the countries where the team worked on policy this month"' in page
    assert '<iframe class=html-part sandbox title="HTML part" srcdoc="' in page
    assert all(f"id={pane}" in page for pane in ("diff", "medium", "twitter", "email", "problems"))
    assert "src=\"http" not in page and "<link" not in page


def test_page_lists_every_warning_at_the_top(tmp_path):
    rendered = render(FIXTURES / "updates" / "full.md", tmp_path)
    page = preview_page(rendered)
    assert rendered.warnings, "full.md is expected to drop a Medium tag"
    problems = page[page.index("id=problems"):page.index("<div class=panes>")]
    assert all(escape(warning) in problems for warning in rendered.warnings)


def test_thread_cards_mark_links_as_shortened_and_weights_near_the_limit(tmp_path):
    rendered = render(REPO / "content" / "updates" / "2026-10-08-eu-copyright-consultation.md", tmp_path)
    page = preview_page(rendered)
    thread = rendered.drafts["twitter"]
    assert page.count("class=tweet ") == len(thread.tweets)
    assert "t.co link, counts 23" in page
    for weight in thread.weights:
        assert f"data-weight={weight}>{weight}/280" in page


def test_tweet_1_card_shows_the_image_x_receives_with_its_alt_text(tmp_path):
    rendered = render(REPO / "content" / "updates" / "2026-10-08-eu-copyright-consultation.md", tmp_path)
    page = preview_page(rendered)
    thread = rendered.drafts["twitter"]
    card = page.split("<div class=tweet data-number=1>", 1)[1].split("<div class=tweet data-number=2>", 1)[0]
    alt = "A plenary session of the European Parliament in Strasbourg, seen from the public gallery."
    assert 'src="data:image/png;base64,' in card and f'alt="{alt}"' in card
    assert f"<figcaption>Alt text: {alt}</figcaption>" in card
    assert page.count("class=tweet-image") == 1 and thread.image == "../images/eu-parliament-plenary.png"


def test_preview_of_a_folder_writes_an_index_listing_each_invalid_update_with_its_error(workdir):
    bad = workdir / "content" / "updates" / "2026-10-30-bad.md"
    bad.write_text("---\ntitle: Fine\ndate: 2026-10-30\nchanels: [diff]\n---\nBody.\n", encoding="utf-8")
    result = _run("preview", "content/updates", "--out", "site")
    assert result.exit_code == 2
    error = f"{bad.relative_to(workdir)}: chanels: unknown field; did you mean 'channels'?"
    assert f"invalid {error}" in result.output
    index = (workdir / "site" / "index.html").read_text(encoding="utf-8")
    assert escape(error) in index
    for example in EXAMPLES:
        assert f'href="{example.stem}/index.html"' in index
        assert (workdir / "site" / example.stem / "index.html").is_file()
        assert (workdir / "site" / example.stem / "email.eml").is_file()
    assert not (workdir / "site" / bad.stem).exists()


@pytest.mark.flow
def test_publish_attaches_the_preview_to_the_flow_run(workdir, prefect_engine):
    from prefect.artifacts import Artifact

    from flows.publish import publish_file

    example = "content/updates/2026-10-08-eu-copyright-consultation.md"
    assert {row["status"] for row in publish_file(example, dry_run=True)} == {"dry_run"}  # the flow's own dry run
    slug = load_and_render(example, load_settings()).update.slug
    summary = Artifact.get(f"preview-{slug}")
    link = Artifact.get(f"preview-page-{slug}")
    assert summary is not None and link is not None
    for heading in ("## Check before publishing", "## Channels", "## X thread", "## Email (text/plain, as sent)"):
        assert heading in summary.data
    page = Path(link.data.split("](", 1)[1].rstrip(")").removeprefix("file://"))
    assert page.is_file() and page.parent == workdir / "previews"
    assert "id=twitter" in page.read_text(encoding="utf-8")
    assert not (workdir / "outbox").exists()


def _shown(browser) -> dict:
    return browser.execute_script(
        "return {panes: [...document.querySelectorAll('section.pane')].map(p => p.id), title: document.title,"
        " pwned: window.__pwned === undefined ? null : window.__pwned}")


@pytest.mark.browser
@pytest.mark.parametrize("source", PAGES, ids=[path.stem for path in PAGES])
def test_browser_shows_every_pane_and_the_exact_thread(source, tmp_path, browser, screenshot):
    from selenium.webdriver.common.by import By

    rendered = render(source, tmp_path)
    write_preview(rendered, tmp_path / "preview")
    browser.get((tmp_path / "preview" / "index.html").as_uri())
    shown = _shown(browser)
    assert shown["panes"] == list(rendered.drafts)
    assert shown["title"] == f"Preview: {rendered.update.title}" and shown["pwned"] is None
    if "twitter" in rendered.drafts:
        tweets = json.loads((tmp_path / "preview" / "thread.json").read_text(encoding="utf-8"))
        count = len(tweets)
        assert browser.execute_script(SHOWN_CARDS) == [
            [f"{n}/{count}", tweet, f"{parse_tweet(tweet).weightedLength}/280"] for n, tweet in enumerate(tweets, 1)]
    if "email" in rendered.drafts:
        frame = browser.find_element(By.CSS_SELECTOR, "#email iframe")
        assert frame.get_attribute("sandbox") == ""
        sent = email.message_from_bytes(rendered.drafts["email"].as_bytes(), policy=email.policy.default)
        plain = browser.execute_script("return document.querySelector('#email pre.plain').textContent")
        assert plain == sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    if rendered.update.image:
        width, alt = browser.execute_script("const i = document.querySelector('img.featured'); "
                                            "return [i.naturalWidth, i.alt]")
        assert width > 0 and alt == rendered.update.image_alt
    screenshot(browser, f"preview-{source.stem}")


@pytest.mark.browser
def test_unsafe_fixture_never_runs_script_in_the_page_or_the_email_frame(tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    rendered = render(FIXTURES / "updates" / "unsafe.md", tmp_path)
    write_preview(rendered, tmp_path / "preview")
    browser.get((tmp_path / "preview" / "index.html").as_uri())
    for paragraph in browser.find_elements(By.XPATH, "//p[contains(., 'Click me')]"):
        ActionChains(browser).move_to_element(paragraph).click(paragraph).perform()
    for link in browser.find_elements(By.XPATH, "//a[contains(., 'javascript link') or contains(., 'mixed case')]"):
        link.click()
    time.sleep(0.3)
    assert _shown(browser)["pwned"] is None
    assert browser.title == "Preview: Unsafe HTML must never reach an output"
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#email iframe"))
    try:
        assert browser.execute_script("return window.__pwned === undefined") is True
    finally:
        browser.switch_to.default_content()


@pytest.mark.browser
@pytest.mark.parametrize("version", [None, "served"], ids=["file", "served-csp"])
def test_even_unsanitised_html_cannot_run_in_the_page(version, tmp_path, browser):
    """Defence in depth: if the sanitiser ever missed something, the CSP and the sandbox still stop it."""
    from selenium.webdriver.common.by import By

    rendered = render(FIXTURES / "updates" / "arabic.md", tmp_path)
    mail = Email()._message(rendered.update, rendered.context, EmailOptions(), "text",
                            f"<html><body>{HOSTILE}</body></html>")
    drafts = {**rendered.drafts, "diff": dataclasses.replace(rendered.drafts["diff"], content=HOSTILE),
              "medium": dataclasses.replace(rendered.drafts["medium"], content=HOSTILE), "email": mail}
    page = tmp_path / "hostile.html"
    page.write_text(preview_page(dataclasses.replace(rendered, drafts=drafts), version), encoding="utf-8")
    browser.get(page.as_uri())
    for element in browser.find_elements(By.CSS_SELECTOR, "#js, #clickable"):
        element.click()
    time.sleep(0.3)
    assert _shown(browser)["pwned"] is None and browser.title.startswith("Preview: ")
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#email iframe"))
    try:
        assert browser.execute_script("return window.__pwned === undefined") is True
    finally:
        browser.switch_to.default_content()


def test_body_images_are_shown_from_their_files_and_written_next_to_the_drafts(tmp_path):
    rendered = render(FIXTURES / "updates" / "amicus.md", tmp_path)
    [image] = rendered.update.images
    page = preview_page(rendered)
    assert f'src="{image.media_name}"' not in page and f"src=&quot;{image.media_name}" not in page
    diff = page[page.index("id=diff"):page.index("id=medium")]
    medium = page[page.index("id=medium"):page.index("id=twitter")]
    email_pane = page[page.index("id=email"):]
    for pane in (diff, medium):
        assert '<img src="data:image/png;base64,' in pane and f'alt="{escape(image.alt)}"' in pane
    assert "src=&quot;data:image/png;base64," in email_pane
    written = write_preview(rendered, tmp_path / "preview")
    assert (tmp_path / "preview" / image.media_name).read_bytes() == image.path.read_bytes()
    assert tmp_path / "preview" / image.media_name in written


@pytest.mark.browser
def test_browser_shows_body_images_in_every_pane(tmp_path, browser):
    from selenium.webdriver.common.by import By

    rendered = render(FIXTURES / "updates" / "amicus.md", tmp_path)
    write_preview(rendered, tmp_path / "preview")
    browser.get((tmp_path / "preview" / "index.html").as_uri())
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#diff .post img, #medium .post img')]"
        ".map(i => [i.closest('section').id, i.naturalWidth > 0, i.alt])")
    alt = rendered.update.images[0].alt
    assert ["diff", True, alt] in shown and ["medium", True, alt] in shown
    assert all(loaded for _, loaded, _ in shown)
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#email iframe"))
    framed = browser.execute_script("return [...document.images].map(i => [i.naturalWidth > 0, i.alt])")
    assert framed == [[True, alt]]
    browser.switch_to.default_content()
    for name in ("diff.html", "medium.html"):  # the written drafts show it too, from the file next to them
        browser.get((tmp_path / "preview" / name).as_uri())
        assert browser.execute_script("return [...document.images].map(i => i.naturalWidth > 0)") == [True]


def test_the_email_date_is_shown_as_set_when_sent(tmp_path):
    scheduled = preview_page(render(FIXTURES / "updates" / "full.md", tmp_path))
    assert "<dt>Date</dt><dd class=planned>set when sent; planned for Thu, 08 Oct 2026 09:00:00 +0200</dd>" in scheduled
    now = preview_page(render(FIXTURES / "updates" / "spanish.md", tmp_path))
    assert "<dt>Date</dt><dd class=planned>set when sent (the moment of publishing)</dd>" in now


def test_problems_list_medium_conversions_and_a_missing_catalog(tmp_path):
    page = preview_page(render(FIXTURES / "updates" / "consultation.md", tmp_path))
    problems = page.split("id=problems>", 1)[1].split("</div>", 1)[0]
    assert "medium: table converted to a list" in problems
    update = tmp_path / "sw.md"
    update.write_text("---\ntitle: Habari\ndate: 2026-10-31\nlang: sw\n---\nManeno.\n", encoding="utf-8")
    problems = preview_page(render(update, tmp_path)).split("id=problems>", 1)[1].split("</div>", 1)[0]
    assert "lang: no message catalog for lang &#x27;sw&#x27;" in problems


def test_panes_show_the_language_and_direction_the_outputs_carry_themselves(tmp_path):
    page = preview_page(render(FIXTURES / "updates" / "arabic_update.md", tmp_path))
    assert page.startswith('<!DOCTYPE html><html lang="en">')  # the page's own words; nothing masks an output's
    assert page.count("<article class=post>") == 2  # Diff and Medium: no lang or dir around what is sent
    assert '<article class=post><h1>قانون' in page and '<div lang="ar" dir="rtl">' in page  # the Diff post's own
    assert '<article class=post><h1 lang="ar" dir="rtl">قانون' in page  # Medium's blocks carry their own
    assert '<pre class=plain lang="ar" dir="rtl">' in page
    assert "<div class=tweet-text dir=auto>" in page
    spanish = preview_page(render(FIXTURES / "updates" / "spanish.md", tmp_path))
    assert '<div lang="es">' in spanish and 'dir="rtl"' not in spanish
