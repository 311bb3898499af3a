"""CLI benchmark: `herald check`, `preview`, `publish --dry-run` and `publish` on one update, cold, and Prefect's share.

Run: .venv/bin/python bench/cli.py [--runs 3]  (prints figures measured in this one run)

Every command is a fresh process (median of `--runs`, after one unmeasured warm-up run of each so the OS file cache
is warm), run in a scratch copy of the content and config/herald.toml (no credentials: nothing leaves the machine;
a dry run sends nothing anyway). No PREFECT_API_URL is set, as on a laptop: `publish --dry-run` then starts Prefect's
ephemeral server (a uvicorn subprocess against ~/.prefect/prefect.db) - the script watches for that child process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"


def children(pid: int) -> list[str]:
    """Command lines of the direct children of `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
            if int(ppid) == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, StopIteration, ValueError):
            continue
    return found


def run_once(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, bool]:
    """Wall seconds of one process, and whether it started Prefect's ephemeral server (a uvicorn child)."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = False
    while process.poll() is None:
        if not server and any("uvicorn" in line for line in children(process.pid)):
            server = True
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    return elapsed, server


def median_wall(args: list[str], cwd: Path, env: dict[str, str], runs: int) -> tuple[float, float, float, bool]:
    """Median, min and max wall seconds over `runs` fresh processes (after one warm-up), and whether a server ran."""
    run_once(args, cwd, env)
    timings, servers = [], []
    for _ in range(runs):
        elapsed, server = run_once(args, cwd, env)
        timings.append(elapsed)
        servers.append(server)
    return statistics.median(timings), min(timings), max(timings), all(servers)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    herald = str(Path(sys.executable).parent / "herald")
    python = sys.executable
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("HERALD_", "PREFECT_API_URL"))}
    env.update(PREFECT_LOGGING_LEVEL="WARNING", PREFECT_SERVER_ANALYTICS_ENABLED="false")  # as the CLI sets them
    with tempfile.TemporaryDirectory(prefix="herald-cli-bench-") as scratch:
        work = Path(scratch)
        shutil.copytree(REPO / "content" / "updates", work / "content" / "updates")
        shutil.copytree(REPO / "content" / "images", work / "content" / "images")
        (work / "config").mkdir()
        shutil.copy(REPO / "config" / "herald.toml", work / "config" / "herald.toml")
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "python -c 'import prefect'": [python, "-c", "import prefect"],
            "herald check": [herald, "check", EXAMPLE],
            "herald preview": [herald, "preview", EXAMPLE, "--out", str(work / "preview")],
            "herald publish --dry-run": [herald, "publish", "--dry-run", EXAMPLE],
            # after the warm-up run everything is in the ledger: the flow runs and finds nothing left to send
            "herald publish (a rerun)": [herald, "publish", EXAMPLE],
        }
        print(f"median of {args.runs} fresh processes (min-max); cwd a scratch copy of content/ and config/")
        walls: dict[str, float] = {}
        for label, command in commands.items():
            median, low, high, server = median_wall(command, work, env, args.runs)
            walls[label] = median
            note = "  (started Prefect's ephemeral server)" if server else ""
            print(f"{label:<28} {median:>6.2f} s  ({low:.2f}-{high:.2f}){note}")
    bare, prefect_import = walls["python -c pass"], walls["python -c 'import prefect'"]
    dry_run, publish = walls["herald publish --dry-run"], walls["herald publish (a rerun)"]
    engine = publish - dry_run
    print(f"\nimport prefect alone:                {prefect_import - bare:.2f} s")
    print(f"publish --dry-run starts no engine; the Prefect engine's share of a publish: {engine:.2f} s of "
          f"{publish:.2f} s ({engine / publish:.0%}): the publish minus the dry run (same load, validate and "
          f"render); of that, importing Prefect {prefect_import - bare:.2f} s, the ephemeral server and the "
          f"flow run the remaining {engine - (prefect_import - bare):.2f} s")
    print("targets: check, preview and publish --dry-run < 1.5 s")


if __name__ == "__main__":
    main()
