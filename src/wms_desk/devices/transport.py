"""Serial transport: a reader thread per device, states not exceptions, reconnect with backoff."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from wms_desk.devices.ports import UsbMatch, resolve_port

log = logging.getLogger(__name__)

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 30.0
# The read timeout bounds how late a tick (poll, offline check, stop request) can run.
TICK_S = 0.02
# A connection that lived this long was real: the next loss starts the backoff again at 1 s.
STABLE_CONNECTION_S = 5.0
# The most one read takes: a burst is delivered in a few large chunks, not byte by byte.
READ_CHUNK = 65536


class DeviceState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    OFFLINE = "offline"  # port open, but the device says nothing
    DISCONNECTED = "disconnected"  # port gone or cannot be opened; retrying
    ERROR = "error"  # port open, but what arrives cannot be read (wrong protocol or baud?)
    STOPPED = "stopped"


@dataclass(frozen=True)
class PortSettings:
    """A pyserial URL with its line settings: /dev/ttyUSB0, COM3, socket://host:port, loop://."""

    url: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    usb: UsbMatch | None = None

    @classmethod
    def from_binding(
        cls, binding: dict[str, Any], defaults: PortSettings | None = None
    ) -> PortSettings:
        base = defaults or cls(url="")
        values: dict[str, Any] = {"url": str(binding.get("port") or base.url)}
        for key, cast in (("baudrate", int), ("bytesize", int), ("stopbits", float)):
            if binding.get(key) is not None:
                values[key] = cast(binding[key])
        if binding.get("parity"):
            values["parity"] = str(binding["parity"]).upper()[:1]
        values["usb"] = UsbMatch.from_binding(binding.get("usb"))
        return replace(base, **values)

    def as_binding(self) -> dict[str, Any]:
        return {
            "port": self.url,
            "baudrate": self.baudrate,
            "bytesize": self.bytesize,
            "parity": self.parity,
            "stopbits": int(self.stopbits)
            if self.stopbits == int(self.stopbits)
            else self.stopbits,
            "usb": self.usb.as_binding() if self.usb else None,
        }


class LinkProtocol:
    """pyserial threaded-protocol style: the link's reader thread calls these, and only these."""

    def connection_made(self, link: SerialLink) -> None:
        """The port is open; `link.write` works from now on."""

    def data_received(self, data: bytes, now: float) -> None:
        """Bytes as they arrived; frames may be split across calls or several in one."""

    def tick(self, now: float) -> None:
        """Called after every read (at least every TICK_S): polls, timeouts, offline checks."""

    def connection_lost(self, error: BaseException | None) -> None:
        """The port closed: error is None when stopped on purpose."""


StateCallback = Callable[[DeviceState, str], None]


class SerialLink:
    """Keeps one device's port open: opens, reads, reports, and reopens after a loss."""

    def __init__(
        self,
        name: str,
        settings: PortSettings,
        protocol: LinkProtocol,
        on_state: StateCallback | None = None,
        *,
        first_retry_s: float = FIRST_RETRY_S,
        max_retry_s: float = MAX_RETRY_S,
    ) -> None:
        self.name = name
        self.settings = settings
        self.protocol = protocol
        self._on_state = on_state
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._state = DeviceState.STOPPED
        self._detail = ""
        self._state_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._serial: Any = None
        self._thread: threading.Thread | None = None
        self.opened_url: str | None = None

    @property
    def state(self) -> DeviceState:
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        port = self._serial
        if port is not None and hasattr(port, "cancel_read"):
            try:
                port.cancel_read()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.set_state(DeviceState.STOPPED, "")

    def write(self, data: bytes) -> bool:
        """Send bytes now; False when the port is not open (the caller reports, never raises)."""
        with self._write_lock:
            port = self._serial
            if port is None:
                return False
            try:
                port.write(data)
                return True
            except Exception as exc:
                log.debug("%s: write failed: %s", self.name, exc)
                return False

    def reset_input_buffer(self) -> None:
        """Drop what the OS buffered: a pty keeps every old line, real hardware does not."""
        port = self._serial
        if port is not None:
            try:
                port.reset_input_buffer()
            except Exception:
                pass

    def set_state(self, state: DeviceState, detail: str = "") -> None:
        with self._state_lock:
            if state == self._state and detail == self._detail:
                return
            self._state, self._detail = state, detail
        log.info("%s: %s %s", self.name, state.value, detail)
        if self._on_state is not None:
            try:
                self._on_state(state, detail)
            except Exception:
                log.exception("%s: state callback failed", self.name)

    def _run(self) -> None:
        delay = self._first_retry_s
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            if self._state == DeviceState.STOPPED:
                # Only the first attempt says "connecting": retries stay "disconnected", so a
                # status bar does not flicker every time the backoff comes round.
                self.set_state(DeviceState.CONNECTING, self.settings.url)
            opened_at = time.monotonic()
            error = self._serve_once()
            if self._stop.is_set():
                break
            if time.monotonic() - opened_at > STABLE_CONNECTION_S:
                delay, attempt = self._first_retry_s, 1
            self.set_state(DeviceState.DISCONNECTED, f"{error}; retry {attempt} in {delay:g} s")
            self._stop.wait(delay)
            delay = min(delay * 2, self._max_retry_s)

    def _serve_once(self) -> str:
        """Open the port and read until it fails; the reason it ended, for the state detail."""
        import serial

        url = resolve_port(self.settings.url, self.settings.usb)
        try:
            port = serial.serial_for_url(
                url,
                baudrate=self.settings.baudrate,
                bytesize=self.settings.bytesize,
                parity=self.settings.parity,
                stopbits=self.settings.stopbits,
                timeout=TICK_S,
                write_timeout=1.0,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            return f"cannot open {url}: {exc}"
        self.opened_url = url
        with self._write_lock:
            self._serial = port
        self.set_state(DeviceState.CONNECTED, url)
        error: BaseException | None = None
        try:
            self.protocol.connection_made(self)
            read = _bulk_reader(port)
            while not self._stop.is_set():
                self._deliver(read(), time.monotonic())
        except (serial.SerialException, OSError) as exc:
            error = exc
        finally:
            with self._write_lock:
                self._serial = None
            try:
                port.close()
            except Exception:
                pass
            try:
                self.protocol.connection_lost(error)
            except Exception:
                log.exception("%s: connection_lost failed", self.name)
        return f"lost {url}: {error}" if error else f"closed {url}"

    def _deliver(self, data: bytes, now: float) -> None:
        try:
            if data:
                self.protocol.data_received(data, now)
            self.protocol.tick(now)
        except Exception:  # a decoding bug must not kill the reader thread
            log.exception("%s: protocol failed on %r", self.name, data[:64])


def _bulk_reader(port: Any) -> Callable[[], bytes]:
    """A read of whatever has arrived, returning as soon as something has (or after TICK_S).

    A serial port (or pty) knows how many bytes wait, so reading that many returns at once. A
    socket:// port's `in_waiting` only says 0 or 1, and reading a byte at a time cannot keep up
    with a burst: there the first byte is awaited as usual, then the rest is taken in one
    non-blocking read (timeout 0 costs nothing to set on a socket port: no line settings).
    """
    if not type(port).__module__.endswith("protocol_socket"):
        return lambda: bytes(port.read(min(max(port.in_waiting, 1), READ_CHUNK)))

    def read_socket() -> bytes:
        first = port.read(1)
        if not first:
            return b""
        port.timeout = 0
        try:
            return bytes(first) + bytes(port.read(READ_CHUNK))
        finally:
            port.timeout = TICK_S

    return read_socket
