"""Sending e-mail through the site's SMTP server: the outbox's EMAIL delivery and a test mail.

The SMTP steps are spelled out (MAIL, RCPT, DATA, body, final dot) rather than left to
`smtplib.sendmail`, because the outbox's hand-over must happen between the body and the dot:
until the dot the server delivers nothing, after it the message may be delivered (docs/outbox.md).
Reply codes: 4xx is temporary (retried with backoff), 5xx permanent (DEAD, shown to a supervisor);
a refused connection, a timeout or a dropped line before the dot is temporary.
"""

from __future__ import annotations

import functools
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

from wms_desk.carriers.secrets import ApiKeyMissing
from wms_desk.db.models.base import utcnow
from wms_desk.domain.emails import OutgoingEmail, is_address
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails.settings import Security, SmtpSettings, get_settings
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import (
    DeliveredUnconfirmed,
    OutboxKind,
    OutboxMessage,
    PermanentFailure,
    TemporaryFailure,
)


def message_id(outbox_id: str, from_address: str) -> str:
    """The same outbox message always gets the same Message-ID, on every attempt."""
    domain = from_address.rpartition("@")[2] or "wms-desk.invalid"
    return f"<{outbox_id}.outbox@{domain}>"


def smtp_address(address: str) -> tuple[str, bool]:
    """The address as SMTP takes it: an international domain in IDNA (xn--) form; and whether
    it still needs SMTPUTF8 (a local part such as zoë.müller cannot be written otherwise)."""
    local, _, domain = address.strip().rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not IDNA-able: left as it is, SMTPUTF8 carries it
    result = f"{local}@{domain}"
    return result, not result.isascii()


def build_message(
    email: OutgoingEmail,
    settings: SmtpSettings,
    msg_id: str,
    key: str,
    to: str | None = None,
    utf8: bool = False,
) -> bytes:
    msg = EmailMessage(policy=SMTP_POLICY.clone(utf8=utf8))
    msg["From"] = formataddr((settings.shop_name, settings.from_address))
    msg["To"] = to or email.to
    if settings.reply_to:
        msg["Reply-To"] = settings.reply_to
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = msg_id
    if key:
        msg["X-WMS-Outbox-Key"] = key
    msg.set_content(email.body)
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        msg.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return msg.as_bytes()


_EOLS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.M)


def _data_bytes(raw: bytes) -> bytes:
    """CRLF line ends and dot-stuffing (RFC 5321 4.5.2), ending in CRLF; no final dot."""
    data = _LEADING_DOT.sub(b"..", _EOLS.sub(b"\r\n", raw))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


@dataclass(frozen=True)
class ServerAnswer:
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


def _answer(code: int, reply: bytes | str) -> ServerAnswer:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return ServerAnswer(code, " ".join(text.split()))


def _refused(step: str, answer: ServerAnswer, settings: SmtpSettings) -> Exception:
    what = f"The SMTP server {settings.host} refused {step}: {answer}"
    if 400 <= answer.code < 500:
        return TemporaryFailure(f"{what}. It is tried again later.")
    return PermanentFailure(f"{what}.")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the system's CA certificates costs tens of milliseconds."""
    return ssl.create_default_context()


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security is Security.SSL:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_tls_context()
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if smtp.sock is not None:
        # The body and the final dot are two writes (the hand-over sits between them): without
        # this, Nagle's algorithm holds the dot for the server's delayed ACK, ~40 ms a message.
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.ehlo()
    if settings.security is Security.STARTTLS:
        smtp.starttls(context=_tls_context())
        smtp.ehlo()
    if settings.username:
        smtp.login(settings.username, settings.password())
    return smtp


