"""Loopback printers for transport tests: one that reads and closes, one that stalls."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class RawPrinter:
    """A port-9100 printer on 127.0.0.1: keeps each connection's bytes, closes after EOF."""

    def __init__(self, stall: bool = False) -> None:
        self.stall = stall
        self.jobs: list[bytes] = []
        self.connections = 0
        self.received = threading.Event()
        self.accepted = threading.Event()
        self._release = threading.Event()
        self._closing = False
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            if self._closing:
                conn.close()
                return
            self.connections += 1
            self.accepted.set()
            with conn:
                if self.stall:  # accept, never read, never close: until the test ends
                    self._release.wait(30)
                    continue
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                self.jobs.append(data)
                self.received.set()

    def close(self) -> None:
        self._closing = True
        self._release.set()
        # accept() in the server thread does not wake on close(); a last connection does.
        with socket.create_connection(("127.0.0.1", self.port), timeout=2):
            pass
        self._thread.join(5)
        self._server.close()


@contextmanager
def raw_printer(stall: bool = False) -> Iterator[RawPrinter]:
    printer = RawPrinter(stall)
    try:
        yield printer
    finally:
        printer.close()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
