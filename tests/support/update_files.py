"""Update files for tests: the shared fixtures, and small updates written on the fly."""

from __future__ import annotations

from pathlib import Path

from content.loader import load_update
from content.model import Update

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPDATES = FIXTURES / "updates"
BODY = "Chile widened its copyright exceptions.\n"


def load(name: str) -> Update:
    """A fixture update from tests/fixtures/updates."""
    return load_update(UPDATES / name, FIXTURES)


def write_file(tmp_path: Path, front: str, body: str = BODY, name: str = "update.md") -> Path:
    """An update file with the given front matter lines and body."""
    path = tmp_path / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def write(tmp_path: Path, front: str, body: str = BODY) -> Update:
    """An update loaded from front matter lines and a body."""
    return load_update(write_file(tmp_path, front, body))
