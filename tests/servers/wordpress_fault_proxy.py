"""A fault-injecting HTTP reverse proxy on 127.0.0.1 in front of the real WordPress of `wordpress_server.py`.

Implements: every request is forwarded unchanged (method, path, query string: `/wp-json/...` and
`?rest_route=...`, body bytes: JSON and raw media uploads with `Content-Disposition`, and every header, including
`Authorization`), except `Host` (set to WordPress's, as a reverse proxy does) and the hop-by-hop headers; WordPress's
reply comes back with its status, body and headers (`X-WP-Total`, `X-WP-TotalPages`, `Link`, repeated headers
kept), `Content-Length` recomputed. Writes (POST, PUT, PATCH, DELETE) are governed by a `FaultPlan` (`faults.py`),
matched against the `wp/v2` route (`/wp/v2/posts` for both URL forms):
- before-faults never reach WordPress: `refuse` / `503` / `502` / `504` / `413` / `429` answer a gateway's HTML
  error page (`Retry-After` when the plan sets `retry_after`), `500` and `400` / `401` / `403` / `404` / `409`
  WordPress's JSON error (`{"code", "message", "data": {"status"}}`), `drop` / `reset` / `timeout` lose the
  connection (a FIN, an RST, a FIN after holding it `plan.hold` seconds);
- after-faults forward the write, let WordPress apply it and read its whole reply, then lose it (`drop`, `reset`,
  `timeout`) or replace it: `500` with WordPress's critical-error JSON, `502` / `503` / `504` with a gateway's HTML
  page.
`requests` lists what the proxy received, `injected` each fault with WordPress's lost reply, `forwarded` how many
requests reached WordPress. `census(site)` counts duplicates on the real site through its REST API.

Request bodies sent with `Transfer-Encoding: chunked` are forwarded de-chunked, with a `Content-Length`.

Does not implement: HTTPS, `Expect: 100-continue`, streaming (bodies are buffered), or keeping connections to
WordPress alive (one per request, as `php -S` closes them anyway).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from recording_server import QuietServer  # tests/fakes, on pytest's pythonpath

if TYPE_CHECKING:
    from faults import Fault, FaultPlan  # tests/fakes, on pytest's pythonpath
    from wordpress_server import WordPressSite

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "content-length", "host"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Upstream = tuple[int, list[tuple[str, str]], bytes]
WP_ERRORS = {400: ("rest_invalid_param", "Invalid parameter(s)."),
             401: ("rest_cannot_create", "Sorry, you are not allowed to create posts as this user."),
             403: ("rest_forbidden", "Sorry, you are not allowed to do that."),
             404: ("rest_no_route", "No route was found matching the URL and request method."),
             409: ("rest_conflict", "The resource was changed by another request."),
             500: ("internal_server_error", "<p>There has been a critical error on this website.</p>")}
GATEWAY_PAGES = {413: "Request Entity Too Large", 429: "Too Many Requests", 502: "Bad Gateway",
                 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclass(frozen=True)
class ProxiedRequest:
    """One request as the proxy received it (header names lower-cased), with its `wp/v2` route."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    route: str


@dataclass(frozen=True)
class ProxyFault:
    """A fault the proxy injected: the request, the fault, and for `after` faults WordPress's reply it replaced."""

    request: ProxiedRequest
    fault: Fault
    reply: Upstream | None


def wp_route(path: str, query: dict[str, str]) -> str:
    """`/wp/v2/<route>` for both URL forms (what a `FaultPlan`'s patterns see); other paths as they are."""
    if path.startswith("/wp-json/"):
        return path.removeprefix("/wp-json")
    if path in ("/", "/index.php") and "rest_route" in query:
        return query["rest_route"]
    return path


def error_reply(status: int, retry_after: int | None) -> Upstream:
    """WordPress's JSON error for statuses WordPress itself answers; a gateway's HTML page for the others."""
    headers = [("Retry-After", str(retry_after))] if retry_after is not None and status in (429, 503) else []
    if status in WP_ERRORS:
        code, message = WP_ERRORS[status]
        body = json.dumps({"code": code, "message": message, "data": {"status": status}}).encode()
        return status, [("Content-Type", "application/json; charset=UTF-8"), *headers], body
    title = f"{status} {GATEWAY_PAGES.get(status, 'Error')}"
    page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n" \
           "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    return status, [("Content-Type", "text/html"), *headers], page.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def _handle(self) -> None:
        proxy = self.server.proxy
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        request = ProxiedRequest(self.command, parts.path, query,
                                 {name.lower(): value for name, value in self.headers.items()},
                                 self._body(), wp_route(parts.path, query))
        plan = proxy.faults
        with proxy.lock:
            proxy.requests.append(request)
        fault = plan.decide(request.method, request.route) if plan is not None else None
        reply = None
        if fault is None or fault.applied:
            reply = proxy.forward(self.command, self.path, list(self.headers.items()), request.body)
        if fault is None:
            self._send(reply)
            return
        with proxy.changed:
            proxy.injected.append(ProxyFault(request, fault, reply))
            proxy.changed.notify_all()
        if fault.variant in ("drop", "reset", "timeout"):
            if fault.variant == "timeout":
                proxy.stopping.wait(plan.hold)
            self._lose(reset=fault.variant == "reset")
            return
        self._send(error_reply(fault.status, plan.retry_after))

    def _body(self) -> bytes:
        """The request body, de-chunked when sent with `Transfer-Encoding: chunked` (forwarded with a length)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Upstream) -> None:
        status, headers, body = reply
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _lose(self, *, reset: bool) -> None:
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet."""


