"""Render benchmark: all four channels on varied text with every cache cleared, and where the time goes.

Run: .venv/bin/python bench/render.py [--repeat 9]  (prints figures measured in this one run, with the load average)

Each update is generated from a seeded vocabulary (sentences of varied length and words, links, lists, a table,
footnotes, headings), so no paragraph repeats. Before every timed render, every `functools` cache of herald's own
modules (content, channels, herald) is cleared, so each repeat is a cold render of a new text. Figures are the
median and the spread (min-max) of `--repeat` runs. Files are written only under a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from channels.registry import CHANNELS, load_update  # noqa: E402
from herald.core.draft import RenderContext  # noqa: E402 - after the path set-up

VOCABULARY = (
    "commission parliament consultation copyright exception mining volunteers encyclopedia licence platform "
    "regulation liability transparency researchers archive access knowledge public interest community editors "
    "moderation safeguards member states proposal amendment trilogue deadline response submission evidence "
    "privacy data protection children online safety intermediary notice takedown court ruling precedent "
    "accessibility multilingual open source infrastructure funding libraries museums heritage education"
)
WORDS = tuple(VOCABULARY.split(" "))
CONNECTORS = ("and", "but", "because", "while", "so", "although", "which", "that", "when", "where")


def sentence(rng: random.Random, words: int) -> str:
    """A sentence of about `words` words, sometimes with a link or emphasis."""
    picked = [rng.choice(WORDS if n % 5 else CONNECTORS) for n in range(words)]
    if rng.random() < 0.15:
        at = rng.randrange(len(picked))
        picked[at] = f"[{picked[at]}](https://meta.wikimedia.org/wiki/{rng.choice(WORDS)}_{rng.randrange(999)})"
    if rng.random() < 0.1:
        at = rng.randrange(len(picked))
        picked[at] = f"*{picked[at]}*"
    text = " ".join(picked)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def body(rng: random.Random, words: int) -> str:
    """Sections of paragraphs, lists, a table and footnotes, about `words` words, no paragraph repeated."""
    parts: list[str] = []
    count, section, footnotes = 0, 0, 0
    while count < words:
        roll = rng.random()
        if len(parts) % 7 == 0:
            section += 1
            parts.append(f"## {' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()}")
        elif roll < 0.15:
            items = [sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5))]
            parts.append("\n".join(f"- {item}" for item in items))
            count += sum(len(item.split()) for item in items)
        elif roll < 0.2:
            rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |" for _ in range(4)]
            parts.append("| topic | count | status |\n|---|---:|---|\n" + "\n".join(rows))
            count += 12
        else:
            text = " ".join(sentence(rng, rng.randint(5, 30)) for _ in range(rng.randint(2, 6)))
            if rng.random() < 0.1:
                footnotes += 1
                text += f"[^{footnotes}]"
                parts.append(text)
                parts.append(f"[^{footnotes}]: {sentence(rng, 12)}")
            else:
                parts.append(text)
            count += len(text.split())
    return "\n\n".join(parts)


def make_update(folder: Path, words: int, seed: int) -> Path:
    """A new update file of about `words` words of varied text."""
    rng = random.Random(seed)
    path = folder / f"bench-{words}-{seed}.md"
    path.write_text(
        f"---\ntitle: Benchmark update {seed} with {words} words\ndate: 2026-10-08\n"
        f"summary: {json.dumps(sentence(rng, 20))}\ntags: [benchmark, copyright]\n---\n{body(rng, words)}\n",
        encoding="utf-8",
    )
    return path


def clear_caches() -> int:
    """Clear every functools cache in herald's own modules; returns how many were cleared."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(("content", "channels", "herald")) or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
                cleared += 1
    return cleared


def timed(action: Callable[[], object]) -> float:
    """Milliseconds of one call."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def spread(timings: list[float]) -> str:
    """Median (min-max)."""
    return f"{statistics.median(timings):7.1f} ({min(timings):.1f}-{max(timings):.1f})"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    from content.markdown import MARKDOWN

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores; "
          f"median (min-max) of {args.repeat} renders, each a new text, every cache cleared")
    with tempfile.TemporaryDirectory(prefix="herald-render-bench-") as scratch:
        folder = Path(scratch)
        for words in (300, 3_000, 30_000):
            repeat = max(3, args.repeat // 3) if words > 10_000 else args.repeat
            paths = [make_update(folder, words, seed) for seed in range(repeat)]
            whole, parse, load, per_channel = [], [], [], {name: [] for name in CHANNELS}
            for path in paths:
                clear_caches()
                text = path.read_text(encoding="utf-8").split("---\n", 2)[2]
                parse.append(timed(lambda t=text: MARKDOWN.parse(t)))
                clear_caches()
                start = time.perf_counter()
                update = load_update(path)
                load.append((time.perf_counter() - start) * 1000)
                context = RenderContext(diff_url=f"https://diff.example.org/2026/10/08/{update.slug}/")
                for name, channel in CHANNELS.items():
                    per_channel[name].append(timed(lambda c=channel, u=update, x=context: c.render(u, x)))
                whole.append((time.perf_counter() - start) * 1000)
            print(f"\n{words:,} words: load + all four channels {spread(whole)} ms"
                  + ("   (target < 50 ms)" if words == 3_000 else ""))
            print(f"  markdown-it parse alone {spread(parse)} ms; load + validate {spread(load)} ms")
            for name, timings in per_channel.items():
                print(f"  {name:<8} {spread(timings)} ms")
        print(f"\n{clear_caches()} caches cleared before each render")


if __name__ == "__main__":
    main()
