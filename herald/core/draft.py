"""The small contract every channel adapter follows, and the values it passes around."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Protocol, runtime_checkable

from content.model import Update
from herald.core.status import Status

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|figcaption)>|<br\s*/?>", re.I)


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may know beyond the update; built once from config at the edge."""

    diff_url: str
    diff_url_known: bool = False
    site_name: str = "Diff"
    image_urls: tuple[tuple[str, str], ...] = ()  # (an image's src in the body, where it is served from)
    versions: tuple[tuple[str, str], ...] = ()  # (lang, Diff URL) of the update's other published languages


class Draft(Protocol):
    """A channel's ready-to-send output; `files()` is exactly what goes out, the rest describes it to people."""

    channel: str
    warnings: tuple[str, ...]
    left_out: tuple[str, ...]  # what of the update it does not carry (a condensed thread's lists, quotes, images)

    def files(self) -> dict[str, bytes]: ...

    def summary(self) -> str:
        """A few words for `herald check` ("5 tweets, condensed"), or "" when the channel name says enough."""
        ...

    def facts(self) -> str:
        """What goes out, in one line, for the preview's table."""
        ...

    def text(self) -> str:
        """The words a reader sees (not ids, dates or markup): what a correction compares."""
        ...

    def markdown(self) -> str:
        """A Markdown section showing the exact text for reviewers, or "" when the table row is enough."""
        ...


@runtime_checkable
class Channel(Protocol):
    """A channel adapter: a name, declared limits, and a pure renderer."""

    name: str

    def render(self, update: Update, context: RenderContext) -> Draft: ...


class RenderError(ValueError):
    """A draft that breaks a channel's limits; one line naming the file and the channel field."""

    def __init__(self, update: Update, field_name: str, message: str) -> None:
        self.path = str(update.source)
        self.field = field_name
        self.message = message
        super().__init__(f"{self.path}: {field_name}: {message}")




@dataclass(frozen=True)
class Receipt:
    """What happened to one channel's draft."""

    channel: str
    status: Status
    url: str | None = None
    remote_id: str | None = None
    detail: str = ""
    parts: tuple[dict, ...] = field(default_factory=tuple)


def html_text(html: str) -> str:
    """The readable text of HTML: block ends become line breaks, tags go."""
    return unescape(_TAG.sub("", _BLOCK_END.sub("\n", html))).strip()


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """"1 tweet", "3 tweets", "1 status", "2 statuses": a count with its noun."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def fenced(text: str) -> str:
    """A Markdown code block whose fence is longer than any backtick run in the text."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def json_bytes(payload: object) -> bytes:
    """Stable, readable JSON bytes for payload files."""
    return (json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def draft_digest(draft: Draft) -> str:
    """A hash of everything a draft sends."""
    digest = hashlib.sha256()
    for name, data in sorted(draft.files().items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
