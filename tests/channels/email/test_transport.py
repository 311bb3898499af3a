"""channels.email.transport: the rendered message to a real aiosmtpd server with STARTTLS and AUTH."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import smtp_server
from pydantic import SecretStr
from smtp_server import free_port

from channels.email.render import Email, EmailDraft
from channels.email.settings import EmailSettings
from channels.email.transport import SmtpTransport, is_loopback, mid_url
from channels.registry import load_update
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import NeedsAttention, PreflightError, TransientError, TransportError

pytestmark = pytest.mark.live

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SLUG = "dont-blink-september-2026"
DIFF_URL = "https://diff.example.org/2026/10/08/dont-blink-september-2026/"
LIST = "news@lists.example.org"
SENDER = "advocacy@example.org"
USER = "herald"
PASSWORD = "smtp-TOP-SECRET-pw-7c1d"


Pki, Server, start_server = smtp_server.Pki, smtp_server.Server, smtp_server.start


@pytest.fixture
def pki(smtp_pki: Pki) -> Pki:
    return smtp_pki


def start(pki: Pki, **options) -> Server:
    return start_server(pki, USER, PASSWORD, **options)


@pytest.fixture
def smtpd(pki: Pki):
    """aiosmtpd on 127.0.0.1: STARTTLS required, AUTH LOGIN/PLAIN only after TLS."""
    server = start(pki)
    yield server
    server.controller.stop()


@pytest.fixture
def draft() -> EmailDraft:
    update = load_update(FIXTURES / "updates" / "full.md", FIXTURES)
    context = RenderContext(diff_url=DIFF_URL, diff_url_known=True)
    settings = EmailSettings(from_addr=f"Advocacy <{SENDER}>", list_addr=LIST, message_id_domain="example.org")
    return Email(settings).render(update, context)


def undated(data: bytes) -> bytes:
    """The message without the Date header the transport adds when it sends."""
    return re.sub(rb"^Date: [^\r\n]*\r\n", b"", data, count=1, flags=re.M)


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
    before = datetime.now(UTC).replace(microsecond=0)
    receipt = transport(smtpd.port, ledger, pki).send(draft)
    after = datetime.now(UTC)

    (envelope,) = smtpd.mailbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == [LIST]
    assert undated(envelope.content) == draft.as_bytes()  # aiosmtpd adds no Received header to envelope.content
    received = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
    assert before <= parsedate_to_datetime(received["Date"]) <= after  # dated when sent, not on the update's date
    assert draft.message["Date"] is None
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
    assert undated(envelope.content) == draft.as_bytes()


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


def test_connection_refused_is_transient_and_a_preflight_failure(ledger: Ledger, draft: EmailDraft) -> None:
    port = free_port()
    with pytest.raises(TransientError, match=rf"^email: cannot reach 127.0.0.1:{port} \(connection refused\)$"):
        transport(port, ledger, None).send(draft)
    assert [p.status for p in ledger.parts(SLUG, "email")] == []
    with pytest.raises(PreflightError, match=rf"^email: cannot reach 127.0.0.1:{port} \(connection refused\)$"):
        transport(port, ledger, None).preflight(draft)


def test_no_answer_after_the_data_is_not_retried(pki: Pki, ledger: Ledger, draft: EmailDraft) -> None:
    server = start(pki, delay=3)
    try:
        slow = transport(server.port, ledger, pki, timeout_seconds=1)
        with pytest.raises(TransportError, match="outcome unknown") as caught:
            slow.send(draft)
        assert not caught.value.transient
        assert [p.status for p in ledger.parts(SLUG, "email")] == ["ambiguous"]
        with pytest.raises(NeedsAttention, match="may have delivered.*herald resolve"):
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


def arabic_draft(encoding: str) -> EmailDraft:
    update = load_update(FIXTURES / "updates" / "arabic_update.md", FIXTURES)
    context = RenderContext(diff_url=DIFF_URL, diff_url_known=True)
    settings = EmailSettings(from_addr=f"Advocacy <{SENDER}>", list_addr=LIST, message_id_domain="example.org",
                             transfer_encoding=encoding)
    return Email(settings).render(update, context)


async def without_8bitmime(server, session, envelope, hostname: str, responses: list[str]) -> list[str]:  # noqa: ANN001
    """An EHLO reply like a relay that takes only 7-bit bodies."""
    session.host_name = hostname
    return [line for line in responses if "8BITMIME" not in line]


def test_an_8bit_message_goes_with_body_8bitmime_byte_for_byte(smtpd: Server, pki: Pki, ledger: Ledger) -> None:
    draft = arabic_draft("8bit")
    sender = transport(smtpd.port, ledger, pki)
    sender.preflight(draft)
    sender.send(draft)
    (envelope,) = smtpd.mailbox.envelopes
    assert "BODY=8BITMIME" in envelope.mail_options
    assert undated(envelope.original_content) == draft.as_bytes() and not draft.as_bytes().isascii()


def test_a_relay_without_8bitmime_fails_preflight_for_8bit_in_one_line(smtpd: Server, pki: Pki, ledger: Ledger) -> None:
    smtpd.mailbox.handle_EHLO = without_8bitmime  # every new session reads the handler's hooks
    with pytest.raises(PreflightError) as caught:
        transport(smtpd.port, ledger, pki).preflight(arabic_draft("8bit"))
    assert str(caught.value) == (f'email: 127.0.0.1:{smtpd.port} does not offer 8BITMIME, which [email] '
                                 'transfer_encoding = "8bit" needs; set it to "auto" (base64 or quoted-printable, '
                                 'any server)')
    with pytest.raises(TransportError, match="does not offer 8BITMIME") as refused:
        transport(smtpd.port, ledger, pki).send(arabic_draft("8bit"))
    assert not refused.value.transient and smtpd.mailbox.envelopes == []
    seven = arabic_draft("auto")  # 7-bit: any relay
    sender = transport(smtpd.port, ledger, pki)
    sender.preflight(seven)
    sender.send(seven)
    (envelope,) = smtpd.mailbox.envelopes
    assert "BODY=8BITMIME" not in envelope.mail_options and undated(envelope.content) == seven.as_bytes()
