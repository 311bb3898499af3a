"""A real `prefect server start` and `prefect worker start` on loopback, each in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from wordpress_server import HOST, free_port, process_group

BIN = Path(sys.executable).parent
START_TIMEOUT = 90.0


@dataclass(frozen=True)
class PrefectServer:
    """A running Prefect API and the environment that points clients (CLI, workers) at it."""

    api_url: str
    env: dict[str, str]
    startup_seconds: float

    def api(self, method: str, route: str, **kwargs: object) -> httpx.Response:
        """Call the REST API (no Prefect client state in the test process); raise on HTTP errors.

        Like Prefect's own client, retry what the server calls retryable: it answers 503 when SQLite is locked
        under load (`custom_internal_exception_handler`), and 429/502 are the same kind of answer.
        """
        for attempt in range(RETRIES + 1):
            response = httpx.request(method, f"{self.api_url}/{route.lstrip('/')}", timeout=30.0, **kwargs)
            if response.status_code not in RETRYABLE or attempt == RETRIES:
                break
            time.sleep(_retry_after(response) or min(2.0**attempt, 10.0))
        response.raise_for_status()
        return response


RETRYABLE = frozenset({429, 502, 503})
RETRIES = 6


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers["retry-after"]), 10.0)
    except (KeyError, ValueError):
        return None


def prefect_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without Prefect settings, plus a private PREFECT_HOME and quiet defaults."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_")}
    return {**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "INFO", **extra}  # fmt: skip


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def process(args: list[str], log: Path, env: dict[str, str]):  # noqa: ANN201 - a context manager
    """A Prefect server or worker in its own group, interrupted (then killed) on exit."""
    return process_group(args, log, env, stop=signal.SIGINT, grace=10)


@contextmanager
def running_server(root: Path, database_url: str | None = None) -> Iterator[PrefectServer]:
    """`prefect server start` on a free loopback port (SQLite in `root`, or `database_url`) until /api/health."""
    port = free_port()
    extra = {"PREFECT_API_DATABASE_CONNECTION_URL": database_url} if database_url else {}
    env = prefect_env(root / "home", **extra)
    log = root / "server.log"
    started = time.monotonic()
    args = [str(BIN / "prefect"), "server", "start", "--host", HOST, "--port", str(port)]
    with process(args, log, env) as server:
        api_url = f"http://{HOST}:{port}/api"
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"prefect server exited with {server.returncode}: {_tail(log)}")
            if time.monotonic() - started > START_TIMEOUT:
                raise RuntimeError(f"prefect server did not answer within {START_TIMEOUT:.0f} s: {_tail(log)}")
            try:
                if httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield PrefectServer(api_url, {**env, "PREFECT_API_URL": api_url}, time.monotonic() - started)


@contextmanager
def running_worker(server: PrefectServer, pool: str, log: Path, **env: str) -> Iterator[subprocess.Popen]:
    """`prefect worker start --pool POOL` against the server, with extra environment for the flows it runs."""
    args = [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--type", "process"]
    with process(args, log, {**server.env, **env}) as worker:
        yield worker


def wait_for_flow_run(server: PrefectServer, flow_run_id: str, timeout: float = 120.0) -> dict:
    """Poll a flow run until it reaches a final state; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = server.api("GET", f"flow_runs/{flow_run_id}").json()
        if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return run
        time.sleep(0.3)
    raise TimeoutError(f"flow run {flow_run_id} did not finish within {timeout:.0f} s (last state {run['state']})")
