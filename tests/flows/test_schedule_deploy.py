"""Scheduling through a real Prefect server: a flow run of `publish-update` at publish_at, shown and cancellable."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect_server import PrefectServer, running_server, running_worker, wait_for_flow_run

from herald.core.ledger import Ledger

pytestmark = pytest.mark.deploy
HERALD = Path(sys.executable).parent / "herald"
EXAMPLE = "content/updates/2026-10-22-global-digital-compact.md"
SLUG = "three-things-the-global-digital-compact-review-should-protect"


def _herald(server: PrefectServer, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**server.env, "HERALD_CONFIG": str(workdir / "herald.toml")}
    return subprocess.run([str(HERALD), *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=300,
                          check=False)


def _schedule(path: Path, at: dt.datetime) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", f"\npublish_at: {at.isoformat(timespec='seconds')}\n---\n", 1),
                    encoding="utf-8")


def _receipts(workdir: Path) -> dict[str, tuple[str, str | None]]:
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    try:
        return {row.channel: (row.status, row.remote_id) for row in ledger.receipts(SLUG)}
    finally:
        ledger.close()


def test_a_scheduled_flow_run_sends_the_rest_at_publish_at_and_unschedule_cancels_one(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = (workdir / EXAMPLE).resolve()
    root = tmp_path_factory.mktemp("prefect-schedule")
    with running_server(root) as server:
        assert _herald(server, workdir, "deploy").returncode == 0
        # far enough ahead that two publishes and a status (cold CLI processes on a busy machine) come before it
        at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=75)
        _schedule(path, at)
        published = _herald(server, workdir, "publish", str(path))
        assert published.returncode == 0, published.stdout + published.stderr
        receipts = _receipts(workdir)
        assert receipts["diff"][0] == "published"
        run_ids = {receipts[name][1] for name in ("medium", "twitter", "email")}
        assert {receipts[name][0] for name in ("medium", "twitter", "email")} == {"scheduled"} and len(run_ids) == 1
        run_id = run_ids.pop()
        assert run_id and f"flow run {run_id}" in " ".join(published.stdout.split())
        run = server.api("GET", f"flow_runs/{run_id}").json()
        assert run["state"]["type"] == "SCHEDULED" and run["parameters"]["path"] == str(path)
        assert not (workdir / "outbox" / SLUG / "thread.json").exists()

        again = _herald(server, workdir, "publish", str(path))  # before the time: the same run, nothing sent
        assert again.returncode == 0 and _receipts(workdir)["twitter"] == ("scheduled", run_id), again.stdout
        status = _herald(server, workdir, "status", str(path))
        assert f"id {run_id}" in status.stdout and "Scheduled" in status.stdout, status.stdout

        with running_worker(server, "herald", root / "worker.log", HERALD_CONFIG=str(workdir / "herald.toml")):
            finished = wait_for_flow_run(server, run_id, timeout=180)
        log = (root / "worker.log").read_text(errors="replace")
        assert finished["state"]["type"] == "COMPLETED", f"{finished['state']}\n{log[-3000:]}"
        # Prefect rounds its wait to whole seconds: the run may start half a second early, but nothing goes out early
        assert dt.datetime.fromisoformat(finished["start_time"]) >= at - dt.timedelta(seconds=1)
        sent = dt.datetime.fromtimestamp((workdir / "outbox" / SLUG / "thread.json").stat().st_mtime, dt.UTC)
        assert sent >= at, (sent, at)
        assert {name: status for name, (status, _) in _receipts(workdir).items()} == {
            "diff": "published", "medium": "pending_manual", "twitter": "published", "email": "published"}
        assert (workdir / "outbox" / SLUG / "thread.json").is_file()

        other = (workdir / "content" / "updates" / "2026-10-08-eu-copyright-consultation.md").resolve()
        _schedule(other, dt.datetime.now(dt.UTC) + dt.timedelta(hours=3))
        assert _herald(server, workdir, "publish", str(other)).returncode == 0
        ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
        other_slug = "what-we-told-the-european-commission-about-copyright-and-ai-training"
        other_run = ledger.receipt(other_slug, "twitter").remote_id
        ledger.close()
        cancelled = _herald(server, workdir, "unschedule", str(other))
        assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
        assert f"flow run {other_run}: Cancelled" in cancelled.stdout
        deadline = time.monotonic() + 30
        while server.api("GET", f"flow_runs/{other_run}").json()["state"]["type"] != "CANCELLED":
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert not (workdir / "outbox" / other_slug / "thread.json").exists()
