"""Register the deployments in prefect.yaml with a Prefect server: `prefect deploy --all`, plus the recap schedule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from config.settings import RecapSettings

REPO = Path(__file__).resolve().parents[2]
PREFECT_FILE = REPO / "prefect.yaml"
RECAP_DEPLOYMENT = "monthly-recap"
WORK_POOL = "herald"
OVERRIDE_FILE = ".herald-deploy.yaml"


class DeployError(RuntimeError):
    """The deployments could not be registered; one line saying why."""


def load_prefect_file(path: Path = PREFECT_FILE) -> dict[str, Any]:
    """prefect.yaml as a mapping."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def recap_schedule(project: dict[str, Any]) -> dict[str, Any]:
    """The monthly-recap deployment's (first) schedule."""
    for deployment in project.get("deployments", []):
        if deployment.get("name") == RECAP_DEPLOYMENT:
            return (deployment.get("schedules") or [{}])[0]
    raise DeployError(f"prefect.yaml declares no {RECAP_DEPLOYMENT!r} deployment")


def with_recap_schedule(project: dict[str, Any], recap: RecapSettings) -> dict[str, Any] | None:
    """prefect.yaml with the recap schedule set from settings; None when it already matches."""
    schedule = recap_schedule(project)
    if (schedule.get("cron"), schedule.get("timezone", "UTC")) == (recap.cron, recap.timezone):
        return None
    schedule.update(cron=recap.cron, timezone=recap.timezone)
    return project


def deploy_command(prefect_file: str | None = None) -> list[str]:
    """The `prefect deploy` command line, run from the repository."""
    command = [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"]
    return command + (["--prefect-file", prefect_file] if prefect_file else [])


def ensure_work_pool(name: str = WORK_POOL) -> bool:
    """Create the `process` work pool if the server lacks it; True when created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
            return True


def deploy(recap: RecapSettings, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Register every deployment in prefect.yaml, with the recap schedule from `[recap]` in the settings."""
    env = {**os.environ, **(env or {})}
    if not env.get("PREFECT_API_URL"):
        raise DeployError("PREFECT_API_URL is not set: point it at your Prefect server, e.g. http://127.0.0.1:4200/api")
    env.setdefault("HERALD_HOME", str(REPO))
    adjusted = with_recap_schedule(load_prefect_file(), recap)
    override = REPO / OVERRIDE_FILE
    try:
        if adjusted is not None:
            override.write_text(yaml.safe_dump(adjusted, sort_keys=False), encoding="utf-8")
        result = subprocess.run(
            deploy_command(OVERRIDE_FILE if adjusted is not None else None),
            cwd=REPO, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        override.unlink(missing_ok=True)
    if result.returncode != 0:
        raise DeployError(f"prefect deploy failed: {(result.stdout + result.stderr).strip()[-2000:]}")
    return result
