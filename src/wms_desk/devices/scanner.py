"""Serial barcode scanner: suffix framing, prefix strip, AIM identifiers, debounce, meaning."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wms_desk.devices.framing import LineFramer
from wms_desk.devices.transport import LinkProtocol, PortSettings
from wms_desk.domain.scan import ScanResult, interpret, unreadable

SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t"}
DEFAULT_DEBOUNCE_S = 0.3


@dataclass(frozen=True)
class ScannerSettings:
    suffix: str = "cr"
    prefix: str = ""  # stripped when a scan starts with it (some scanners add a fixed preamble)
    aim: bool = True  # the scanner sends AIM symbology identifiers
    debounce_s: float = DEFAULT_DEBOUNCE_S

    def __post_init__(self) -> None:
        if self.suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}, not {self.suffix!r}")

    @classmethod
    def from_binding(cls, binding: dict[str, Any]) -> ScannerSettings:
        debounce_ms = binding.get("debounce_ms")
        return cls(
            suffix=str(binding.get("suffix") or "cr").lower(),
            prefix=str(binding.get("prefix") or ""),
            aim=bool(binding.get("aim", True)),
            debounce_s=DEFAULT_DEBOUNCE_S if debounce_ms is None else float(debounce_ms) / 1000,
        )

    @property
    def terminators(self) -> bytes:
        # CR and LF both end a line whichever of cr/lf/crlf is set: a scanner sending CRLF to a
        # station set to CR must not glue a stray LF onto the next scan.
        if self.suffix == "tab":
            return b"\t"
        return b"\r\n"


SCANNER_PORT_DEFAULTS = PortSettings(url="", baudrate=9600, bytesize=8, parity="N", stopbits=1)


class Debouncer:
    """Identical scans within the window are reported once (a trigger held, a double read)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._last: str | None = None
        self._last_at = float("-inf")
        self._lock = threading.Lock()

    def accept(self, data: str, now: float) -> bool:
        with self._lock:
            repeat = data == self._last and now - self._last_at < self.window_s
            self._last, self._last_at = data, now
            return not repeat


def decode_scan(frame: bytes, settings: ScannerSettings) -> ScanResult:
    """One frame (suffix already removed) -> ScanResult; bytes that are not text become an error."""
    try:
        text = frame.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = frame.decode("utf-8", errors="backslashreplace")
        bad = frame[exc.start]
        return unreadable(shown, f"not valid text: byte 0x{bad:02X} at position {exc.start}")
    if settings.prefix and text.startswith(settings.prefix):
        text = text[len(settings.prefix) :]
    return interpret(text, detect_aim=settings.aim)


class SerialScanner(LinkProtocol):
    """Turns the byte stream of a serial or USB-CDC scanner into ScanResults."""

    def __init__(
        self,
        on_scan: Callable[[ScanResult], None],
        settings: ScannerSettings | None = None,
    ) -> None:
        self.settings = settings or ScannerSettings()
        self._on_scan = on_scan
        self._framer = LineFramer(self.settings.terminators, seven_bit=False)
        self._debouncer = Debouncer(self.settings.debounce_s)

    def connection_made(self, link: Any) -> None:
        self._framer.reset()

    def data_received(self, data: bytes, now: float) -> None:
        framed = self._framer.feed(data)
        for _ in range(framed.overlong):
            # Reported when the line passes the limit, not at its end: the packer hears at once
            # that the scanner sent something this station cannot read.
            self._on_scan(overlong_scan(self._framer.max_frame, self.settings.suffix))
        for frame in framed.frames:
            if not frame:
                continue  # the LF of a CRLF, or a bare terminator
            result = decode_scan(frame, self.settings)
            if self._debouncer.accept(result.data, now):
                self._on_scan(result)

    def connection_lost(self, error: BaseException | None) -> None:
        self._framer.reset()  # half a scan from before the loss must not prefix the next one


def overlong_scan(limit: int, suffix: str) -> ScanResult:
    """The error event for a line that ran past `limit` bytes without its terminator."""
    return unreadable(
        "",
        f"the scanner sent more than {limit} bytes without ending the scan; they were dropped. "
        f"Check that the scanner's suffix is {suffix.upper()}, as this station expects",
    )
