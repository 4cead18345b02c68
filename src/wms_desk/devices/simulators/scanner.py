"""A simulated serial scanner: each line becomes a scan, with an AIM prefix and suffix if asked."""

from __future__ import annotations

import threading
import time

from wms_desk.devices.scanner import SUFFIXES
from wms_desk.devices.simulators.endpoint import Endpoint, open_endpoint
from wms_desk.domain.scan import AIM_PREFIX, GS, interpret

# Ways to type a GS on a terminal line; a scanner sends the byte 0x1D.
GS_SPELLINGS = ("<GS>", "\\x1d", "\\x1D", "{GS}")


def aim_for(data: str) -> str:
    """The AIM identifier a scanner would put before this data (a best guess from its shape)."""
    if data.isdigit() and len(data) in (12, 13):
        return "]E0"
    if data.isdigit() and len(data) == 8:
        return "]E4"
    if GS in data or (data[:2].isdigit() and interpret(data, "]C1").ok):
        return "]C1"
    return "]C0"


def typed_to_wire(line: str) -> str:
    for spelling in GS_SPELLINGS:
        line = line.replace(spelling, GS)
    return line


class ScannerSimulator:
    """Sends scans on a pty or TCP endpoint, optionally paced at a baud rate (10 bits a byte)."""

    def __init__(
        self,
        transport: str = "pty",
        *,
        aim: bool = False,
        suffix: str = "cr",
        port: int = 0,
        link_path: str | None = None,
        baudrate: int | None = None,
    ) -> None:
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}")
        self.endpoint: Endpoint = open_endpoint(transport, port=port, link_path=link_path)
        self.aim = aim
        self.suffix = SUFFIXES[suffix]
        self.baudrate = baudrate
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        # Something must accept TCP clients and drain whatever a client writes to us.
        self._thread = threading.Thread(target=self._serve, name="scanner-simulator", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return self.endpoint.address

    def wire_bytes(self, data: str) -> bytes:
        text = typed_to_wire(data)
        if self.aim and not AIM_PREFIX.match(text):
            text = aim_for(text) + text
        return text.encode("utf-8") + self.suffix

    def scan(self, data: str) -> float:
        """Send one scan; returns time.perf_counter() just after its last byte was written."""
        return self.send_raw(self.wire_bytes(data))

    def send_raw(self, payload: bytes) -> float:
        with self._send_lock:
            if not self.baudrate:
                self.endpoint.send(payload)
                return time.perf_counter()
            # Pace like a UART: 10 bits per byte, so the client sees the scan arrive in pieces.
            per_byte = 10.0 / self.baudrate
            started = time.perf_counter()
            for index in range(len(payload)):
                delay = started + index * per_byte - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self.endpoint.send(payload[index : index + 1])
            return time.perf_counter()

    def wait(self) -> None:
        """Block until stopped (short waits, so Ctrl+C still interrupts)."""
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self.endpoint.close()

    def __enter__(self) -> ScannerSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self.endpoint.recv(0.1)
