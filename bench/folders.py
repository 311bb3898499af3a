"""Folder benchmark: `herald check DIR` and `herald preview DIR` as whole processes, per update, and preview's memory.

Run: .venv/bin/python bench/folders.py [--sizes 10,100,500] [--words 400]  (prints figures measured in this run)

Two kinds of folder, each in a temporary project (nothing is written in the checkout):
- copies: the two example updates copied over and over with new slugs (the same bodies: render caches can hit);
- varied: updates of about `--words` words each, every one a new text (bench/render.py's generator).
Per update = (wall at the largest size - wall at the smallest) / (difference in updates), so the process start
drops out; the wall of the largest folder is printed too, and the CPU time of the command and its workers (on a
shared machine, CPU / cores is what the wall would be with the cores free). Memory: the peak resident size of
the largest process (the command or one of its workers), from getrusage of the waited-for children.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from render import make_update  # noqa: E402 - after the path set-up

HERALD = str(Path(sys.executable).parent / "herald")


def copies(folder: Path, count: int) -> None:
    """`count` copies of the example updates with new slugs."""
    examples = sorted((REPO / "content" / "updates").glob("*.md"))
    for number in range(count):
        source = examples[number % len(examples)]
        text = source.read_text(encoding="utf-8").replace("title: ", f"slug: copy-{number}\ntitle: ", 1)
        (folder / f"{number:04d}-{source.name}").write_text(text, encoding="utf-8")


def varied(folder: Path, count: int, words: int) -> None:
    """`count` updates of new text."""
    for number in range(count):
        make_update(folder, words, seed=number).rename(folder / f"{number:04d}-varied.md")


PEAK = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
        "use = resource.getrusage(resource.RUSAGE_CHILDREN); print(code, use.ru_maxrss, use.ru_utime + use.ru_stime)")


def run(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds of a process, the CPU seconds of it and its workers, and the peak RSS (MiB) of the largest."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    code, peak, cpu = result.stdout.split()
    if code not in {"0", "2"}:  # 2: an invalid update, reported
        raise SystemExit(f"{' '.join(args)} exited with {code}")
    return wall, float(cpu), int(peak) / 1024


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--words", type=int, default=400)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    for kind in ("copies", "varied"):
        walls: dict[str, dict[int, float]] = {"check": {}, "preview": {}}
        cpus: dict[str, dict[int, float]] = {"check": {}, "preview": {}}
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="herald-folder-bench-") as scratch:
                project = Path(scratch)
                updates = project / "content" / "updates"
                updates.mkdir(parents=True)
                shutil.copytree(REPO / "content" / "images", project / "content" / "images")
                copies(updates, size) if kind == "copies" else varied(updates, size, args.words)
                check, check_cpu, _ = run([HERALD, "check", "content/updates"], project)
                out = str(project / "out")
                preview, preview_cpu, memory = run([HERALD, "preview", "content/updates", "--out", out], project)
                walls["check"][size], walls["preview"][size] = check, preview
                cpus["check"][size], cpus["preview"][size] = check_cpu, preview_cpu
                print(f"{kind:<7} {size:>4} updates: check {check:6.2f} s (CPU {check_cpu:6.2f} s), preview "
                      f"{preview:6.2f} s (CPU {preview_cpu:6.2f} s), peak RSS {memory:5.0f} MiB   "
                      f"(load {os.getloadavg()[0]:.2f})")
        low, high = sizes[0], sizes[-1]
        for command, goal in (("check", 8), ("preview", 10)):
            per = (walls[command][high] - walls[command][low]) / (high - low) * 1000
            cpu = (cpus[command][high] - cpus[command][low]) / (high - low) * 1000
            print(f"  {kind} {command}: {per:.1f} ms per update, CPU {cpu:.1f} ms per update "
                  f"(goal <= {goal} ms on 2 cores)")


if __name__ == "__main__":
    main()
