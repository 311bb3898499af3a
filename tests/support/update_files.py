"""Update files for tests: the shared fixtures, and small updates written on the fly."""

from __future__ import annotations

from pathlib import Path

from channels.registry import load_update
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


def solid_png(path: Path, rgb: tuple[int, int, int], size: int = 8) -> Path:
    """A small one-colour PNG (a distinct image per colour, so each test's upload is its own)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path
