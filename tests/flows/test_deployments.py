"""prefect.yaml for real: a `prefect server start`, `herald deploy`, a process worker, a triggered monthly recap."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prefect_server import PrefectServer, running_server, running_worker, wait_for_flow_run
from sqlalchemy import create_engine, text

from config.settings import load_settings
from herald.pipeline.ledger_access import open_ledger
from herald.run.deploy import PREFECT_FILE, recap_schedule

pytestmark = pytest.mark.deploy
HERALD = Path(sys.executable).parent / "herald"
EXAMPLES = ("2026-10-08-eu-copyright-consultation.md", "2026-10-22-global-digital-compact.md")


def _record_october(workdir: Path) -> None:
    """The two October examples as the publish flow records them (the recap reads only the ledger and files)."""
    from channels.registry import load_update

    ledger = open_ledger(load_settings().ledger_url)
    for name in EXAMPLES:
        update = load_update(workdir / "content" / "updates" / name, workdir / "content")
        ledger.record_update(update.slug, str(update.source), update.title, update.date)
        ledger.record_receipt(update.slug, "diff", "published", url=f"https://diff.example.org/{update.slug}/")
    ledger.close()


def _deploy(server: PrefectServer, workdir: Path) -> None:
    result = subprocess.run([str(HERALD), "deploy"], env={**server.env, "HERALD_CONFIG": str(workdir / "herald.toml")},
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _run_recap(server: PrefectServer, month: str) -> dict:
    deployment = server.api("GET", "deployments/name/monthly-recap/monthly-recap").json()
    run = server.api("POST", f"deployments/{deployment['id']}/create_flow_run",
                     json={"parameters": {"month": month}, "idempotency_key": f"recap-{month}"}).json()  # fmt: skip
    return wait_for_flow_run(server, run["id"])


@pytest.fixture(params=["sqlite", "postgresql"])
def prefect_database(request: pytest.FixtureRequest, workdir: Path) -> str | None:
    """SQLite for the Prefect server and the ledger, or PostgreSQL for both (asyncpg and psycopg)."""
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres")
    config = workdir / "herald.toml"
    ledger_url = server.url(server.create_database("ledger"))
    config.write_text(re.sub(r"(?m)^ledger_url = .*$", f'ledger_url = "{ledger_url}"', config.read_text()))
    return server.url(server.create_database("prefect"), driver="asyncpg")


def test_deployments_register_and_a_worker_runs_the_monthly_recap(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory, prefect_database: str | None
) -> None:
    _record_october(workdir)
    root = tmp_path_factory.mktemp("prefect")
    with running_server(root, prefect_database) as server:
        print(f"prefect server ({prefect_database or 'sqlite'}) answered after {server.startup_seconds:.1f} s")
        _deploy(server, workdir)
        recap = server.api("GET", "deployments/name/monthly-recap/monthly-recap").json()
        declared = recap_schedule(yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8")))
        (registered,) = [schedule["schedule"] for schedule in recap["schedules"]]
        assert (registered["cron"], registered["timezone"]) == (declared["cron"], declared["timezone"])
        assert recap["work_pool_name"] == "herald"
        publish = server.api("GET", "deployments/name/publish-update/publish-update").json()
        assert publish["schedules"] == [] and "path" in publish["parameter_openapi_schema"]["required"]

        # The worker's environment carries the config to the flows it runs (the checkout is the working dir).
        with running_worker(server, "herald", root / "worker.log", HERALD_CONFIG=str(workdir / "herald.toml")):
            run = _run_recap(server, "2026-10")
        log = (root / "worker.log").read_text(errors="replace")
        assert run["state"]["type"] == "COMPLETED", f"{run['state']}\n{log[-3000:]}"

    slug = "dont-blink-october-2026"
    diff = json.loads((workdir / "outbox" / slug / "diff.json").read_text(encoding="utf-8"))
    assert diff["title"].startswith("Don't Blink") and "October 2026" in diff["title"]
    assert "https://diff.example.org/what-we-told-the-european-commission" in diff["content"]
    assert (workdir / "content" / "updates" / f"2026-11-01-{slug}.md").is_file()
    if prefect_database:
        assert load_settings().ledger_url.startswith("postgresql+psycopg://")
        engine = create_engine(prefect_database.replace("+asyncpg", "+psycopg"))
        with engine.connect() as conn:  # the recap and its publish subflow, in the server's PostgreSQL
            assert conn.scalar(text("select count(*) from flow_run where state_type = 'COMPLETED'")) == 2
        engine.dispose()
    ledger = open_ledger(load_settings().ledger_url)
    try:
        assert [(r.channel, r.status) for r in ledger.receipts(slug)] == [
            ("diff", "published"), ("medium", "pending_manual"), ("twitter", "published"), ("email", "published")]
    finally:
        ledger.close()


def test_the_recap_schedule_comes_from_the_recap_settings_when_they_differ() -> None:
    from config.settings import RecapSettings
    from herald.run.deploy import load_prefect_file, with_recap_schedule

    project = load_prefect_file()
    declared = recap_schedule(project)
    assert with_recap_schedule(project, RecapSettings(cron=declared["cron"], timezone=declared["timezone"])) is None
    changed = with_recap_schedule(load_prefect_file(), RecapSettings(cron="30 7 1 * *", timezone="Europe/Berlin"))
    assert changed is not None
    assert recap_schedule(changed) | {"active": True} == {"cron": "30 7 1 * *", "timezone": "Europe/Berlin",
                                                          "active": True}


def test_deploy_needs_a_server(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from herald.cli import app

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(app, ["deploy"])
    assert result.exit_code == 2 and "PREFECT_API_URL is not set" in result.output
