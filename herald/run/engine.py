"""The Prefect engine flows run on: the server in PREFECT_API_URL, a resident local one, or a temporary one."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings

HOST = "127.0.0.1"
STATE_DIR = ".herald"
RECORD = "engine.json"
PID_FILE = "server.pid"  # the name `prefect server stop` reads in PREFECT_HOME
STOP_GRACE = 10.0
TIMED_OUT = "Timed out while attempting to connect to ephemeral Prefect API server"


class EngineError(RuntimeError):
    """The engine could not be reached or started; the message is one line with the fix."""


@dataclass(frozen=True)
class Connection:
    """How this command reaches Prefect: `configured`, `resident` or `temporary`, with the API URL when known."""

    kind: str
    url: str | None = None
    pid: int | None = None
    started: bool = False


def state_dir(settings: Settings) -> Path:
    """The project's state folder, next to a SQLite ledger (else in the working directory)."""
    if settings.ledger_url.startswith("sqlite:///") and len(settings.ledger_url) > len("sqlite:///"):
        return Path(settings.ledger_url[len("sqlite:///"):]).absolute().parent / STATE_DIR
    return Path.cwd() / STATE_DIR


def engine_home(settings: Settings) -> Path:
    """PREFECT_HOME of the resident engine: its SQLite database, pid file and UI build."""
    return state_dir(settings) / "prefect"


def log_path(settings: Settings, name: str) -> Path:
    """A log file under the state folder (created on demand)."""
    return state_dir(settings) / "logs" / name


def shown(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def configured_url() -> str | None:
    """The Prefect server the environment names (PREFECT_API_URL, or an already loaded Prefect's settings)."""
    if "prefect.settings" in sys.modules:  # a test harness or a worker has set Prefect up already
        from prefect.settings import get_current_settings

        return get_current_settings().api.url
    return os.environ.get("PREFECT_API_URL") or None


def alive(pid: int) -> bool:
    """Whether a process runs with this pid (a zombie does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in {"Z", "X"}


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether the API at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:  # noqa: S310 - our loopback URL
            return response.status == 200
    except (OSError, ValueError):
        return False


def read_record(settings: Settings) -> dict | None:
    """The resident engine's record (url, pid, port), if it runs; a stale record is removed."""
    home = engine_home(settings)
    try:
        record = json.loads((home / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if alive(int(record.get("pid", 0))):
        return record
    _forget(home)
    return None


def _forget(home: Path) -> None:
    for name in (RECORD, PID_FILE):
        (home / name).unlink(missing_ok=True)


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One command at a time decides whether to start the resident engine."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "engine.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_command(port: int) -> list[str]:
    """What `prefect server start --background` runs (uvicorn on Prefect's app), with our host and port."""
    return [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
            "--host", HOST, "--port", str(port), "--log-level", "warning"]


def _launch(settings: Settings) -> dict:
    home = engine_home(settings)
    port = settings.engine.port or _free_port()
    env = {name: value for name, value in os.environ.items() if name not in {"PREFECT_API_URL", "PREFECT_HOME"}}
    env.update(PREFECT_HOME=str(home), PREFECT__SERVER_FINAL="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_LOGGING_LEVEL="WARNING", PREFECT_UI_API_URL=f"http://{HOST}:{port}/api")
    log = log_path(settings, "engine.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as output:
        process = subprocess.Popen(server_command(port), env=env, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True, cwd=home)
    record = {"pid": process.pid, "port": port, "url": f"http://{HOST}:{port}/api", "started": time.time()}
    (home / RECORD).write_text(json.dumps(record), encoding="utf-8")
    (home / PID_FILE).write_text(str(process.pid), encoding="utf-8")
    return record


def connect(settings: Settings) -> Connection:
    """Decide where flows run; a resident engine that is not running is launched now (`wait_ready` waits for it)."""
    url = configured_url()
    if url:
        return Connection("configured", url)
    if settings.engine.mode == "temporary":
        return Connection("temporary")
    home = engine_home(settings)
    with _locked(home):
        record = read_record(settings)
        started = record is None
        if started:
            record = _launch(settings)
    return Connection("resident", record["url"], record["pid"], started)


def started_notice(connection: Connection) -> str:
    """The line that says a resident engine was started, where, and how to stop it."""
    return (f"started the Prefect engine at {connection.url[:-4]} (its UI is there; it keeps running for the next "
            "commands: `herald engine stop` stops it)")


def wait_ready(connection: Connection, settings: Settings) -> None:
    """Wait until a resident engine answers, within the start allowance; raise EngineError in one line."""
    if connection.kind == "configured":
        if connection.url.startswith("http") and not healthy(connection.url, timeout=5.0):
            raise EngineError(f"the Prefect server at {connection.url} (PREFECT_API_URL) does not answer: start it, "
                              "or unset PREFECT_API_URL to use herald's own engine")
        return
    if connection.kind != "resident":
        return
    allowance = settings.engine.start_timeout_seconds
    deadline = time.monotonic() + allowance
    while True:
        if healthy(connection.url, timeout=1.0):
            return
        if not alive(connection.pid):
            _forget(engine_home(settings))
            log = shown(log_path(settings, "engine.log"))
            raise EngineError(f"the Prefect engine stopped while starting; see {log}, then retry")
        if time.monotonic() > deadline:
            if connection.started:
                stop(settings)
            raise EngineError(
                f"could not start the Prefect engine in {allowance:g} s (the machine may be busy): retry, raise "
                f"[engine] start_timeout_seconds, or run `prefect server start` and set PREFECT_API_URL; "
                f"see {shown(log_path(settings, 'engine.log'))}")
        time.sleep(0.2)


def stop(settings: Settings) -> int | None:
    """Stop the resident engine; returns its pid, or None when none was running."""
    home = engine_home(settings)
    record = read_record(settings)
    if record is None:
        return None
    pid = int(record["pid"])
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)  # its own session: uvicorn and anything it started
    deadline = time.monotonic() + STOP_GRACE
    while alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if alive(pid):
        with suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _reap(pid)
    _forget(home)
    return pid


def _reap(pid: int) -> None:
    """Collect our own child's exit status (an engine started by this process), so it leaves no zombie."""
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@contextmanager
def running_on(connection: Connection, settings: Settings) -> Iterator[None]:
    """Point this process's Prefect client at the engine, without heartbeats; one-line errors for a failed start."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    wait_ready(connection, settings)
    updates: dict = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}  # nothing watches a CLI run for crashes
    if connection.kind == "resident":
        updates[PREFECT_API_URL] = connection.url
    allowance = max(1, round(settings.engine.start_timeout_seconds))  # Prefect takes whole seconds
    if connection.kind == "temporary":
        updates[PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS] = allowance
    try:
        with temporary_settings(updates=updates):
            yield
    except RuntimeError as error:
        if TIMED_OUT not in str(error):
            raise
        raise EngineError(
            f"could not start the temporary Prefect engine in {allowance} s (the "
            "machine may be busy): retry, raise [engine] start_timeout_seconds, or use mode = \"resident\""
        ) from None
