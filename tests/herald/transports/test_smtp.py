"""herald.transports.smtp: the rendered message to a real aiosmtpd server with STARTTLS and AUTH."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import SecretStr

from channels.base import RenderContext
from channels.email import Email, EmailDraft
from config.settings import EmailSettings
from content.loader import load_update
from herald.ledger import Ledger
from herald.transports import PreflightError, TransientError, TransportError
from herald.transports.smtp import SmtpTransport, is_loopback, mid_url

pytestmark = pytest.mark.live

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SLUG = "dont-blink-september-2026"
DIFF_URL = "https://diff.example.org/2026/10/08/dont-blink-september-2026/"
LIST = "news@lists.example.org"
SENDER = "advocacy@example.org"
USER = "herald"
PASSWORD = "smtp-TOP-SECRET-pw-7c1d"


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


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
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


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    delay: float = 0.0
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as 4F2A1C"


def authenticator(server, session, envelope, mechanism: str, auth_data: object) -> AuthResult:
    """Accept exactly one user and password."""
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


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


def start(pki: Pki, *, implicit_tls: bool = False, delay: float = 0.0) -> Server:
    mailbox = Mailbox(delay=delay)
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; with implicit TLS the whole session is encrypted.
    tls = {"ssl_context": pki.server_context(), "auth_require_tls": False} if implicit_tls else {
        "tls_context": pki.server_context(), "require_starttls": True, "auth_require_tls": True}
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost",
        authenticator=authenticator, **tls,
    )
    controller.start()
    return Server(controller.port, mailbox, controller)


@pytest.fixture
def smtpd(pki: Pki):
    """aiosmtpd on 127.0.0.1: STARTTLS required, AUTH LOGIN/PLAIN only after TLS."""
    server = start(pki)
    yield server
    server.controller.stop()


@pytest.fixture
def draft() -> EmailDraft:
    update = load_update(FIXTURES / "updates" / "full.md", FIXTURES)
    context = RenderContext(diff_url=DIFF_URL, diff_url_known=True, email_from=f"Advocacy <{SENDER}>",
                            email_to=LIST, message_id_domain="example.org")
    return Email().render(update, context)


@pytest.fixture
def ledger(tmp_path: Path):
    ledger = Ledger.at(tmp_path / "herald.db")
    ledger.record_update(SLUG, "full.md", "Don't Blink", date(2026, 10, 1))
    yield ledger
    ledger.close()


def settings(port: int, **overrides) -> EmailSettings:
    values = {"from_addr": f"Advocacy <{SENDER}>", "list_addr": LIST, "smtp_host": "127.0.0.1", "smtp_port": port,
              "security": "starttls", "username": USER, "password": SecretStr(PASSWORD), "timeout_seconds": 5}
    return EmailSettings(**{**values, **overrides})


def transport(port: int, ledger: Ledger, pki: Pki | None, **overrides) -> SmtpTransport:
    return SmtpTransport(settings(port, **overrides), ledger, SLUG,
                         ssl_context=pki.client_context() if pki else None)


def test_the_message_arrives_byte_for_byte_over_starttls(
    smtpd: Server, pki: Pki, ledger: Ledger, draft: EmailDraft
) -> None:
    receipt = transport(smtpd.port, ledger, pki).send(draft)

    (envelope,) = smtpd.mailbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == [LIST]
    assert envelope.content == draft.as_bytes()  # aiosmtpd adds no Received header to envelope.content
    received = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
    assert received["Message-ID"] == draft.message_id and received["To"] == LIST
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    assert DIFF_URL in received.get_body(("plain",)).get_content()

    assert receipt.status == "published" and receipt.channel == "email"
    assert receipt.remote_id == draft.message_id == "<herald.20261001.dont-blink-september-2026@example.org>"
    assert receipt.url == mid_url(draft.message_id) == "mid:herald.20261001.dont-blink-september-2026@example.org"
    assert receipt.detail.startswith(f"accepted by 127.0.0.1:{smtpd.port}: 250")
    (part,) = ledger.parts(SLUG, "email")
    assert (part.kind, part.status, part.remote_id) == ("message", "done", draft.message_id)


def test_a_rerun_does_not_send_again(smtpd: Server, pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    first = transport(smtpd.port, ledger, pki).send(draft)
    again = transport(smtpd.port, ledger, pki).send(draft)
    assert len(smtpd.mailbox.envelopes) == 1
    assert (again.status, again.remote_id, again.url) == ("published", first.remote_id, first.url)


def test_implicit_tls(pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    server = start(pki, implicit_tls=True)
    try:
        smtps = transport(server.port, ledger, pki, security="tls")
        smtps.preflight(draft)
        smtps.send(draft)
    finally:
        server.controller.stop()
    (envelope,) = server.mailbox.envelopes
    assert envelope.content == draft.as_bytes()


def test_preflight_logs_in_and_sends_nothing(smtpd: Server, pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    transport(smtpd.port, ledger, pki).preflight(draft)
    assert smtpd.mailbox.envelopes == [] and ledger.parts(SLUG, "email") == []


def test_a_bad_password_fails_preflight(smtpd: Server, pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    with pytest.raises(PreflightError) as caught:
        transport(smtpd.port, ledger, pki, password=SecretStr("wrong-TOP-SECRET")).preflight(draft)
    assert str(caught.value) == "email: the SMTP server refused the login for user 'herald'"
    assert "TOP-SECRET" not in str(caught.value) and smtpd.mailbox.envelopes == []


def test_an_untrusted_certificate_is_refused_by_default(
    smtpd: Server, ledger: Ledger, draft: EmailDraft
) -> None:
    with pytest.raises(PreflightError, match="certificate of 127.0.0.1:.* could not be verified"):
        transport(smtpd.port, ledger, None).preflight(draft)
    with pytest.raises(TransportError, match="could not be verified") as caught:
        transport(smtpd.port, ledger, None).send(draft)
    assert not caught.value.transient and smtpd.mailbox.envelopes == []


def test_plain_smtp_is_refused_for_a_remote_host(ledger: Ledger, draft: EmailDraft) -> None:
    remote = transport(25, ledger, None, smtp_host="mail.example.org", security="none")
    with pytest.raises(PreflightError, match="'none' is allowed only for a loopback host"):
        remote.preflight(draft)
    with pytest.raises(TransportError, match="'none' is allowed only for a loopback host"):
        remote.send(draft)
    assert is_loopback("localhost") and is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("mail.example.org") and not is_loopback("10.0.0.1")


def test_connection_refused_is_transient(ledger: Ledger, draft: EmailDraft) -> None:
    with pytest.raises(TransientError, match="could not connect"):
        transport(free_port(), ledger, None).send(draft)
    assert [p.status for p in ledger.parts(SLUG, "email")] == []


def test_no_answer_after_the_data_is_not_retried(pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    server = start(pki, delay=3)
    try:
        slow = transport(server.port, ledger, pki, timeout_seconds=1)
        with pytest.raises(TransportError, match="outcome unknown") as caught:
            slow.send(draft)
        assert not caught.value.transient
        assert [p.status for p in ledger.parts(SLUG, "email")] == ["ambiguous"]
        with pytest.raises(TransportError, match="may have delivered"):
            slow.send(draft)
    finally:
        server.controller.stop()


def test_no_secret_appears_in_errors_receipts_ledger_or_logs(
    smtpd: Server, pki: Pki, ledger: Ledger, draft: EmailDraft, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-TOP-SECRET-pw-0000"
    texts: list[str] = []
    for call in (transport(smtpd.port, ledger, pki, password=SecretStr(wrong)).preflight,
                 transport(smtpd.port, ledger, pki, password=SecretStr(wrong)).send,
                 transport(smtpd.port, ledger, None).send):
        with pytest.raises(TransportError) as caught:
            call(draft)
        texts += [str(caught.value), repr(caught.value), repr(caught.value.__cause__), repr(caught.value.__context__)]
    sender = transport(smtpd.port, ledger, pki)
    receipt = sender.send(draft)
    texts += [repr(receipt), repr(ledger.parts(SLUG, "email")), repr(sender.settings), caplog.text]
    joined = "\n".join(texts)
    assert "refused the login for user 'herald'" in joined and "could not be verified" in joined
    assert PASSWORD not in joined and wrong not in joined
