"""`herald preview --serve`: served on 127.0.0.1, re-rendered when the update changes, reloaded in the browser."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from config.settings import load_settings
from herald.preview.page import LIVE_CSP
from herald.preview.serve import make_server

EXAMPLE = Path("content/updates/2026-10-22-global-digital-compact.md")
TITLE = "Three things the Global Digital Compact review should protect"


@contextmanager
def serving(target: Path) -> Iterator[str]:
    server = make_server(target, load_settings())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _retitle(path: Path, title: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(TITLE, title, 1), encoding="utf-8")


def test_serve_renders_again_when_the_update_changes(workdir):
    update = workdir / EXAMPLE
    with serving(update) as url:
        first = httpx.get(url + "/")
        version = httpx.get(url + "/__version").text
        assert first.status_code == 200 and f"<h1>{TITLE}</h1>" in first.text
        assert first.headers["content-security-policy"] == LIVE_CSP
        assert f'name=herald-version content="{version}"' in first.text
        assert httpx.get(url + "/thread.json").json()[0].startswith(TITLE)
        _retitle(update, "Three things the review must protect")
        second = httpx.get(url + "/")
        assert "<h1>Three things the review must protect</h1>" in second.text
        assert httpx.get(url + "/__version").text != version
        assert httpx.get(url + "/nothing").status_code == 404


def test_serve_shows_an_invalid_update_as_its_error_until_it_is_fixed(workdir):
    update = workdir / EXAMPLE
    original = update.read_text(encoding="utf-8")
    with serving(update) as url:
        update.write_text(original.replace("title:", "titel:", 1), encoding="utf-8")
        page = httpx.get(url + "/").text
        assert "title: is required" in page and "herald-version" in page
        update.write_text(original, encoding="utf-8")
        assert f"<h1>{TITLE}</h1>" in httpx.get(url + "/").text


def test_serve_a_folder_with_an_index(workdir):
    folder = workdir / "content" / "updates"
    with serving(folder) as url:
        index = httpx.get(url + "/").text
        assert f'href="{EXAMPLE.stem}/index.html"' in index
        (folder / "2026-10-30-bad.md").write_text("---\ntitle: Bad\n---\nBody\n", encoding="utf-8")
        assert "2026-10-30-bad.md: date" in httpx.get(url + "/").text
        assert f"<h1>{TITLE}</h1>" in httpx.get(f"{url}/{EXAMPLE.stem}/index.html").text


def test_the_cli_prints_the_url_and_stops_on_ctrl_c(workdir):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "herald"), "preview", str(EXAMPLE), "--serve"],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert f"<h1>{TITLE}</h1>" in httpx.get(url).text
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out


@pytest.mark.browser
def test_the_served_page_reloads_itself_when_the_update_changes(workdir, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    update = workdir / EXAMPLE
    with serving(update) as url:
        browser.get(url + "/")
        assert browser.title == f"Preview: {TITLE}"
        started = time.monotonic()
        _retitle(update, "Reloaded by itself")
        WebDriverWait(browser, 10).until(lambda driver: driver.title == "Preview: Reloaded by itself")
        assert time.monotonic() - started < 10
        browser.get("about:blank")
