"""Shared fixtures: repository paths, an isolated config, one Prefect engine per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pds_server
import postgres_server
import pytest
import smtp_server
import wordpress_fault_proxy
import wordpress_server
from cli_output import assert_no_traceback

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "updates"
os.environ.setdefault("HERALD_ENGINE__MODE", "temporary")  # no resident engine outlives the suite (see test_engine)


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--slow`: also run the long cases (100 publishes under faults)."""
    parser.addoption("--slow", action="store_true", help="run tests marked slow (the suite's slow mode)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `slow` tests unless --slow is given."""
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow mode only: scripts/test --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_traceback_reaches_a_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI run of every test (CliRunner) fails the test if its output shows a Python traceback."""
    from typer.testing import CliRunner

    invoke = CliRunner.invoke

    def checked(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - CliRunner.invoke's own signature
        result = invoke(self, *args, **kwargs)
        if result.exception is None or isinstance(result.exception, SystemExit):
            assert_no_traceback(result.output)
        return result

    monkeypatch.setattr(CliRunner, "invoke", checked)


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


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wordpress_server.WordPressSite]:
    """A freshly installed WordPress with an application password; fails (in CI) or skips without packages."""
    try:
        wordpress_server.ensure_installed()
    except wordpress_server.ServersUnavailable as error:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"live WordPress unavailable in CI: {error}", pytrace=False)
        pytest.skip(f"live WordPress unavailable: {error}")
    with wordpress_server.running_wordpress(tmp_path_factory.mktemp("wordpress")) as site:
        site.php("foreach (['Advocacy', 'Policy', 'Legal', 'Explainers', \"Don't Blink\"] as $name) {"
                 " wp_insert_term($name, 'category'); }")
        yield site  # its curated categories are those of the examples and tests: herald refuses unknown ones


@pytest.fixture
def wordpress_proxy(wordpress: wordpress_server.WordPressSite) -> Iterator[wordpress_fault_proxy.WordPressFaultProxy]:
    """A fault-injecting proxy in front of the session's real WordPress: point the client at `.url`, set `.faults`."""
    with wordpress_fault_proxy.WordPressFaultProxy(wordpress.base_url) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def smtp_pki(tmp_path_factory: pytest.TempPathFactory) -> smtp_server.Pki:
    """A throwaway CA and a certificate for 127.0.0.1 that SMTP tests trust."""
    return smtp_server.make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_server.PostgresServer]:
    """A private PostgreSQL cluster on loopback; fails (in CI) or skips without Debian's postgresql."""
    try:
        binaries = postgres_server.ensure_installed()
    except wordpress_server.ServersUnavailable as error:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"PostgreSQL unavailable in CI: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {error}")
    with postgres_server.running_postgres(binaries) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger database: a SQLite file, and a fresh database of the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'herald.db'}"
    server = request.getfixturevalue("postgres")
    return server.url(server.create_database("ledger"))


@pytest.fixture
def ledger(ledger_url: str):
    """An open ledger on each of the two databases."""
    from herald.core.ledger import Ledger

    opened = Ledger(ledger_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def pds() -> Iterator[pds_server.PdsAccount]:
    """A real `@atproto/pds` on loopback with one account, started once per session (it takes a few seconds)."""
    with pds_server.pds_server() as account:
        yield account


@pytest.fixture
def pds_proxy(pds: pds_server.PdsAccount) -> Iterator[wordpress_fault_proxy.WordPressFaultProxy]:
    """The HTTP fault proxy of the WordPress tests, forwarding to the PDS (XRPC is plain HTTP: the same shapes)."""
    with wordpress_fault_proxy.WordPressFaultProxy(pds.url, timeout=30.0) as proxy:
        yield proxy
