"""`tcp://host:9100`: raw (AppSocket/JetDirect); bytes then wait for the printer to close.

Like CUPS' socket backend (`waiteof`), after sending we half-close and wait for the printer
to close its side: that is the only sign the job was taken. A printer that accepted the
connection but never confirms leaves the job `unknown`, never silently re-sent.
`?timeout=SECONDS` (default 15), `?waiteof=0` to skip the wait.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from wms_desk.printing.transports import OutcomeUnknown, PrinterUnreachable, query

DEFAULT_PORT = 9100


@dataclass(frozen=True)
class TcpTransport:
    host: str
    port: int = DEFAULT_PORT
    timeout: float = 15.0
    connect_timeout: float = 5.0
    wait_eof: bool = True

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        where = f"{self.host}:{self.port}"
        try:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
        except OSError as exc:
            raise PrinterUnreachable(f"Cannot connect to the printer at {where}: {exc}") from exc
        with sock:
            deadline = time.monotonic() + self.timeout
            try:
                sock.settimeout(self.timeout)
                sock.sendall(payload)
                sock.shutdown(socket.SHUT_WR)
                while self.wait_eof:
                    sock.settimeout(max(deadline - time.monotonic(), 0.001))
                    if not sock.recv(4096):  # back-channel data is ignored; EOF = done
                        break
            except OSError as exc:
                raise OutcomeUnknown(
                    f"The printer at {where} took the connection but did not confirm the job "
                    f"({exc or 'timed out'}); it may or may not have printed."
                ) from exc


def transport(url: str) -> TcpTransport:
    parts = urlsplit(url)
    if not parts.hostname:
        raise PrinterUnreachable(f"No host in printer address {url!r}")
    options = query(url)
    return TcpTransport(
        parts.hostname,
        parts.port or DEFAULT_PORT,
        timeout=float(options.get("timeout", 15)),
        wait_eof=options.get("waiteof", "1") not in ("0", "false", "no"),
    )
