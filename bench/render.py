"""Render benchmark: all four channels vs a bare markdown-it render, and check/preview as whole processes.

Run: .venv/bin/python bench/render.py  (prints ratios measured in this one run)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from channels.base import RenderContext
from channels.registry import CHANNELS
from content.loader import load_update

REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = (
    "The European Commission is reviewing the rules for text and data mining, and the Wikimedia Foundation "
    "asked it to protect public-interest projects. See https://meta.wikimedia.org/wiki/EU_policy for our "
    "submission, written with Wikimedia Deutschland and Wikimedia France. "
)


def make_update(folder: Path, words: int) -> Path:
    """A realistic update of about `words` words with sections, a list, a table and links."""
    sections, body = 0, []
    while sum(len(part.split()) for part in body) < words:
        if len(body) % 6 == 0:
            sections += 1
            body.append(f"## Section {sections}")
        body.append(PARAGRAPH * 2 if len(body) % 5 else f"- {PARAGRAPH}\n- {PARAGRAPH}")
    path = folder / f"bench-{words}.md"
    path.write_text(
        f"---\ntitle: Benchmark update with {words} words\ndate: 2026-10-08\nsummary: A long update.\n"
        f"tags: [benchmark]\n---\n" + "\n\n".join(body) + "\n",
        encoding="utf-8",
    )
    return path


def best_ms(action, repeat: int = 7) -> float:
    """The median of `repeat` timings, in milliseconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def render_all(path: Path) -> None:
    """Load and render every channel from scratch (no caches carried between runs)."""
    from content.markdown import tokens

    tokens.cache_clear()
    update = load_update(path)
    context = RenderContext(diff_url=f"https://diff.example.org/2026/10/08/{update.slug}/")
    for channel in CHANNELS.values():
        channel.render(update, context)


def wall_seconds(args: list[str], repeat: int = 3) -> float:
    """Median wall time of a whole process."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=REPO)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    """Print the figures."""
    bare = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"{'words':>7} {'4 channels ms':>14} {'bare md ms':>11} {'ratio':>6} {'ms/1k words':>12}")
        for words in (300, 3_000, 30_000):
            path = make_update(folder, words)
            text = path.read_text(encoding="utf-8")
            channels_ms = best_ms(lambda p=path: render_all(p), repeat=3 if words > 10_000 else 7)
            bare_ms = best_ms(lambda t=text: bare.render(t))
            print(f"{words:>7} {channels_ms:>14.1f} {bare_ms:>11.2f} {channels_ms / bare_ms:>6.1f} "
                  f"{channels_ms / words * 1000:>12.2f}")
        herald = str(Path(sys.executable).parent / "herald")
        example = "content/updates/2026-10-08-eu-copyright-consultation.md"
        check = wall_seconds([herald, "check", example])
        preview = wall_seconds([herald, "preview", example, "--out", str(folder / "preview")])
        python = wall_seconds([sys.executable, "-c", "pass"])
        print(f"herald check (whole process):   {check:.2f} s  (bare python start {python:.2f} s; target < 1.5 s)")
        print(f"herald preview (whole process): {preview:.2f} s")


if __name__ == "__main__":
    main()
