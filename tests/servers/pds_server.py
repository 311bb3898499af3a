"""A real Bluesky PDS (`@atproto/pds` from npm, run by Node) on 127.0.0.1, with one account, for the live tests.

`pds_server()` installs the pinned packages of `tests/servers/pds/` with `npm ci` when they are missing or the
lockfile changed (stamped like scripts/_venv.sh stamps the venv), starts `index.js` (the PDS in dev mode, invites
off, with an in-memory PLC directory, a temporary data directory), waits for `/xrpc/_health`, creates an account
(`com.atproto.server.createAccount`) and an app password for it, yields a `PdsAccount`, and stops the PDS.
`python tests/servers/pds_server.py install` only installs the packages (scripts/test runs it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PDS_DIR = Path(__file__).resolve().parent / "pds"
STAMP = PDS_DIR / "node_modules" / ".herald-installed"
NODE_HEADERS = Path("/usr/include/node")  # Debian/NodeSource's headers: better-sqlite3 builds without downloading
START_TIMEOUT = 90.0
HANDLE = "herald.test"
PASSWORD = "herald-account-password"


@dataclass(frozen=True)
class PdsAccount:
    """The running PDS and its account: what a BlueskySettings needs, and the account's DID."""

    url: str
    handle: str
    password: str
    app_password: str
    did: str
    started_in: float  # seconds from starting node to a healthy PDS


def _wanted() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((PDS_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def ensure_packages() -> None:
    """`npm ci` in tests/servers/pds when node_modules is missing or older than the lockfile; quiet, no stdin."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise RuntimeError("the Bluesky PDS tests need Node.js 18+ and npm (node, npm on PATH)")
    want = _wanted()
    with open(PDS_DIR / ".install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if STAMP.is_file() and STAMP.read_text().strip() == want:
            return
        env = {**os.environ, "CI": "true", "npm_config_audit": "false", "npm_config_fund": "false",
               "npm_config_update_notifier": "false"}
        if NODE_HEADERS.is_dir():
            env["npm_config_nodedir"] = str(NODE_HEADERS.parent.parent)
        result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PDS_DIR, env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise RuntimeError(f"npm ci in {PDS_DIR} failed:\n{result.stderr[-3000:]}")
        STAMP.write_text(want + "\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _xrpc(url: str, method: str, body: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{url}/xrpc/{method}", json=body, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the PDS exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/xrpc/_health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the PDS was not healthy after {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def pds_server() -> Iterator[PdsAccount]:
    """Run a PDS on a free loopback port with a fresh data directory and one account with an app password."""
    ensure_packages()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="herald-pds-") as data:
        log = Path(data) / "pds.log"
        started = time.monotonic()
        with open(log, "wb") as output:
            process = subprocess.Popen(["node", "index.js", str(port), str(Path(data) / "data")], cwd=PDS_DIR,
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                       env={**os.environ, "LOG_ENABLED": "false"})
        try:
            _wait_healthy(url, process, log)
            started_in = time.monotonic() - started
            account = _xrpc(url, "com.atproto.server.createAccount",
                            {"handle": HANDLE, "email": "herald@example.com", "password": PASSWORD})
            app_password = _xrpc(url, "com.atproto.server.createAppPassword", {"name": "herald"},
                                 account["accessJwt"])["password"]
            yield PdsAccount(url, HANDLE, PASSWORD, app_password, account["did"], started_in)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: pds_server.py install")
    ensure_packages()
