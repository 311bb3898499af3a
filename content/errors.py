"""Errors for invalid updates: one line each, naming the file and the field."""

from __future__ import annotations

from pathlib import Path


class UpdateError(ValueError):
    """An update that cannot be published as written."""

    def __init__(self, path: Path | str, field: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field
        self.message = " ".join(message.split())
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}: " if self.field else f"{self.path}: "
        return where + self.message
