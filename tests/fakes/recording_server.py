"""A small threaded HTTP server on 127.0.0.1 that records every request and can be told to fail once.

With a `FaultPlan` (`faults.py`) it also fails writes, seeded or scripted, before or after applying them (any of
`faults.HTTP_VARIANTS`); reads (GET) are never faulted. A `timeout` fault holds the connection `plan.hold` seconds
without answering (the request is already applied for `after:timeout`), then closes it; `stop()` ends held
connections at once.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from faults import HTTP_VARIANTS, Fault, FaultPlan

Reply = tuple[int, dict[str, str], Any]


@dataclass(frozen=True)
class Lost:
    """Instead of a reply: close the connection without answering (`reset`: with a TCP RST, else a FIN), after
    holding it open `hold` seconds (a `timeout` fault)."""

    reset: bool = False
    hold: float = 0.0


DROP, RESET = Lost(), Lost(reset=True)


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when empty."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Injected:
    """A fault the fake injected: the request, the fault, and for `after` faults the reply the client never got."""

    request: Recorded
    fault: Fault
    reply: Reply | None


@dataclass
class _Scripted:
    method: str
    path: str
    skip: int
    reply: Reply
    used: bool = field(default=False)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, a keep-alive client's
    # delayed ACK holds the body back about 40 ms on Linux, a delay no real web server adds
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        recorded = Recorded(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        fake = self.server.fake
        if fake.latency:  # outside the fake's lock: concurrent requests each wait their own round trip
            time.sleep(fake.latency)
        outcome = fake.receive(recorded)
        if isinstance(outcome, Lost):
            if outcome.hold:
                fake.stopping.wait(outcome.hold)
            self._lose(outcome)
            return
        status, headers, body = outcome
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _lose(self, how: Lost) -> None:
        """End the connection with no response at all; the server keeps serving other connections."""
        self.close_connection = True
        try:
            if how.reset:  # linger 0: close() sends RST; the real close happens when finish() drops the files
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet."""


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print a traceback when a client hangs up early."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before reading its reply is the client's business, as on a real server: no
        traceback on stderr (it would land in the output of the CLI run under test)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Server(QuietServer):
    fake: RecordingServer


class RecordingServer:
    """Subclasses answer in `respond`; every request is kept in `requests`, in arrival order."""

    retry_after_header = True  # whether injected 429 / 503 answers carry the plan's `Retry-After`

    def __init__(self, faults: FaultPlan | None = None, *, latency: float = 0.0) -> None:
        self.faults = faults
        self.stopping = threading.Event()  # set by stop(): held (timeout) connections close at once
        self.latency = latency  # seconds slept before answering each request (a network round trip)
        self.injected: list[Injected] = []
        self.requests: list[Recorded] = []
        self._scripts: list[_Scripted] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def faults(self) -> FaultPlan | None:
        """The fault plan (may be replaced at any time); one with variants HTTP cannot inject is refused."""
        return self._faults

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        if plan is not None:
            plan.check(HTTP_VARIANTS, "an HTTP fake")
        self._faults = plan

    def start(self) -> RecordingServer:
        """Listen on a free loopback port in a background thread."""
        self.stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name=type(self).__name__,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, and end connections held by `timeout` faults."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> RecordingServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_once(
        self, method: str, path: str, status: int, body: Any = None, headers: dict[str, str] | None = None,
        nth: int = 1,
    ) -> None:
        """Answer the `nth` next `method path` request (counted from now) with this reply, once."""
        reply: Reply = (status, headers or {}, body if body is not None else {"status": status})
        with self._lock:
            self._scripts.append(_Scripted(method, path, nth - 1, reply))

    def calls(self, method: str, path: str) -> list[Recorded]:
        """The recorded requests to one route."""
        return [r for r in self.requests if r.method == method and r.path == path]

    def receive(self, request: Recorded) -> Reply | Lost:
        with self._lock:
            self.requests.append(request)
            for script in self._scripts:
                if not script.used and script.method == request.method and script.path == request.path:
                    if script.skip:
                        script.skip -= 1
                        continue
                    script.used = True
                    return script.reply
            fault = self.faults.decide(request.method, self.route(request)) if self.faults is not None else None
            if fault is None:
                return self.respond(request)
            reply = self.respond(request) if fault.applied else None
            self.injected.append(Injected(request, fault, reply))
            return self.fault_outcome(fault, self.faults)

    def fault_outcome(self, fault: Fault, plan: FaultPlan) -> Reply | Lost:
        """What the client gets for an injected fault: a lost connection, or the fault's status in the service's
        error format (`Retry-After` on 429 and 503 when the plan sets `retry_after`)."""
        if fault.variant == "drop":
            return DROP
        if fault.variant == "reset":
            return RESET
        if fault.variant == "timeout":
            return Lost(hold=plan.hold)
        status = fault.status
        assert status is not None, fault
        code, headers, body = self.fault_reply(status)
        if status in (429, 503) and plan.retry_after is not None and self.retry_after_header:
            headers = {"Retry-After": str(plan.retry_after), **headers}
        return code, headers, body

    def route(self, request: Recorded) -> str:
        """The path a `FaultPlan`'s `paths` patterns are matched against."""
        return request.path

    def fault_reply(self, status: int) -> Reply:
        """The error answer of an injected status (4xx and 503 before applying, 5xx after): the service's format."""
        return status, {}, {"status": status, "error": HTTPStatus(status).phrase}

    def respond(self, request: Recorded) -> Reply:
        """The normal answer; runs under the fake's lock."""
        return 404, {}, {"error": "not found"}
