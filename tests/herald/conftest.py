"""A headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, never a downloaded browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MAX_SHOT_HEIGHT = 8000
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1600,1000")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"browser tests need Debian's chromium and chromium-driver in CI: {reason}", pytrace=False)
    pytest.skip(f"headless Chromium unavailable: {reason} (scripts/install-test-servers installs it)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium per session, with a fresh profile; Selenium Manager is never run."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        _unavailable(str(error))
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            _unavailable(f"{path} is missing")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_MANAGER_PATH", "/nonexistent/selenium-manager")  # fail loudly if Selenium tried to use it
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _save(driver: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    before = driver.get_window_size()  # type: ignore[attr-defined]
    driver.set_window_size(before["width"], min(height, MAX_SHOT_HEIGHT) + 140)  # type: ignore[attr-defined]
    try:
        path.write_bytes(driver.get_screenshot_as_png())  # type: ignore[attr-defined]
    finally:
        driver.set_window_size(before["width"], before["height"])  # type: ignore[attr-defined]
    return path


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Save a full-page PNG under `test-artifacts/` (kept after the run, for people to look at)."""
    return _save
