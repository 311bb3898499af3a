"""Folder benchmark: `herald check DIR` and `herald preview DIR` as whole processes, per update, and preview's memory.

Run: .venv/bin/python bench/folders.py [--sizes 10,100,500] [--words 400] [--kinds copies,varied] [--smoke]

Two kinds of folder, each in a temporary project (nothing is written in the checkout):
- copies: the two example updates copied over and over with new slugs (the same bodies: render caches can hit);
- varied: updates of about `--words` words each, every one a new text (bench/render.py's generator).
Per update = (wall at the largest size - wall at the smallest) / (difference in updates), so the process start
drops out; the wall of the largest folder is printed too, and the CPU time of the command and its workers (on a
shared machine, CPU / cores is what the wall would be with the cores free). Memory: the peak resident size of
the largest process (the command or one of its workers), from getrusage of the waited-for children. The ratio
puts check's CPU per varied update against rendering the same files in this process (load_and_render, one core,
no process start): what the folder machinery (workers, identity checks, printing) adds. `--smoke`: varied folders
of 2 and 10 updates (10 takes the parallel path on 2 cores) of 150 words; checks that every update was checked and
previewed.
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
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from benchkit import expect, load_line, smoke_ok  # noqa: E402 - after the path set-up
from render import make_update  # noqa: E402

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


PEAK = ("import resource, subprocess, sys; run = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "use = resource.getrusage(resource.RUSAGE_CHILDREN); oks = sum(line.startswith('ok ') for line in "
        "run.stdout.splitlines()); print(run.returncode, use.ru_maxrss, use.ru_utime + use.ru_stime, oks)")


def run(args: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall seconds of a process, the CPU seconds of it and its workers, the peak RSS (MiB) of the largest, and
    how many `ok` lines it printed."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    code, peak, cpu, oks = result.stdout.split()
    expect(code == "0", f"{' '.join(args)} exited with {code}")
    return wall, float(cpu), int(peak) / 1024, int(oks)


def in_process(folder: Path) -> float:
    """CPU ms per update of load_and_render on every file of `folder`, in this process (imports done first)."""
    from config.settings import load_settings
    from herald.pipeline.render import load_and_render

    settings = load_settings(folder.parent.parent / "herald.toml")
    files = sorted(folder.glob("*.md"))
    load_and_render(files[0], settings)
    start = time.process_time()
    for path in files:
        load_and_render(path, settings)
    return (time.process_time() - start) / len(files) * 1000


def measure(kind: str, size: int, words: int) -> dict[str, float]:
    """check and preview of one folder in a new project: walls, CPU, memory; in-process render for varied ones."""
    with tempfile.TemporaryDirectory(prefix="herald-folder-bench-") as scratch:
        project = Path(scratch)
        updates = project / "content" / "updates"
        updates.mkdir(parents=True)
        shutil.copytree(REPO / "content" / "images", project / "content" / "images")
        (project / "herald.toml").write_text(f'content_root = "{project / "content"}"\n', encoding="utf-8")
        copies(updates, size) if kind == "copies" else varied(updates, size, words)
        check, check_cpu, _, oks = run([HERALD, "check", "content/updates"], project)
        expect(oks == size, f"check printed {oks} ok lines for {size} updates")
        out = project / "out"
        preview, preview_cpu, memory, _ = run([HERALD, "preview", "content/updates", "--out", str(out)], project)
        pages = [page for page in out.iterdir() if page.is_dir()]
        expect((out / "index.html").is_file() and len(pages) == size, f"preview wrote {len(pages)} of {size} pages")
        alone = in_process(updates) if kind == "varied" else 0.0
    print(f"{kind:<7} {size:>4} updates: check {check:6.2f} s (CPU {check_cpu:6.2f} s), preview "
          f"{preview:6.2f} s (CPU {preview_cpu:6.2f} s), peak RSS {memory:5.0f} MiB   (load {os.getloadavg()[0]:.2f})")
    return {"check": check, "check_cpu": check_cpu, "preview": preview, "preview_cpu": preview_cpu, "alone": alone}


def per_update(kind: str, low: dict[str, float], high: dict[str, float], count: int) -> None:
    """Per update = the difference between the largest and the smallest folder over the difference in updates."""
    cores = os.cpu_count() or 1
    for command, goal in (("check", 8), ("preview", 10)):
        per = (high[command] - low[command]) / count * 1000
        cpu = (high[f"{command}_cpu"] - low[f"{command}_cpu"]) / count * 1000
        print(f"  {kind} {command}: {per:.1f} ms per update, CPU {cpu:.1f} ms per update = {cpu / cores:.1f} ms "
              f"on {cores} free cores (goal <= {goal} ms)")
        if command == "check" and high["alone"]:
            print(f"  {kind} check CPU per update / in-process load_and_render ({high['alone']:.1f} ms) = "
                  f"{cpu / high['alone']:.2f}")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--kinds", default="copies,varied", help="which folders: copies, varied or both")
    parser.add_argument("--smoke", action="store_true", help="2 and 10 updates of 150 words; checks the outputs")
    args = parser.parse_args()
    sizes = [2, 10] if args.smoke else sorted({int(size) for size in args.sizes.split(",")})
    if len(sizes) < 2:
        parser.error("--sizes needs two sizes or more: the cost per update is the difference between two folders")
    words = 150 if args.smoke else args.words
    os.environ.pop("HERALD_CONFIG", None)
    print(load_line())
    for kind in ["varied"] if args.smoke else args.kinds.split(","):
        found = {size: measure(kind, size, words) for size in sizes}
        per_update(kind, found[sizes[0]], found[sizes[-1]], sizes[-1] - sizes[0])
    if args.smoke:
        smoke_ok(f"folders of {' and '.join(map(str, sizes))} updates, each one checked and previewed")


if __name__ == "__main__":
    main()