class _Server(QuietServer):
    proxy: WordPressFaultProxy


class WordPressFaultProxy:
    """A reverse proxy to `upstream` (WordPress's base URL) that injects `faults` into writes.

    `url` is where clients go instead of WordPress; `faults` may be set or replaced at any time (None: a
    transparent proxy). Counters: `requests`, `injected`, `forwarded`, and the plan's own.
    """

    def __init__(self, upstream: str, faults: FaultPlan | None = None, *, timeout: float = 60.0) -> None:
        target = urlsplit(upstream)
        self.upstream_host, self.upstream_port = target.hostname or "127.0.0.1", target.port or 80
        self.faults = faults
        self.timeout = timeout
        self.requests: list[ProxiedRequest] = []
        self.injected: list[ProxyFault] = []
        self.forwarded = 0
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self._server: _Server | None = None

    @property
    def faults(self) -> FaultPlan | None:
        """The fault plan; one with variants HTTP cannot inject is refused."""
        return self._faults

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        if plan is not None:
            from faults import HTTP_VARIANTS

            plan.check(HTTP_VARIANTS, "the WordPress proxy")
        self._faults = plan

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`: give this to the client instead of WordPress's URL."""
        assert self._server is not None, "start() the proxy first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> WordPressFaultProxy:
        """Listen on a free loopback port in a background thread."""
        self.stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="WordPressFaultProxy",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening; connections held by `timeout` faults end at once."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WordPressFaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_faults(self, count: int = 1, timeout: float = 60.0) -> list[ProxyFault]:
        """Wait until `count` faults were injected (an after-fault counts once WordPress answered), and return them:
        a client that timed out may return before WordPress applied the write."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.injected) >= count, timeout):
                raise TimeoutError(f"{len(self.injected)} of {count} faults injected after {timeout} s")
            return list(self.injected)

    def calls(self, method: str, route: str) -> list[ProxiedRequest]:
        """The requests to one `wp/v2` route (either URL form)."""
        return [r for r in self.requests if r.method == method and r.route == route]

    def forward(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Upstream:
        """Send one request to WordPress as received (but `Host`) and read its whole reply."""
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=self.timeout)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", f"{self.upstream_host}:{self.upstream_port}")
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    connection.putheader(name, value)
            if body or method in WRITE_METHODS:
                connection.putheader("Content-Length", str(len(body)))
            connection.putheader("Connection", "close")
            connection.endheaders(body or None)
            response = connection.getresponse()
            reply = response.status, response.getheaders(), response.read()
        finally:
            connection.close()
        with self.lock:
            self.forwarded += 1
        return reply


# --- duplicates on the real site -----------------------------------------------------------------------------------

ALL_STATUSES = "publish,future,draft,pending,private,trash"


@dataclass
class Census:
    """What the site holds, grouped to show duplicates: posts by slug (WordPress's `-2`, `-3`... folded into the
    slug they were made unique from) and by title, across every status including trash; attachments by the SHA-256
    of their file and by title."""

    posts_by_slug: Counter[str] = field(default_factory=Counter)
    posts_by_title: Counter[str] = field(default_factory=Counter)
    attachments_by_hash: Counter[str] = field(default_factory=Counter)
    attachments_by_title: Counter[str] = field(default_factory=Counter)

    def duplicates(self) -> dict[str, dict[str, int]]:
        """Only the groups holding more than one item, per counter (empty counters left out)."""
        found = {}
        for name in ("posts_by_slug", "posts_by_title", "attachments_by_hash", "attachments_by_title"):
            over = {key: count for key, count in getattr(self, name).items() if count > 1}
            if over:
                found[name] = over
        return found


def _all(site: WordPressSite, route: str, **params: object) -> list[dict]:
    items, page = [], 1
    while True:
        response = site.get(route, per_page=100, page=page, context="edit", **params)
        items += response.json()
        if page >= int(response.headers.get("X-WP-TotalPages", "1") or 1):
            return items
        page += 1


def fold_slugs(slugs: list[str]) -> Counter[str]:
    """Count slugs, folding `x-2`, `x-3`... into `x` when `x` is among them."""
    present = set(slugs)
    counts: Counter[str] = Counter()
    for slug in slugs:
        base = re.sub(r"-\d+$", "", slug)
        counts[base if base != slug and base in present else slug] += 1
    return counts


def census(site: WordPressSite) -> Census:
    """Count the site's posts and attachments through its REST API (files hashed from the site's uploads)."""
    posts = _all(site, "posts", status=ALL_STATUSES)
    media = _all(site, "media")
    uploads = Path(site.content_dir) / "uploads"
    hashes = []
    for item in media:
        file = (item.get("media_details") or {}).get("file")
        path = uploads / file if file else None
        hashes.append(hashlib.sha256(path.read_bytes()).hexdigest() if path and path.is_file() else
                      f"missing:{item['id']}")
    return Census(
        posts_by_slug=fold_slugs([post["slug"] or f"(no slug) {post['id']}" for post in posts]),
        posts_by_title=Counter(post["title"]["raw"] for post in posts),
        attachments_by_hash=Counter(hashes),
        attachments_by_title=Counter(item["title"]["raw"] for item in media),
    )

