"""The device end of a simulated wire: a pseudo-terminal master, or a TCP server for one client."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
from abc import ABC, abstractmethod
from pathlib import Path

TRANSPORTS = ("pty", "tcp")


class Endpoint(ABC):
    """Bytes in and out; writes never block (a real device drops what nobody reads)."""

    address: str

    @abstractmethod
    def recv(self, timeout: float) -> bytes: ...

    @abstractmethod
    def send(self, data: bytes) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...


class PtyEndpoint(Endpoint):
    """os.openpty(): the client opens the slave path (or `link_path`, a symlink we point at it)."""

    def __init__(self, link_path: str | os.PathLike[str] | None = None) -> None:
        import tty  # POSIX only; Windows has no pseudo-terminals (use TcpEndpoint there)

        self._master, self._slave = os.openpty()
        # Raw: no echo, no CR/LF translation, bytes pass exactly as a serial line would.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.device = os.ttyname(self._slave)
        self.address = self.device
        if link_path is not None:
            link = Path(link_path)
            temporary = link.with_name(link.name + f".{os.getpid()}.tmp")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            temporary.symlink_to(self.device)
            os.replace(temporary, link)  # atomic: a reconnecting client never sees no link
            self.address = str(link)
        self._closed = False

    def recv(self, timeout: float) -> bytes:
        if self._closed:
            return b""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self._master, 4096)
        except (BlockingIOError, OSError):
            return b""

    def send(self, data: bytes) -> bool:
        if self._closed:
            return False
        try:
            os.write(self._master, data)
            return True
        except (BlockingIOError, OSError):
            return False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Closing both ends hangs up the line: the client's next read fails at once.
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


ACCEPT_WAIT_S = 2.0


class TcpEndpoint(Endpoint):
    """A server on 127.0.0.1 taking one client at a time; a newer client replaces the older."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self._listener.listen(4)
        # Non-blocking: both the reader and a sender may try to accept; the loser just returns.
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self.address = f"socket://{host}:{self.port}"
        self._client: socket.socket | None = None
        self._lock = threading.Lock()
        self._closed = False

    def recv(self, timeout: float) -> bytes:
        if self._closed:
            return b""
        watched: list[socket.socket] = [self._listener]
        client = self._client
        if client is not None:
            watched.append(client)
        try:
            ready, _, _ = select.select(watched, [], [], timeout)
        except (OSError, ValueError):
            return b""
        data = b""
        if self._listener in ready:
            self._accept()
        if client is not None and client in ready:
            try:
                data = client.recv(4096)
            except OSError:
                data = b""
            if not data:
                self._set_client(None, only_if=client)
        return data

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            accepted, _ = self._listener.accept()
            accepted.setblocking(True)
            accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._set_client(accepted)

    def send(self, data: bytes) -> bool:
        if self._client is None and not self._closed:
            # A client that has connected but is not accepted yet (the reader thread is in
            # its select) must still get this: accept it here, waiting a moment at most.
            with contextlib.suppress(OSError, ValueError):
                ready, _, _ = select.select([self._listener], [], [], ACCEPT_WAIT_S)
                if ready:
                    self._accept()
        with self._lock:
            client = self._client
            if client is None:
                return False
            try:
                client.sendall(data)
                return True
            except OSError:
                return False

    def has_client(self) -> bool:
        return self._client is not None

    def close(self) -> None:
        self._closed = True
        self._set_client(None)
        with contextlib.suppress(OSError):
            self._listener.close()

    def _set_client(
        self, client: socket.socket | None, only_if: socket.socket | None = None
    ) -> None:
        with self._lock:
            if only_if is not None and self._client is not only_if:
                return
            old, self._client = self._client, client
        if old is not None:
            with contextlib.suppress(OSError):
                old.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                old.close()


PTY_AVAILABLE = hasattr(os, "openpty")


def open_endpoint(transport: str, *, port: int = 0, link_path: str | None = None) -> Endpoint:
    if transport == "pty":
        if not PTY_AVAILABLE:
            raise ValueError("this system has no pseudo-terminals: use --transport tcp")
        return PtyEndpoint(link_path)
    if transport == "tcp":
        return TcpEndpoint(port)
    raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
