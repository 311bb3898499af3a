"""Email: the rendered message, byte for byte, to the list through the SMTP relay."""

from __future__ import annotations

import hashlib
import ipaddress
import smtplib
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from email.utils import getaddresses, parseaddr
from urllib.parse import quote

from channels.email.render import EmailDraft
from channels.email.settings import EmailSettings
from herald.core.draft import Receipt
from herald.core.ledger import Ledger
from herald.core.outcomes import why_unreachable
from herald.core.parts import earlier_single_write, resolve_hint, tracked_write
from herald.core.transport import Ambiguous, PreflightError, TransientError, Transport, TransportError

CHANNEL = "email"
PART_KIND = "message"
PART_POSITION = 1
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# The session pre-flight opened is used by send as it is for this long, and after a NOOP until KEEP_SECONDS;
# servers wait at least 5 minutes (RFC 5321 4.5.3.2.7), Postfix under stress 10 s.
TRUST_SECONDS = 5.0
KEEP_SECONDS = 240.0


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (plain SMTP is allowed only there)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mid_url(message_id: str) -> str:
    """The RFC 2392 `mid:` URL of a Message-ID."""
    return "mid:" + quote(message_id.strip().strip("<>"), safe="@!$&'()*+,;=:")


def envelope(draft: EmailDraft) -> tuple[str, list[str]]:
    """The envelope sender (From) and recipients (To and Cc) of the draft."""
    sender = parseaddr(str(draft.message.get("From", "")))[1]
    headers = [str(value) for name in ("To", "Cc") for value in draft.message.get_all(name, [])]
    recipients = [address for _, address in getaddresses(headers) if address]
    if not sender or not recipients:
        raise TransportError("email: the message needs a From and a To address")
    return sender, recipients


def is_8bit(draft: EmailDraft) -> bool:
    """Whether a part of the message goes as 8bit (the relay must offer 8BITMIME)."""
    return any(part.get("Content-Transfer-Encoding") == "8bit" for part in draft.message.walk())


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
    return f"{error.smtp_code} {' '.join(text.split())}"


