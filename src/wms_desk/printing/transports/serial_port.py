"""`serial:///dev/ttyUSB0?baudrate=9600&xonxoff=1`: a serial or USB-serial label printer."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from wms_desk.printing.transports import OutcomeUnknown, PrinterUnreachable, query


@dataclass(frozen=True)
class SerialTransport:
    port: str
    baudrate: int = 9600
    xonxoff: bool = False
    rtscts: bool = False
    timeout: float = 15.0

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        import serial

        try:
            handle = serial.serial_for_url(
                self.port,
                baudrate=self.baudrate,
                xonxoff=self.xonxoff,
                rtscts=self.rtscts,
                write_timeout=self.timeout,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PrinterUnreachable(f"Cannot open {self.port}: {exc}") from exc
        try:
            written = handle.write(payload)
            handle.flush()
        except (serial.SerialException, OSError) as exc:
            # Flow control stalled or the cable went mid-job: part of it may have printed.
            raise OutcomeUnknown(f"Writing to {self.port} stopped: {exc}") from exc
        finally:
            handle.close()
        if written is not None and written != len(payload):
            raise OutcomeUnknown(f"Only {written} of {len(payload)} bytes went to {self.port}")


def _flag(value: str | None) -> bool:
    return (value or "0").lower() in ("1", "true", "yes", "on")


def transport(url: str) -> SerialTransport:
    parts = urlsplit(url)
    port = unquote(parts.netloc + parts.path)
    if not port:
        raise PrinterUnreachable(f"No device in printer address {url!r}")
    options = query(url)
    return SerialTransport(
        port,
        int(options.get("baudrate", 9600)),
        _flag(options.get("xonxoff")),
        _flag(options.get("rtscts")),
        float(options.get("timeout", 15)),
    )
