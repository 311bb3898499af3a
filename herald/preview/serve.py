"""`herald preview --serve`: the preview on 127.0.0.1, re-rendered and reloaded when its update changes."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from herald.pipeline.render import load_and_render
from herald.preview.page import (
    CSP,
    INPUT_ERRORS,
    LIVE_CSP,
    error_page,
    folder_entries,
    folder_files,
    page_files,
)

if TYPE_CHECKING:
    from config.settings import Settings

HOST = "127.0.0.1"
VERSION_PATH = "/__version"
MAX_SETTLE = 3
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8", ".eml": "text/plain; charset=utf-8"}


class LivePreview:
    """The files of a preview (one update or a folder), rendered again whenever an input changes."""

    def __init__(self, target: Path, settings: Settings) -> None:
        self.target = target
        self.settings = settings
        self.lock = threading.Lock()
        self.images: list[Path] = []
        self.signature = ""
        self.files: dict[str, bytes] = {}

    def inputs(self) -> list[Path]:
        """The update files (a folder's current `*.md`) and the images the last render used."""
        updates = sorted(self.target.glob("*.md")) if self.target.is_dir() else [self.target]
        return [*updates, *self.images]

    def fingerprint(self) -> str:
        """A hash of every input's bytes (updates) or size and mtime (images); missing files count too."""
        digest = hashlib.sha256()
        for path in self.inputs():
            digest.update(str(path).encode() + b"\0")
            try:
                digest.update(path.read_bytes() if path.suffix == ".md" else str(path.stat()[6:9]).encode())
            except OSError:
                digest.update(b"missing")
        return digest.hexdigest()[:16]

    def current(self) -> tuple[str, dict[str, bytes]]:
        """The version token and the files, re-rendered first if an input changed."""
        with self.lock:
            for _ in range(MAX_SETTLE):
                signature = self.fingerprint()
                if signature == self.signature:
                    break
                self.render(signature)
                self.signature = signature
            return self.signature, self.files

    def render(self, version: str) -> None:
        """Render every page with the reload script bound to `version`."""
        if self.target.is_dir():
            entries = folder_entries(self.target, self.settings)
            self.files = folder_files(entries, version)
            rendered = [entry.rendered for entry in entries if entry.rendered is not None]
        else:
            try:
                rendered = [load_and_render(self.target, self.settings)]
                self.files = page_files(rendered[0], version)
            except INPUT_ERRORS as error:
                rendered, self.files = [], {"index.html": error_page(self.target, str(error), version).encode()}
        self.images = [r.update.image_path for r in rendered if r.update.image_path is not None]


def handler_for(live: LivePreview) -> type[BaseHTTPRequestHandler]:
    """A request handler serving `live`'s files, and its version for the page's reload check."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            version, files = live.current()
            path = unquote(urlsplit(self.path).path)
            if path == VERSION_PATH:
                return self.reply(200, version.encode(), "text/plain; charset=utf-8", CSP)
            name = path.lstrip("/")
            name = name + "index.html" if name == "" or name.endswith("/") else name
            if name not in files:
                return self.reply(404, b"not found\n", "text/plain; charset=utf-8", CSP)
            kind = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
            return self.reply(200, files[name], kind, LIVE_CSP if name.endswith("index.html") else CSP)

        def reply(self, status: int, body: bytes, kind: str, csp: str) -> None:
            self.send_response(status)
            for header, value in (("Content-Type", kind), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), ("Content-Security-Policy", csp),
                                  ("X-Content-Type-Options", "nosniff")):
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            """Quiet: the CLI prints the URL once."""

    return Handler


def make_server(target: Path, settings: Settings, port: int = 0) -> ThreadingHTTPServer:
    """A server for the preview of `target` on 127.0.0.1 (port 0: a free one); call `serve_forever()`."""
    live = LivePreview(target, settings)
    live.current()
    server = ThreadingHTTPServer((HOST, port), handler_for(live))
    server.daemon_threads = True
    return server