def send(
    settings: SmtpSettings,
    recipient: str,
    data: bytes,
    before_dot: Callable[[], None] | None = None,
    utf8: bool = False,
) -> ServerAnswer:
    """Send one message; `before_dot` runs after the body, before the point of no return.

    Raises TemporaryFailure / PermanentFailure, or DeliveredUnconfirmed when the line dropped
    after the dot (the server may have the message: never send it again on our own).
    """
    if not settings.configured:
        raise TemporaryFailure(
            "E-mail is not set up: enter the SMTP host and from address in Settings > E-mail "
            "(or `wms-desk email settings`)."
        )
    where = f"{settings.host}:{settings.port}"
    in_data = dot_sent = False
    try:
        smtp = _connect(settings)
    except ApiKeyMissing as exc:
        raise TemporaryFailure(str(exc)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        # A settings problem, not this message's: it is retried once the password is fixed.
        raise TemporaryFailure(
            f"The SMTP server {where} refused the user name or password "
            f"({_answer(exc.smtp_code, exc.smtp_error)}). Fix the e-mail settings."
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise _refused("the connection", _answer(exc.smtp_code, exc.smtp_error), settings) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(
            f"Cannot reach the SMTP server {where}: {exc or type(exc).__name__}. "
            "It is tried again later."
        ) from exc
    try:
        options: list[str] = []
        if utf8:
            if not smtp.has_extn("smtputf8"):
                raise PermanentFailure(
                    f"The SMTP server {settings.host} does not take international addresses "
                    f"(SMTPUTF8), so nothing can be sent to {recipient}. Ask the customer for "
                    "another address, or use a server that supports SMTPUTF8."
                )
            smtp.command_encoding = "utf-8"
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        code, reply = smtp.mail(settings.from_address, options)
        if code != 250:
            raise _refused(f"the sender {settings.from_address}", _answer(code, reply), settings)
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise _refused(f"the recipient {recipient}", _answer(code, reply), settings)
        code, reply = smtp.docmd("DATA")
        if code != 354:
            raise _refused("the message (DATA)", _answer(code, reply), settings)
        in_data = True
        smtp.send(_data_bytes(data))
        if before_dot is not None:
            try:
                before_dot()
            except TemporaryFailure:
                raise
            except Exception as exc:  # e.g. the database went away: the dot must not go
                raise TemporaryFailure(
                    f"The hand-over could not be recorded ({exc}); the message was not "
                    "completed, so nothing was delivered. It is tried again later."
                ) from exc
        dot_sent = True
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise _refused("the message", _answer(code, reply), settings)
        answer, in_data = _answer(code, reply), False
    except (OSError, smtplib.SMTPException) as exc:
        if dot_sent:
            raise DeliveredUnconfirmed(
                "", f"the line to {where} dropped right after the message was sent ({exc})"
            ) from exc
        raise TemporaryFailure(
            f"The SMTP server {where} dropped the line before the message was complete "
            f"({exc or type(exc).__name__}); nothing was delivered, it is tried again later."
        ) from exc
    finally:
        if in_data:  # stopped inside DATA: a QUIT would only be more body; drop the line
            smtp.close()
        else:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return answer


class SmtpDelivery:
    """The outbox's EMAIL delivery: settings are read for each message (a fixed host counts)."""

    def __init__(self, ctx: ServiceContext, settings: SmtpSettings) -> None:
        self.ctx, self.settings = ctx, settings

    @classmethod
    def from_context(cls, ctx: ServiceContext) -> SmtpDelivery:
        return cls(ctx, get_settings(ctx))

    def deliver(self, message: OutboxMessage) -> str:
        email = OutgoingEmail.from_json(message.payload)
        if not is_address(email.to):
            raise PermanentFailure(f"{email.to!r} is not an e-mail address; nothing was sent.")
        msg_id = message_id(message.id, self.settings.from_address)
        to, utf8 = smtp_address(email.to)
        data = build_message(email, self.settings, msg_id, message.key, to, utf8)
        hand_over = lambda: outbox.hand_over(self.ctx, message, msg_id)  # noqa: E731
        try:
            send(self.settings, to, data, hand_over, utf8)
        except DeliveredUnconfirmed as exc:
            raise DeliveredUnconfirmed(msg_id, str(exc)) from exc
        return msg_id


def register() -> None:
    """Called by the composition roots (GUI, `wms-desk outbox send`)."""
    outbox.register_delivery(OutboxKind.EMAIL, SmtpDelivery.from_context)


def send_test_email(ctx: ServiceContext, to: str) -> str:
    """Send one test mail now (not through the outbox); say what the server answered."""
    from wms_desk.domain.emails import DEFAULT_TEMPLATES, EmailKind, render

    to = to.strip()
    if not is_address(to):
        raise ValidationFailed(
            f"{to!r} is not an e-mail address; enter one such as you@example.com."
        )
    settings = get_settings(ctx)
    rendered = render(
        EmailKind.TEST,
        DEFAULT_TEMPLATES[EmailKind.TEST],
        {"shop_name": settings.shop_name or "wms-desk"},
    )
    email = OutgoingEmail(to, rendered.subject, rendered.body, EmailKind.TEST)
    test_id = f"test-{socket.gethostname()}-{utcnow().strftime('%Y%m%d%H%M%S%f')}"
    address, utf8 = smtp_address(to)
    msg_id = message_id(test_id, settings.from_address)
    data = build_message(email, settings, msg_id, "", address, utf8)
    try:
        answer = send(settings, address, data, None, utf8)
    except (TemporaryFailure, PermanentFailure, DeliveredUnconfirmed) as exc:
        raise ValidationFailed(f"The test e-mail to {to} was not sent. {exc}") from exc
    return f"Test e-mail sent to {to} through {settings.host}; the server answered: {answer}."
