"""The one rule for every remote write: when does an error prove that nothing was applied?

An error proves nothing was applied only when the request never left this machine (connection refused, DNS
failure, TLS failure, a connect timeout) or the service answered a documented refusal (a 4xx, including 429).
Anything else after the request was sent (any 5xx, a read timeout, a reset, a dropped connection, a reply that
cannot be read) means *maybe applied*: never sent again blindly. A channel that can look the write up
(WordPress by slug, X by the account's timeline) does so on the next attempt; one that cannot (Medium, email)
stops in `needs_attention` for a person.

Reads (GET) change nothing, so any failure of a read is safe to retry. One write is exempt by its nature: an X
media upload that may have been stored is uploaded again, since an upload is never public until a tweet carries it
and X deletes unattached uploads within a day.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

import httpx
import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from herald.core.transport import Ambiguous, TransientError, TransportError

RULE = (
    "a write is retried only when it provably never reached the service (connection refused, DNS or TLS failure, "
    "connect timeout) or the service refused it (4xx, 429); any 5xx, timeout, reset or lost reply after sending "
    "may have been applied, so it is looked up (WordPress by slug, X on the account's timeline) or left for a person "
    "(a channel that cannot look a write up), never sent again blindly"
)


def where(url: str) -> str:
    """`host:port` of a URL, for messages."""
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    return f"{parts.hostname}:{port}" if parts.hostname else url


def never_left(error: BaseException) -> bool:
    """Whether a client error proves the request never reached the service."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.UnsupportedProtocol):
        return True
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.InvalidURL):
        return True
    if isinstance(error, requests.ConnectionError):
        reason = getattr(error.args[0] if error.args else None, "reason", None)
        return isinstance(reason, NewConnectionError | NameResolutionError)
    return isinstance(error, ConnectionRefusedError | socket.gaierror | ssl.SSLError)


def why_unreachable(error: BaseException) -> str:
    """A few words on why a service could not be reached, for one-line messages."""
    text = f"{error!r} {error}".lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "resolution" in text or isinstance(error, socket.gaierror):
        return "host name not resolved"
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "TLS failed"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    if "reset" in text:
        return "connection reset"
    return type(error).__name__


def network_failure(channel: str, action: str, url: str, error: BaseException, *, write: bool,
                    reconcilable: bool, follow_up: str = "") -> TransportError:
    """The outcome of a request that got no HTTP answer, by the rule above."""
    if not write or never_left(error):
        return TransientError(f"{channel}: cannot reach {where(url)} ({why_unreachable(error)})")
    return Ambiguous(f"{channel}: outcome unknown: {why_unreachable(error)} after {action} was sent"
                     + (f"; {follow_up}" if follow_up else ""), reconcilable)


def http_failure(channel: str, action: str, status: int, detail: str, *, write: bool, reconcilable: bool,
                 retry_after: float | None = None, follow_up: str = "") -> TransportError:
    """The outcome of an HTTP error answer (status >= 400), by the rule above."""
    text = f"{channel}: {action} answered {status}" + (f": {detail}" if detail else "")
    if status == 429 or (status >= 500 and not write):
        return TransientError(text, retry_after)
    if status >= 500:
        return Ambiguous(f"{channel}: outcome unknown: {action} answered {status}, which does not say whether it "
                         "was applied" + (f"; {follow_up}" if follow_up else ""), reconcilable)
    return TransportError(text)
