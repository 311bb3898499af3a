"""Shared fixtures: repository paths, an isolated config, one Prefect engine per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "updates"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project: a copy of the example content and a config pointing outbox and ledger into it."""
    shutil.copytree(REPO / "content", tmp_path / "content", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    config = tmp_path / "herald.toml"
    config.write_text(
        f'content_root = "{tmp_path / "content"}"\n'
        f'outbox = "{tmp_path / "outbox"}"\n'
        f'ledger_url = "sqlite:///{tmp_path / "herald.db"}"\n'
        "[diff]\nbase_url = \"https://diff.example.org\"\n"
        "[email]\nfrom_addr = \"Advocacy <advocacy@example.org>\"\nlist_addr = \"news@lists.example.org\"\n"
        "message_id_domain = \"example.org\"\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HERALD_CONFIG", str(config))
    for name in ("HERALD_DIFF__APP_PASSWORD", "HERALD_MEDIUM__TOKEN", "HERALD_EMAIL__PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def prefect_engine():
    """One temporary Prefect engine for every test that runs a real flow."""
    from prefect.logging.configuration import setup_logging
    from prefect.testing.utilities import prefect_test_harness

    setup_logging()  # bind Prefect's console handler now, not inside a CliRunner whose streams close
    with prefect_test_harness(server_startup_timeout=120):
        yield
