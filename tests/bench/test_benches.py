"""Every script in bench/ runs in its smoke mode: tiny sizes, the same code path, its own sanity checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 180


def smoke(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `bench/<script> --smoke` as a fresh process; it must exit 0 and say it checked itself. Its output."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("HERALD_", "PREFECT_API"))}
    result = subprocess.run([sys.executable, str(REPO / "bench" / script), "--smoke", *args], cwd=REPO,
                            env={**clean, **(env or {})}, capture_output=True, text=True, timeout=TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "smoke ok: " in result.stdout, output[-3000:]
    return result.stdout


def api_url() -> str:
    """The session's Prefect engine (the `prefect_engine` fixture), for a bench run in another process."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "prefect_engine gave no API URL"
    return url


def test_render_smoke() -> None:
    out = smoke("render.py")
    assert "600 words: load + 4 channels" in out
    for channel in ("diff", "medium", "twitter", "email"):
        assert f"  {channel} " in out
    assert "ratio 600 words: render / stock commonmark parse of the same texts = " in out


def test_folders_smoke() -> None:
    out = smoke("folders.py")
    assert "varied    10 updates: check" in out
    assert "varied check: " in out and "ms on " in out and "in-process load_and_render" in out


def test_recap_smoke() -> None:
    out = smoke("recap.py")
    assert "sqlite           400" in out
    assert "smoke ok: 2 archives, 83 recap items each" in out


@pytest.mark.flow
def test_publish_smoke(prefect_engine: None) -> None:
    out = smoke("publish.py", env={"PREFECT_API_URL": api_url()})
    assert "floor = " in out and "round trips" in out
    assert "twitter      9" in out  # users/me, the image and its alt text, six tweets
    assert "API calls equal to the minimum on every update: " in out


@pytest.mark.flow
def test_cli_smoke(prefect_engine: None) -> None:
    out = smoke("cli.py", "--api-url", api_url())
    for label in ("python -c pass", "herald check <update>", "herald preview <update>",
                  "herald publish --dry-run <update>", "publish, PREFECT_API_URL = a running server"):
        assert label in out
    assert "x `import prefect`" in out


@pytest.mark.live
def test_pds_smoke() -> None:
    if os.system("command -v node >/dev/null && command -v npm >/dev/null") != 0:
        pytest.skip("the PDS benchmark needs Node.js and npm")
    out = smoke("pds.py")
    assert "PDS healthy" in out and "5-post thread sent" in out
