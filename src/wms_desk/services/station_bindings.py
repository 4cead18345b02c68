"""A station's devices and printers as one typed value, with one precedence rule for all of them.

The rule: an explicit setting for this run (command-line flag, then WMS_DESK_* variable, then the
config file) overrides the station's saved binding (Settings > Devices / Printers); what neither
names is not bound. The demo replaces scanner and scale with its simulators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from wms_desk.devices.scanner import SUFFIXES
from wms_desk.devices.wedge import WedgeConfig
from wms_desk.printing import transports
from wms_desk.services.errors import ValidationFailed

if TYPE_CHECKING:
    from wms_desk.services.uow import UnitOfWork

DEVICE_KEYS = ("scanner", "scale", "wedge")
PRINTER_KEYS = ("label_printer", "document_printer")


@dataclass(frozen=True)
class ScannerBinding:
    """A serial scanner: its pyserial URL, line end, and the line settings drivers read."""

    url: str
    suffix: str = "cr"
    aim: bool = True
    prefix: str = ""
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    usb: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.suffix not in SUFFIXES:
            raise ValueError(f"scanner suffix must be one of {', '.join(SUFFIXES)}")

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> ScannerBinding | None:
        if not saved.get("port"):
            return None
        return cls(
            url=str(saved["port"]),
            suffix=str(saved.get("suffix") or "cr").lower(),
            aim=bool(saved.get("aim", True)),
            prefix=str(saved.get("prefix") or ""),
            baudrate=int(saved.get("baudrate") or 9600),
            bytesize=int(saved.get("bytesize") or 8),
            parity=str(saved.get("parity") or "N"),
            stopbits=float(saved.get("stopbits") or 1),
            usb=saved.get("usb") or None,
        )

    def as_saved(self) -> dict[str, Any]:
        """The JSON the station row and the drivers' `from_binding` parsers read."""
        return {
            "port": self.url,
            "suffix": self.suffix,
            "aim": self.aim,
            "prefix": self.prefix,
            "baudrate": self.baudrate,
            "bytesize": self.bytesize,
            "parity": self.parity,
            "stopbits": self.stopbits,
            "usb": dict(self.usb) if self.usb else None,
        }


@dataclass(frozen=True)
class ScaleBinding:
    """A serial scale: URL and protocol; `options` holds the protocol's own tuning (pattern,
    unit, stable count, line settings) exactly as Settings > Devices saved it."""

    url: str
    protocol: str = "mt-sics"
    options: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> ScaleBinding | None:
        if not saved.get("port"):
            return None
        options = {k: v for k, v in saved.items() if k not in ("port", "protocol")}
        return cls(str(saved["port"]), str(saved.get("protocol") or "mt-sics"), options)

    def as_saved(self) -> dict[str, Any]:
        return {**self.options, "port": self.url, "protocol": self.protocol}


@dataclass(frozen=True)
class PrinterBinding:
    """A printer address (file://, tcp://, cups://, serial://, system://) and what it takes."""

    url: str
    format: str = "pdf"
    dpi: int = 203

    @classmethod
    def from_saved(cls, saved: Any, kind: str) -> PrinterBinding | None:
        if not isinstance(saved, Mapping) or not saved.get("url"):
            return None
        fmt = "pdf" if kind == "document_printer" else str(saved.get("format") or "pdf")
        return cls(str(saved["url"]), fmt, int(saved.get("dpi") or 203))

    @classmethod
    def from_setting(cls, url: str, kind: str) -> PrinterBinding:
        # A raw byte transport feeds a label printer ZPL; everything else gets PDF.
        raw = transports.scheme_of(url) in ("tcp", "serial")
        return cls(url, "zpl" if kind == "label_printer" and raw else "pdf")

    def as_saved(self) -> dict[str, Any]:
        return {"url": self.url, "format": self.format, "dpi": self.dpi}


@dataclass(frozen=True)
class BindingOverrides:
    """What this run's settings say (flag > env > config file); None where they say nothing."""

    scanner_url: str | None = None
    scanner_suffix: str | None = None
    scale_url: str | None = None
    scale_protocol: str | None = None
    label_printer: str | None = None
    document_printer: str | None = None


@dataclass(frozen=True)
class StationBindings:
    scanner: ScannerBinding | None = None
    scale: ScaleBinding | None = None
    label_printer: PrinterBinding | None = None
    document_printer: PrinterBinding | None = None
    wedge: WedgeConfig = field(default_factory=WedgeConfig)

    @classmethod
    def resolve(
        cls, saved: Mapping[str, Any], overrides: BindingOverrides | None = None
    ) -> StationBindings:
        """The one precedence rule: an override beats the saved binding, for every device."""
        o = overrides or BindingOverrides()
        scanner = ScannerBinding.from_saved(saved.get("scanner") or {})
        if o.scanner_url:
            scanner = (
                replace(scanner, url=o.scanner_url) if scanner else ScannerBinding(o.scanner_url)
            )
        if scanner is not None and o.scanner_suffix:
            scanner = replace(scanner, suffix=o.scanner_suffix.lower())
        scale = ScaleBinding.from_saved(saved.get("scale") or {})
        if o.scale_url:
            scale = replace(scale, url=o.scale_url) if scale else ScaleBinding(o.scale_url)
        if scale is not None and o.scale_protocol:
            scale = replace(scale, protocol=o.scale_protocol)
        printers = {
            kind: (
                PrinterBinding.from_setting(url, kind)
                if (url := getattr(o, kind))
                else PrinterBinding.from_saved(saved.get(kind), kind)
            )
            for kind in PRINTER_KEYS
        }
        wedge = WedgeConfig.from_binding(saved.get("wedge"))
        return cls(scanner, scale, printers["label_printer"], printers["document_printer"], wedge)

    def with_devices(
        self, scanner: ScannerBinding | None, scale: ScaleBinding | None
    ) -> StationBindings:
        """The demo's simulators, or a device test, in place of the bound devices."""
        return replace(self, scanner=scanner, scale=scale)

    def printer(self, kind: str) -> PrinterBinding:
        """The bound label or document printer, or a message saying how to bind one."""
        if kind not in PRINTER_KEYS:
            raise ValueError(f"unknown printer kind {kind!r}")
        bound: PrinterBinding | None = getattr(self, kind)
        if bound is None:
            what = "label" if kind == "label_printer" else "document"
            raise ValidationFailed(
                f"This station has no {what} printer. Bind one in Settings > Printers, "
                f"or start with --{kind.replace('_', '-')} (WMS_DESK_{kind.upper()})."
            )
        return bound

    def device_bindings(self) -> dict[str, Any]:
        """What the device drivers (devices.station.StationDevices) read."""
        return {
            "scanner": self.scanner.as_saved() if self.scanner else {},
            "scale": self.scale.as_saved() if self.scale else {},
            "wedge": self.wedge.as_binding(),
        }


def bindings_of(uow: UnitOfWork) -> StationBindings:
    """This station's bindings for a unit of work: the ones the composition root resolved for
    this run, else (a script without one) the station's saved bindings alone."""
    if uow.bindings is not None:
        return uow.bindings
    from wms_desk.db.models import Station

    station = uow.session.get(Station, uow.actor.station_id) if uow.actor.station_id else None
    return StationBindings.resolve(dict(station.bindings) if station else {})
