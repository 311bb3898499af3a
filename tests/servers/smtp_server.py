"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 with a throwaway CA, STARTTLS and AUTH.

Implements (RFC 5321 replies, as aiosmtpd speaks them): with a `FaultPlan` (tests/fakes/faults.py) the Mailbox
fails messages at the end of DATA, seeded or scripted (`plan.on("DATA", "<message-id>" or None, ...)`):
- `before` (nothing stored): `refuse` / `451` answer `451 4.3.0` (temporary: the client may retry), `421` answers
  `421 4.3.2` and closes the connection, `550` / `554` answer the permanent `550 5.7.1` / `554 5.6.0`, `drop` /
  `reset` end the connection (FIN / RST), `timeout` holds it `plan.hold` seconds without a reply, then closes it;
- `after` (the envelope is stored first): `drop` / `reset` / `timeout` as above, so the client never sees the
  250, or `451` answers a temporary refusal although the message was kept (a client that retries duplicates it).
`envelopes` holds what was stored, `injected` each fault with its envelope, `message_ids()` / `duplicates()` count
messages per Message-ID. `nothing_listening()` gives a loopback port where connections are refused.

Does not implement: faults at other stages (MAIL, RCPT, AUTH), BDAT/CHUNKING, or delivery to the list (Mailman).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.parser
import email.policy
import ipaddress
import logging
import socket
import ssl
import struct
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from faults import Fault, FaultPlan  # tests/fakes, on pytest's pythonpath


# aiosmtpd logs a deprecation warning per session from its own thread; it would land in the CLI output under test.
logging.getLogger("mail.log").setLevel(logging.ERROR)

@dataclass(frozen=True)
class Pki:
    """A throwaway CA and a server certificate for localhost and 127.0.0.1."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """The default (verifying) context, trusting only the test CA."""
        return ssl.create_default_context(cafile=str(self.ca))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(folder: Path) -> Pki:
    """Write a CA, and a server certificate it signed, into `folder`."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("herald test CA")).issuer_name(_name("herald test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = Pki(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths


REFUSAL = "451 4.3.0 try again later"
REPLIES = {"refuse": REFUSAL, "451": REFUSAL, "421": "421 4.3.2 Service not available, closing transmission channel",
           "550": "550 5.7.1 Message rejected", "554": "554 5.6.0 Transaction failed"}


class _Hangup(asyncio.CancelledError):
    """Raised out of handle_DATA after the connection was cut, so aiosmtpd writes no reply and just stops."""


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every envelope it accepts (`envelopes`), failing some if `faults` says so.

    `injected` lists `(fault, envelope)` for every injected fault; the envelope of an `after` fault is also in
    `envelopes` (it was accepted, only the 250 was lost or replaced).
    """

    delay: float = 0.0
    envelopes: list[Envelope] = field(default_factory=list)
    faults: FaultPlan | None = None
    injected: list[tuple[Fault, Envelope]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.faults is not None:
            from faults import SMTP_VARIANTS  # tests/fakes, on pytest's pythonpath

            self.faults.check(SMTP_VARIANTS, "SMTP")

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = self.faults.roll("DATA", message_id(envelope)) if self.faults is not None else None
        if fault is not None:
            self.injected.append((fault, envelope))
            if fault.applied:
                self.envelopes.append(envelope)
            if fault.variant in REPLIES:
                if fault.variant == "421":  # RFC 5321 4.2.2: the server closes the channel after a 421
                    asyncio.get_running_loop().call_soon(hang_up, server, False)
                return REPLIES[fault.variant]
            if fault.variant == "timeout":
                await asyncio.sleep(self.faults.hold)
            hang_up(server, reset=fault.variant == "reset")
            raise _Hangup
        self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as 4F2A1C"

    def message_ids(self) -> Counter[str]:
        """How many stored messages carry each Message-ID (`""` for none): over 1 is a duplicate post."""
        return Counter(message_id(envelope) for envelope in self.envelopes)

    def duplicates(self) -> dict[str, int]:
        """The Message-IDs stored more than once, with their counts."""
        return {mid: count for mid, count in self.message_ids().items() if count > 1}


def message_id(envelope: Envelope) -> str:
    """The Message-ID header of an envelope's message (`""` when it has none)."""
    content = envelope.original_content or b""
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(content)
    return str(headers.get("Message-ID", "")).strip()


@contextmanager
def nothing_listening() -> Iterator[int]:
    """A loopback port held (bound, not listening) for the block, so connecting to it is refused (ECONNREFUSED)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def hang_up(server, reset: bool = False) -> None:  # noqa: ANN001 - aiosmtpd's SMTP protocol instance
    """End an aiosmtpd session's connection now, without a reply: a FIN (`close`), or an RST (`reset`)."""
    raw = server._original_transport or server.transport  # under STARTTLS, the TCP transport below the TLS one
    if reset:
        sock = raw.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.abort()
    else:
        if server.transport is not raw:
            server.transport.abort()  # drop the TLS layer without its close_notify: the peer sees EOF
        raw.close()


def authenticator_for(user: str, password: str):  # noqa: ANN201 - aiosmtpd's authenticator callable
    """Accept exactly one user and password."""

    def authenticate(server, session, envelope, mechanism: str, auth_data: object) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)

    return authenticate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running aiosmtpd server and what it received."""

    port: int
    mailbox: Mailbox
    controller: Controller


def start(
    pki: Pki, user: str, password: str, *, implicit_tls: bool = False, delay: float = 0.0,
    faults: FaultPlan | None = None,
) -> Server:
    """aiosmtpd on 127.0.0.1: STARTTLS required and AUTH only after it (or implicit TLS); `faults` a FaultPlan."""
    mailbox = Mailbox(delay=delay, faults=faults)
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; with implicit TLS the whole session is encrypted.
    tls = {"ssl_context": pki.server_context(), "auth_require_tls": False} if implicit_tls else {
        "tls_context": pki.server_context(), "require_starttls": True, "auth_require_tls": True}
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost",
        authenticator=authenticator_for(user, password), **tls,
    )
    controller.start()
    return Server(controller.port, mailbox, controller)
