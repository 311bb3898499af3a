"""CLI benchmark: whole `herald` processes a person waits for, next to `python -c pass` and `import prefect`.

Run: .venv/bin/python bench/cli.py [--runs 3] [--api-url URL] [--smoke]  (figures measured in this one run)

Every command is a fresh process in a scratch project (a copy of content/ and a config whose ledger, outbox and
engine state live in a temporary folder; no credentials, so every channel goes to the outbox; nothing is written in
the checkout). Each publish publishes a new copy of the example update (its own slug), so it really writes.
- against a running server: this script starts `prefect server start` on a free loopback port with its own
  PREFECT_HOME, waits for it, and sets PREFECT_API_URL (what a team with a server does);
- the embedded default, resident: the first publish starts herald's engine in a new .herald/ (a new Prefect home),
  the later ones reuse it; `herald engine stop` at the end;
- the embedded default, temporary ([engine] mode = "temporary"): Prefect's temporary server each time.
Median (min-max) of `--runs` processes; the first resident publish is one process by nature. `--api-url`: publish
against that running server instead of starting one. `--smoke`: one process of each of the floors, check, preview,
publish --dry-run and a publish on the running server (no resident or temporary engine); checks each one's output.
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
sys.path.insert(0, str(REPO / "bench"))

from benchkit import expect, load_line, smoke_ok  # noqa: E402 - after the path set-up

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

    def wall(self, *args: str, env: dict[str, str] | None = None, says: str = "") -> float:
        """Seconds of one `herald` process, which must succeed and print `says`."""
        start = time.perf_counter()
        result = subprocess.run([str(BIN / "herald"), *args], cwd=self.root, env={**self.env, **(env or {})},
                                capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"herald {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
        expect(says in result.stdout + result.stderr, f"herald {' '.join(args)} did not say {says!r}: "
               f"{(result.stdout + result.stderr)[-1000:]}")
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


class Rows:
    """The printed rows, by label: the median of each."""

    def __init__(self) -> None:
        self.medians: dict[str, float] = {}

    def row(self, label: str, timings: list[float], note: str = "") -> None:
        self.medians[label] = statistics.median(timings)
        print(f"{label:<52} {spread(timings)}  [{load()}]{note}")


def floors(rows: Rows, env: dict[str, str], runs: int) -> None:
    """`python -c pass` and `import prefect`."""
    python = sys.executable
    timed([python, "-c", "import prefect"], env)  # warm the OS file cache
    rows.row("python -c pass", [timed([python, "-c", "pass"], env) for _ in range(runs)])
    rows.row("python -c 'import prefect'", [timed([python, "-c", "import prefect"], env) for _ in range(runs)])


def quick(rows: Rows, scratch: Path, env: dict[str, str], runs: int) -> None:
    """check, preview and publish --dry-run of one update: no Prefect import."""
    project = Project(scratch / "quick", "resident", env)
    update = project.new_update()
    rows.row("herald check <update>", [project.wall("check", update, says="ok") for _ in range(runs)])
    rows.row("herald preview <update>",
             [project.wall("preview", update, "--out", "p", says="wrote") for _ in range(runs)])
    expect(any((project.root / "p").rglob("*.html")), "preview wrote no HTML page")
    rows.row("herald publish --dry-run <update>",
             [project.wall("publish", "--dry-run", update, says="dry_run") for _ in range(runs)])


def on_server(rows: Rows, scratch: Path, env: dict[str, str], runs: int, url: str | None) -> None:
    """Publishes against a running server: `url`, or a `prefect server start` of our own."""
    server = None
    if url is None:
        server, url = running_server(scratch, env)
    try:
        remote = Project(scratch / "remote", "resident", env)
        remote.wall("publish", remote.new_update(), env={"PREFECT_API_URL": url})  # the server's first flow
        rows.row("publish, PREFECT_API_URL = a running server",
                 [remote.wall("publish", remote.new_update(), env={"PREFECT_API_URL": url}, says="published")
                  for _ in range(runs)])
        expect(len(list((remote.root / "outbox").rglob("*"))) > 4, "the publishes left nothing in the outbox")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)


def embedded(rows: Rows, scratch: Path, env: dict[str, str], runs: int) -> None:
    """Publishes on herald's own engines: resident (first, later ones), then temporary."""
    resident = Project(scratch / "resident", "resident", env)
    try:
        rows.row("publish, embedded resident: first (starts engine)", [resident.wall("publish", resident.new_update())])
        rows.row("publish, embedded resident: later ones",
                 [resident.wall("publish", resident.new_update()) for _ in range(runs)])
    finally:
        resident.wall("engine", "stop")
    temporary = Project(scratch / "temporary", "temporary", env)
    rows.row("publish, embedded temporary (the old default)",
             [temporary.wall("publish", temporary.new_update()) for _ in range(runs)])


def ratios(rows: Rows) -> None:
    """The goals, as ratios of figures from this run."""
    medians = rows.medians
    floor, remote = medians["python -c 'import prefect'"], medians["publish, PREFECT_API_URL = a running server"]
    print(f"\npublish on a running server = {remote / floor:.2f}x `import prefect` (goal <= 1.3x + the network floor)")
    if "publish, embedded resident: later ones" in medians:
        later = medians["publish, embedded resident: later ones"]
        print(f"later resident publishes = {later / remote:.2f}x a publish on a running server (goal <= 1.5x)")
    check = medians["herald check <update>"]
    print(f"herald check <update> = {check / floor:.2f}x `import prefect`; check, preview and publish --dry-run "
          "import no Prefect")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--api-url", help="a running Prefect server's API URL (else the script starts one)")
    parser.add_argument("--smoke", action="store_true", help="one process each, no embedded engines")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    print(f"{load_line()}; median (min-max) of {runs} fresh processes")
    rows = Rows()
    with tempfile.TemporaryDirectory(prefix="herald-cli-bench-") as folder:
        scratch = Path(folder)
        env = base_env(scratch)
        floors(rows, env, runs)
        quick(rows, scratch, env, runs)
        on_server(rows, scratch, env, runs, args.api_url)
        if not args.smoke:
            embedded(rows, scratch, env, runs)
    ratios(rows)
    if args.smoke:
        smoke_ok(f"{len(rows.medians)} kinds of process, each exited 0 and said what it did")


if __name__ == "__main__":
    main()
