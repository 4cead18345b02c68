"""Serial port enumeration and finding a USB device again by VID:PID and serial number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UsbMatch:
    """A USB serial adapter's identity; survives re-plugging into another port or getting COM7."""

    vid: str
    pid: str
    serial: str | None = None

    @classmethod
    def from_binding(cls, value: Any) -> UsbMatch | None:
        if not isinstance(value, dict) or not value.get("vid") or not value.get("pid"):
            return None
        return cls(str(value["vid"]).lower(), str(value["pid"]).lower(), value.get("serial"))

    def as_binding(self) -> dict[str, Any]:
        return {"vid": self.vid, "pid": self.pid, "serial": self.serial}


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    vid: str | None = None  # four lower-case hex digits, as in "0403"
    pid: str | None = None
    serial_number: str | None = None
    hwid: str = ""

    @property
    def usb(self) -> UsbMatch | None:
        if self.vid is None or self.pid is None:
            return None
        return UsbMatch(self.vid, self.pid, self.serial_number)

    @property
    def label(self) -> str:
        """What the settings screen shows: device, description and USB identity."""
        usb = f" [{self.vid}:{self.pid}{' ' + self.serial_number if self.serial_number else ''}]"
        return f"{self.device} — {self.description}{usb if self.vid else ''}"


def list_ports() -> list[PortInfo]:
    """The serial ports this computer has now (USB adapters, built-in ports, CDC-ACM scanners)."""
    from serial.tools import list_ports as pyserial_ports

    found = []
    for port in sorted(pyserial_ports.comports(), key=lambda p: p.device):
        found.append(
            PortInfo(
                device=port.device,
                description=port.description or "",
                vid=f"{port.vid:04x}" if port.vid is not None else None,
                pid=f"{port.pid:04x}" if port.pid is not None else None,
                serial_number=port.serial_number,
                hwid=port.hwid or "",
            )
        )
    return found


def find_usb_port(match: UsbMatch, ports: list[PortInfo] | None = None) -> str | None:
    """The device path a USB adapter has now; a serial number, when given, must match too."""
    for port in ports if ports is not None else list_ports():
        if port.vid != match.vid or port.pid != match.pid:
            continue
        if match.serial and port.serial_number != match.serial:
            continue
        return port.device
    return None


def resolve_port(url: str, usb: UsbMatch | None) -> str:
    """The URL to open: where the bound USB device is now, else the configured URL."""
    if usb is not None:
        try:
            device = find_usb_port(usb)
        except Exception:  # enumeration problems must not stop the configured URL being tried
            device = None
        if device:
            return device
    return url
