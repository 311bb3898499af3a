"""Folders checked and previewed across processes: the same output, in file order, pages written as they come."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from cli_output import assert_no_traceback
from typer.testing import CliRunner

from herald.cli import app
from herald.pipeline import parallel

EXAMPLE = "2026-10-22-global-digital-compact.md"


@pytest.fixture
def folder(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Twelve valid updates (distinct slugs) and one invalid, in a folder; three worker processes."""
    monkeypatch.setattr(parallel, "workers", lambda: 3)
    updates = workdir / "content" / "updates"
    text = (updates / EXAMPLE).read_text(encoding="utf-8")
    paths = []
    for number in range(12):
        path = updates / f"2026-11-{number + 1:02d}-copy.md"
        path.write_text(text.replace("title: ", f"slug: copy-{number}\ntitle: ", 1), encoding="utf-8")
        paths.append(path)
    (updates / "2026-11-05-bad.md").write_text("---\ntitle: Fine\ndate: 2026-11-05\nchanels: [diff]\n---\nB.\n",
                                               encoding="utf-8")
    return sorted(updates.glob("*.md"))


def test_check_of_a_folder_reports_every_file_in_order_from_worker_processes(folder, monkeypatch):
    here = []  # calls seen in this process; the workers' calls land in their own copies
    real = parallel.worker_settings
    monkeypatch.setattr(parallel, "worker_settings", lambda: here.append(os.getpid()) or real())
    result = CliRunner().invoke(app, ["check", "content/updates"])
    assert result.exit_code == 2, result.output
    assert_no_traceback(result.output)
    named = re.findall(r"^(?:ok|invalid) (content/updates/[^:]+):", result.output, flags=re.MULTILINE)
    assert named == [str(path.relative_to(folder[0].parents[2])) for path in folder]
    assert "invalid content/updates/2026-11-05-bad.md: chanels: unknown field" in result.output
    assert here == [os.getpid()] * 2, "the parent checked the first file only (settings, identity); workers the rest"


def test_preview_of_a_folder_writes_every_page_and_an_index_in_file_order(folder, workdir):
    result = CliRunner().invoke(app, ["preview", "content/updates", "--out", "site"])
    assert result.exit_code == 2, result.output
    site = workdir / "site"
    valid = [path for path in folder if path.stem != "2026-11-05-bad"]
    for path in valid:
        assert {p.name for p in (site / path.stem).iterdir()} >= {"index.html", "thread.json", "email.eml"}
    index = (site / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)/index.html"', index) == [path.stem for path in valid]
    assert index.index("2026-11-04-copy") < index.index("chanels: unknown field") < index.index("2026-11-05-copy")
    assert f"wrote {1 + 8 * len(valid)} files to site/" in result.output
    assert not (site / "2026-11-05-bad").exists()
