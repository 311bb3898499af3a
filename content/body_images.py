"""Images in an update's body: found in its Markdown, checked on disk, named by their content for the media library."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from markdown_it.token import Token

from content.markdown import inline_text, tokens

MEDIA_PREFIX = "herald-"
DIGEST_LENGTH = 16
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


@dataclass(frozen=True)
class BodyImage:
    """An image as the Markdown writes it: its `src`, its alt text, the source line."""

    src: str
    alt: str
    line: int

    @property
    def is_local(self) -> bool:
        """A file next to the update (no scheme, not protocol-relative), not a remote URL."""
        return not _SCHEME.match(self.src)


@dataclass(frozen=True)
class InlineImage:
    """A local image of the body, checked on disk: where it is, what it shows, and its content hash."""

    src: str
    path: Path
    alt: str
    line: int
    digest: str

    @property
    def media_name(self) -> str:
        """The file name it is uploaded under (see `media_filename`)."""
        return media_filename(self.digest, self.path.suffix)


def media_filename(digest: str, suffix: str) -> str:
    """`herald-<sha256[:16]>.png`: an upload's file name from its content, so WordPress gives it a predictable slug."""
    return f"{MEDIA_PREFIX}{digest[:DIGEST_LENGTH]}{suffix.lower()}"


def body_images(body: str) -> list[BodyImage]:
    """Every Markdown image of the body, in reading order."""
    return list(_images(tokens(body)))


def _images(stream: Sequence[Token]) -> Iterator[BodyImage]:
    for token in stream:
        if token.type != "inline" or not token.children:
            continue
        line = (token.map[0] + 1) if token.map else 0
        for child in _flatten(token.children):
            if child.type == "image":
                alt = inline_text(child.children or [], lambda text, href: text)
                yield BodyImage(str(child.attrs.get("src", "")), alt, line)


def _flatten(children: Sequence[Token]) -> Iterator[Token]:
    for child in children:
        yield child
        if child.type != "image" and child.children:
            yield from _flatten(child.children)


def local_path(image: BodyImage, folder: Path, content_root: Path) -> Path:
    """The file an image's `src` names: relative to the update's folder, or to the content root with a leading `/`."""
    relative = PurePosixPath(unquote(image.src.split("#", 1)[0].split("?", 1)[0]))
    if relative.is_absolute():
        return (content_root / relative.relative_to("/")).resolve()
    return (folder / relative).resolve()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unique_images(images: Sequence[InlineImage]) -> list[InlineImage]:
    """One image per file content, first use first: the same picture twice is one upload."""
    seen: dict[str, InlineImage] = {}
    for image in images:
        seen.setdefault(image.digest, image)
    return list(seen.values())
