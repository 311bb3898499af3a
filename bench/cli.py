"""CLI benchmark: whole `herald` processes a person waits for, next to `python -c pass` and `import prefect`.

Run: .venv/bin/python bench/cli.py [--runs 3]  (prints figures measured in this one run, with the load average)

Every command is a fresh process in a scratch project (a copy of content/ and a config whose ledger, outbox and
engine state live in a temporary folder; no credentials, so every channel goes to the outbox; nothing is written in
the checkout). Each publish publishes a new copy of the example update (its own slug), so it really writes.
- against a running server: this script starts `prefect server start` on a free loopback port with its own
  PREFECT_HOME, waits for it, and sets PREFECT_API_URL (what a team with a server does);
- the embedded default, resident: the first publish starts herald's engine in a new .herald/ (a new Prefect home),
  the later ones reuse it; `herald engine stop` at the end;
- the embedded default, temporary ([engine] mode = "temporary"): Prefect's temporary server each time.
Median (min-max) of `--runs` processes; the first resident publish is one process by nature.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXAMPLE = REPO / "content" / "updates" / "2026-10-08-eu-copyright-consultation.md"


class Project:
    """A scratch project with its own config, ledger, outbox and engine state."""

    def __init__(self, root: Path, mode: str, env: dict[str, str]) -> None:
        self.root, self.count = root, 0
        shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        (root / "herald.toml").write_text(
            f'content_root = "{root / "content"}"\noutbox = "{root / "outbox"}"\n'
            f'ledger_url = "sqlite:///{root / "herald.db"}"\n[engine]\nmode = "{mode}"\n', encoding="utf-8")
        self.env = {**env, "HERALD_CONFIG": str(root / "herald.toml")}

    def new_update(self) -> str:
        """A new copy of the example update with its own slug; its path relative to the project."""
        self.count += 1
        path = self.root / "content" / "updates" / f"bench-{self.count}.md"
        text = EXAMPLE.read_text(encoding="utf-8").replace("title: ", f"slug: bench-{self.count}\ntitle: ", 1)
        path.write_text(text, encoding="utf-8")
        return str(path.relative_to(self.root))

    def wall(self, *args: str, env: dict[str, str] | None = None) -> float:
        """Seconds of one `herald` process (which must succeed)."""
        start = time.perf_counter()
        result = subprocess.run([str(BIN / "herald"), *args], cwd=self.root, env={**self.env, **(env or {})},
                                capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"herald {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
        return elapsed


def base_env(scratch: Path) -> dict[str, str]:
    """The caller's environment without herald or Prefect settings; a private client PREFECT_HOME."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("HERALD_", "PREFECT_"))}
    return {**env, "PREFECT_HOME": str(scratch / "client-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def running_server(scratch: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on a free loopback port with its own home; waits for /api/health."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_env = {**env, "PREFECT_HOME": str(scratch / "server-home")}
    log = open(scratch / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit(f"prefect server did not answer in 180 s; see {scratch / 'server.log'}")


def spread(timings: list[float]) -> str:
    return f"{statistics.median(timings):6.2f} s ({min(timings):.2f}-{max(timings):.2f})"


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores; "
          f"median (min-max) of {runs} fresh processes")
    rows: dict[str, float] = {}

    def row(label: str, timings: list[float], note: str = "") -> None:
        rows[label] = statistics.median(timings)
        print(f"{label:<52} {spread(timings)}  [{load()}]{note}")

    with tempfile.TemporaryDirectory(prefix="herald-cli-bench-") as folder:
        scratch = Path(folder)
        env = base_env(scratch)
        python = sys.executable
        timed([python, "-c", "import prefect"], env)  # warm the OS file cache
        row("python -c pass", [timed([python, "-c", "pass"], env) for _ in range(runs)])
        row("python -c 'import prefect'", [timed([python, "-c", "import prefect"], env) for _ in range(runs)])

        quick = Project(scratch / "quick", "resident", env)
        update = quick.new_update()
        row("herald check <update>", [quick.wall("check", update) for _ in range(runs)])
        row("herald preview <update>", [quick.wall("preview", update, "--out", "p") for _ in range(runs)])
        row("herald publish --dry-run <update>", [quick.wall("publish", "--dry-run", update) for _ in range(runs)])

        server, url = running_server(scratch, env)
        try:
            remote = Project(scratch / "remote", "resident", env)
            remote.wall("publish", remote.new_update(), env={"PREFECT_API_URL": url})  # the server's first flow
            row("publish, PREFECT_API_URL = a running server",
                [remote.wall("publish", remote.new_update(), env={"PREFECT_API_URL": url}) for _ in range(runs)])
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)

        resident = Project(scratch / "resident", "resident", env)
        try:
            row("publish, embedded resident: first (starts engine)", [resident.wall("publish", resident.new_update())])
            row("publish, embedded resident: later ones",
                [resident.wall("publish", resident.new_update()) for _ in range(runs)])
        finally:
            resident.wall("engine", "stop")

        temporary = Project(scratch / "temporary", "temporary", env)
        row("publish, embedded temporary (the old default)",
            [temporary.wall("publish", temporary.new_update()) for _ in range(runs)])

    floor = rows["python -c 'import prefect'"]
    remote, later = rows["publish, PREFECT_API_URL = a running server"], rows[
        "publish, embedded resident: later ones"]
    print(f"\npublish on a running server = {remote / floor:.2f}x `import prefect` (goal <= 1.3x + the network floor)")
    print(f"later resident publishes = {later / remote:.2f}x a publish on a running server (goal <= 1.5x)")
    print("check, preview and publish --dry-run import no Prefect")


if __name__ == "__main__":
    main()