class SmtpTransport(Transport):
    """STARTTLS or implicit TLS with verified certificates, login from config, one message per update."""

    kind = "live"

    def __init__(
        self, settings: EmailSettings, ledger: Ledger, slug: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self.ssl_context = ssl_context
        self.where = f"{settings.smtp_host}:{settings.smtp_port}"
        self._kept: tuple[ExitStack, smtplib.SMTP, float] | None = None  # pre-flight's logged-in session
        self.part_kind = PART_KIND  # the ledger part of the message; a notice (correction, retraction) has its own

    def _context(self) -> ssl.SSLContext:
        if self.ssl_context is None:
            cafile = str(self.settings.ca_file) if self.settings.ca_file else None
            self.ssl_context = ssl.create_default_context(cafile=cafile)
        return self.ssl_context

    @contextmanager
    def _session(self, failure: type[TransportError]) -> Iterator[smtplib.SMTP]:
        """A connected, secured and logged-in SMTP session; every failure becomes a TransportError."""
        settings = self.settings
        if settings.security == "none" and not is_loopback(settings.smtp_host):
            raise failure(f"email: security = 'none' is allowed only for a loopback host, not {settings.smtp_host!r}")
        try:
            if settings.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds)
        except ssl.SSLError as error:
            raise self._tls_error(failure, error) from None
        except (smtplib.SMTPConnectError, OSError) as error:
            raise TransientError(f"email: cannot reach {self.where} ({why_unreachable(error)})") from None
        try:
            try:
                if settings.security == "starttls":
                    smtp.starttls(context=self._context())
                if settings.username:
                    if settings.password is None:
                        raise failure(f"email: user {settings.username!r} is configured without a password")
                    smtp.login(settings.username, settings.password.get_secret_value())
            except ssl.SSLError as error:
                raise self._tls_error(failure, error) from None
            except smtplib.SMTPNotSupportedError:
                raise failure(f"email: {self.where} offers no {settings.security.upper()} or AUTH") from None
            except smtplib.SMTPAuthenticationError:
                raise failure(f"email: the SMTP server refused the login for user {settings.username!r}") from None
            except smtplib.SMTPResponseException as error:
                raise failure(f"email: {self.where} refused the session: {_reply(error)}") from None
            except OSError as error:
                raise TransientError(f"email: the connection to {self.where} failed: {type(error).__name__}") from None
            yield smtp
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _tls_error(self, failure: type[TransportError], error: ssl.SSLError) -> TransportError:
        if isinstance(error, ssl.SSLCertVerificationError):
            return failure(f"email: the certificate of {self.where} could not be verified: {error.verify_message}")
        return failure(f"email: TLS with {self.where} failed: {error.reason or type(error).__name__}")

    def preflight(self, draft: EmailDraft) -> None:
        """Connect, secure and log in; the session is kept for `send` (saving a second login), `close()` ends it."""
        envelope(draft)
        self.close()
        with ExitStack() as stack:
            try:
                smtp = stack.enter_context(self._session(PreflightError))
            except TransientError as error:
                raise PreflightError(str(error)) from None
            if is_8bit(draft):
                self._require_8bitmime(smtp, PreflightError)
            self._kept = (stack.pop_all(), smtp, time.monotonic())

    def _require_8bitmime(self, smtp: smtplib.SMTP, failure: type[TransportError]) -> None:
        """Refuse, before any message data, a relay that does not take 8bit bodies."""
        try:
            smtp.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"email: the connection to {self.where} failed: {type(error).__name__}") from None
        if not smtp.has_extn("8bitmime"):
            raise failure(f'email: {self.where} does not offer 8BITMIME, which [email] transfer_encoding = "8bit" '
                          'needs; set it to "auto" (base64 or quoted-printable, any server)')

    def close(self) -> None:
        """Quit a session pre-flight kept and send did not use."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept[0].close()

    @contextmanager
    def _send_session(self) -> Iterator[smtplib.SMTP]:
        """Pre-flight's session while it is fresh (or still answers NOOP), else a new one."""
        kept, self._kept = self._kept, None
        if kept is not None:
            stack, smtp, opened = kept
            with stack:
                if self._usable(smtp, time.monotonic() - opened):
                    yield smtp
                    return
        with self._session(TransportError) as smtp:
            yield smtp

    @staticmethod
    def _usable(smtp: smtplib.SMTP, age: float) -> bool:
        if age < TRUST_SECONDS:
            return True  # a connection it cannot use fails at MAIL FROM: nothing sent, and a retry reconnects
        if age > KEEP_SECONDS:
            return False
        try:
            return smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def send(self, draft: EmailDraft) -> Receipt:
        """Send the draft, dated at this moment; a message the ledger already holds is not sent again."""
        earlier = earlier_single_write(
            self.ledger, self.slug, CHANNEL, self.part_kind, f"email: an earlier attempt may have delivered "
            f"{draft.message_id} (no answer came after the message data was sent); check the list archive for it",
        )
        if earlier is not None:
            return earlier
        sender, recipients = envelope(draft)
        data = draft.as_bytes(sent_at=datetime.now(UTC))
        with self._send_session() as smtp, tracked_write(
            self.ledger, self.slug, CHANNEL, self.part_kind, PART_POSITION, hashlib.sha256(data).hexdigest()
        ):
            self._envelope(smtp, sender, recipients, len(data), is_8bit(draft))
            try:
                code, reply = smtp.data(data)
            except smtplib.SMTPResponseException as error:  # DATA itself refused: no content went out
                raise self._refused(error.smtp_code, _reply(error), "DATA") from None
            except OSError as error:
                raise Ambiguous(
                    f"email: outcome unknown: {type(error).__name__} after the message data was sent to "
                    f"{self.where}; check the list archive for {draft.message_id}, {resolve_hint(self.slug, CHANNEL)}"
                ) from None
            text = f"{code} {' '.join(reply.decode(errors='replace').split())}"
            if 400 <= code < 500:  # a temporary failure after the data may follow a stored message: never resend
                raise Ambiguous(
                    f"email: outcome unknown: {self.where} answered {text} after the message data; check the list "
                    f"archive for {draft.message_id}, {resolve_hint(self.slug, CHANNEL)}"
                )
            if code != 250:
                raise self._refused(code, text, "the message")
        url = mid_url(draft.message_id)
        self.ledger.mark_part_done(self.slug, CHANNEL, self.part_kind, PART_POSITION, remote_id=draft.message_id,
                                   url=url)
        return Receipt(channel=CHANNEL, status="published", url=url, remote_id=draft.message_id,
                       detail=f"accepted by {self.where}: {text}")

    def _envelope(
        self, smtp: smtplib.SMTP, sender: str, recipients: list[str], size: int, eight_bit: bool = False
    ) -> None:
        """MAIL FROM and RCPT TO; nothing of the message has gone out yet, so failures are clean."""
        try:
            smtp.ehlo_or_helo_if_needed()
            options = [f"SIZE={size}"] if smtp.has_extn("size") else []
            if eight_bit:
                self._require_8bitmime(smtp, TransportError)
                options.append("BODY=8BITMIME")
            code, reply = smtp.mail(sender, options)
            if code != 250:
                raise self._refused(code, f"{code} {reply.decode(errors='replace')}", f"sender {sender}")
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    raise self._refused(code, f"{code} {reply.decode(errors='replace')}", f"recipient {recipient}")
        except smtplib.SMTPResponseException as error:
            raise self._refused(error.smtp_code, _reply(error), "the envelope") from None
        except TransportError:
            with suppress(smtplib.SMTPException, OSError):
                smtp.rset()
            raise
        except OSError as error:
            raise TransientError(f"email: the connection to {self.where} failed: {type(error).__name__}") from None

    def _refused(self, code: int, reply: str, what: str) -> TransportError:
        """An explicit refusal: 4xx may pass on a retry, 5xx will not; either way nothing was accepted."""
        message = f"email: {self.where} refused {what}: {' '.join(reply.split())}"
        return TransientError(message) if 400 <= code < 500 else TransportError(message)
