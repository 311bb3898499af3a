"""The embedded default: write exactly what each API would receive under `outbox/<slug>/`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from content.body_images import InlineImage, unique_images
from herald.core.draft import Draft, Receipt, draft_digest
from herald.core.transport import Transport


class OutboxTransport(Transport):
    """Writes a draft's files atomically and returns a receipt pointing at them."""

    kind = "outbox"

    def __init__(self, root: Path, slug: str) -> None:
        self.folder = root / slug

    def preflight(self, draft: Draft) -> None:
        """The outbox needs no credentials."""

    def upload_images(self, images: Sequence[InlineImage]) -> dict[str, str]:
        """Copy each body image next to the drafts under its media name; that relative name is its URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for image in unique_images(images):
            target = self.folder / image.media_name
            if not target.is_file() or target.read_bytes() != image.path.read_bytes():
                write_atomically(target, image.path.read_bytes())
        return {image.digest: image.media_name for image in images}

    def send(self, draft: Draft) -> Receipt:
        """Write every file of the draft; the Diff receipt carries the post's planned URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        paths = [write_atomically(self.folder / name, data) for name, data in draft.files().items()]
        url = getattr(draft, "link", None) or paths[0].resolve().as_uri()
        return Receipt(
            channel=draft.channel,
            status="published",
            url=url,
            remote_id=draft_digest(draft)[:16],
            detail="written to " + ", ".join(str(path) for path in paths),
        )


def write_atomically(path: Path, data: bytes) -> Path:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
