"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepted, for e-mail tests.

`pause_at` ("rcpt" or "data") holds the server at that step until `release` is set, so a test
can kill the sending worker at a known point; `reached` says the server got there. `data` is
held after the whole message (with its final dot) arrived and was kept, before the 250 answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import settings as email_settings


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpRecorder:
    received: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user", for every recipient
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> the server's reply
    data_reply: str | None = None  # e.g. "451 4.3.0 try again later"
    pause_at: str | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    async def _pause(self, step: str) -> None:
        if self.pause_at == step:
            self.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        await self._pause("rcpt")
        if self.rcpt_reply or address in self.refuse:
            return self.rcpt_reply or self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        raw = bytes(envelope.content)
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        await self._pause("data")
        return "250 2.0.0 Ok: queued as TEST"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]


def _authenticator(recorder: SmtpRecorder, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, given = data.login.decode(), data.password.decode()
        recorder.logins.append((login, given))
        return AuthResult(success=given == password, handled=False)

    return check


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def smtp_server(password: str | None = None) -> Iterator[SmtpRecorder]:
    """A server on a free port; with `password`, AUTH (LOGIN/PLAIN) is offered without TLS."""
    recorder = SmtpRecorder(port=free_port())
    extra: dict[str, Any] = {}
    if password is not None:
        extra = {"auth_require_tls": False, "authenticator": _authenticator(recorder, password)}
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port, **extra)
    controller.start()
    try:
        yield recorder
    finally:
        recorder.release.set()
        controller.stop()


def use_server(ctx: ServiceContext, server: SmtpRecorder, **more: Any) -> None:
    """Point the site's SMTP settings at the test server (plain SMTP on 127.0.0.1)."""
    email_settings.save_settings(
        ctx,
        host="127.0.0.1",
        port=server.port,
        security="none",
        from_address="shop@example.com",
        shop_name="Nordic Shop",
        timeout=5,
        **more,
    )
