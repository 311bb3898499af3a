"""The SMTP Mailbox's fault shapes through smtplib: temporary and permanent refusals, lost replies, timeouts."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import smtp_server
from faults import FaultPlan

pytestmark = pytest.mark.live

USER, PASSWORD = "herald", "smtp-faults-pw"


def message(mid: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "advocacy@example.org", "news@lists.example.org", "Hello"
    mail["Message-ID"] = mid
    mail.set_content("Hello list.\n")
    return mail


def send(server: smtp_server.Server, pki: smtp_server.Pki, mid: str, timeout: float = 5) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=timeout) as smtp:
        smtp.starttls(context=pki.client_context())
        smtp.login(USER, PASSWORD)
        smtp.send_message(message(mid))


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan.scripted(hold=0.1)


@pytest.fixture
def server(smtp_pki: smtp_server.Pki, plan: FaultPlan) -> Iterator[smtp_server.Server]:
    started = smtp_server.start(smtp_pki, USER, PASSWORD, faults=plan)
    yield started
    started.controller.stop()


@pytest.mark.parametrize(("variant", "reply"), [("451", b"4.3.0"), ("refuse", b"4.3.0"), ("550", b"5.7.1"),
                                                ("554", b"5.6.0"), ("421", b"4.3.2")])
def test_refusals_before_storing(variant: str, reply: bytes, plan: FaultPlan, server, smtp_pki) -> None:
    plan.on("DATA", None, f"before:{variant}")
    mid = make_msgid(domain="example.org")
    with pytest.raises(smtplib.SMTPDataError) as raised:
        send(server, smtp_pki, mid)
    assert raised.value.smtp_code == (451 if variant == "refuse" else int(variant)) and reply in raised.value.smtp_error
    assert server.mailbox.envelopes == [] and server.mailbox.message_ids() == {}


def test_421_closes_the_connection(plan: FaultPlan, server, smtp_pki) -> None:
    plan.on("DATA", None, "before:421")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.starttls(context=smtp_pki.client_context())
        smtp.login(USER, PASSWORD)
        smtp.mail("advocacy@example.org")
        smtp.rcpt("news@lists.example.org")
        code, _ = smtp.docmd("DATA")
        assert code == 354
        smtp.send(message("<a@example.org>").as_bytes().replace(b"\n", b"\r\n") + b".\r\n")
        assert smtp.getreply()[0] == 421
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()  # the server hung up after its 421


def test_after_451_stores_the_message_and_a_retry_duplicates_it(plan: FaultPlan, server, smtp_pki) -> None:
    mid = make_msgid(domain="example.org")
    plan.on("DATA", mid, "after:451")  # the path a DATA rule matches is the Message-ID
    with pytest.raises(smtplib.SMTPDataError) as raised:
        send(server, smtp_pki, mid)
    assert raised.value.smtp_code == 451 and server.mailbox.message_ids() == {mid: 1}
    plan.enabled = False
    send(server, smtp_pki, mid)
    assert server.mailbox.duplicates() == {mid: 2}
    assert plan.history[0].path == mid and plan.history[0].scripted


@pytest.mark.parametrize("mode", ["before", "after"])
def test_timeout_after_data(mode: str, plan: FaultPlan, server, smtp_pki) -> None:
    plan.hold = 30
    plan.on("DATA", None, f"{mode}:timeout")
    mid = make_msgid(domain="example.org")
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        send(server, smtp_pki, mid, timeout=0.5)
    assert server.mailbox.message_ids() == ({mid: 1} if mode == "after" else {})


def test_timeout_then_close_without_a_reply(plan: FaultPlan, server, smtp_pki) -> None:
    plan.on("DATA", None, "after:timeout")
    mid = make_msgid(domain="example.org")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(server, smtp_pki, mid)  # hold 0.1 s, shorter than the client's timeout: the connection just ends
    assert server.mailbox.message_ids() == {mid: 1}


@pytest.mark.parametrize("variant", ["drop", "reset"])
def test_after_lost_reply_stores_the_message(variant: str, plan: FaultPlan, server, smtp_pki) -> None:
    plan.on("DATA", None, f"after:{variant}", nth=2)
    first, second = make_msgid(domain="example.org"), make_msgid(domain="example.org")
    send(server, smtp_pki, first)
    with pytest.raises(OSError):  # SMTPServerDisconnected, or ConnectionResetError for an RST
        send(server, smtp_pki, second)
    assert server.mailbox.message_ids() == {first: 1, second: 1} and plan.rules[0].fired == 1


def test_connection_refused_when_nothing_listens(smtp_pki) -> None:
    with smtp_server.nothing_listening() as port, pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", port, timeout=5)


def test_smtp_refuses_http_only_variants() -> None:
    for key in ("after:503", "before:429", "after:500"):
        with pytest.raises(ValueError, match=key):
            smtp_server.Mailbox(faults=FaultPlan.scripted().on("DATA", None, key))
