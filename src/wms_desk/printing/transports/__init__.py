"""Printer addresses to transports; a failed send says whether any byte may have left.

`file:///folder`, `tcp://host:9100`, `cups://QUEUE`, `serial:///dev/ttyUSB0?baudrate=9600`;
the GUI registers `system://NAME` (QtPrintSupport) with `register()`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol
from urllib.parse import parse_qs, urlsplit


class SendError(Exception):
    """A send did not complete. `bytes_left`: some bytes may have reached the printer."""

    bytes_left = False

    def __init__(self, message: str) -> None:
        super().__init__(message)


class PrinterUnreachable(SendError):
    """Nothing left this computer: safe to retry automatically."""

    bytes_left = False


class OutcomeUnknown(SendError):
    """Bytes left but the printer never confirmed: retrying could print twice."""

    bytes_left = True


class Transport(Protocol):
    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None: ...


TransportFactory = Callable[[str], Transport]
_MODULES = {
    "file": "wms_desk.printing.transports.file",
    "tcp": "wms_desk.printing.transports.tcp",
    "cups": "wms_desk.printing.transports.cups",
    "serial": "wms_desk.printing.transports.serial_port",
}
_registered: dict[str, TransportFactory] = {}

ADVICE = {
    "file": "Check that the folder exists and is writable.",
    "tcp": "Check that the printer is switched on, has paper and is on the network.",
    "cups": "Check the printer in the system's printer settings (CUPS) and that it is enabled.",
    "serial": "Check the cable and that the printer is switched on.",
    "system": "Check the printer in the system's printer settings.",
}


class BadAddress(ValueError):
    """A printer address this program cannot print to; the message shows the forms it can."""


# Schemes the app can print to; `system` is registered by the GUI, but a job queued from the
# command line for `system://NAME` is printed by a station's GUI, so it is a valid address.
_FORMS = {
    "file": "file:///folder",
    "tcp": "tcp://host:9100",
    "cups": "cups://QUEUE",
    "serial": "serial:///dev/ttyS0",
    "system": "system://NAME",
}


def check_address(url: str) -> str:
    """The address stripped, if a transport here can use it; else BadAddress saying why.

    Called when an address is set (station settings, --printer) and when a job is queued, so
    an address like ftp://... is refused at once instead of failing and retrying later.
    """
    url = url.strip()
    forms = ", ".join(_FORMS.values())
    scheme = scheme_of(url)
    if scheme not in _FORMS and scheme not in _registered:
        shown = f"{scheme}://" if scheme else "an address without a scheme"
        raise BadAddress(
            f"The printer address {url!r} cannot be used: this program cannot print to "
            f"{shown}. Use one of {forms}."
        )
    parts = urlsplit(url)
    target = (parts.netloc + parts.path).strip("/")
    if scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            port = -1
        if not parts.hostname or port == -1:
            raise BadAddress(
                f"The printer address {url!r} needs a host and an optional numeric port, "
                "like tcp://10.0.0.31:9100."
            )
    elif scheme in _FORMS and not target:
        what = {"file": "folder", "cups": "queue name", "serial": "device"}.get(
            scheme, "printer name"
        )
        raise BadAddress(
            f"The printer address {url!r} has no {what}: write it like {_FORMS[scheme]}."
        )
    return url


def register(scheme: str, factory: TransportFactory) -> None:
    """Add a transport (the GUI adds `system`); printing itself never imports Qt."""
    _registered[scheme] = factory


def scheme_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def open_transport(url: str) -> Transport:
    scheme = scheme_of(url)
    if scheme in _registered:
        return _registered[scheme](url)
    if scheme not in _MODULES:
        known = ", ".join(f"{s}://" for s in [*_MODULES, *_registered])
        raise PrinterUnreachable(f"Unknown printer address {url!r}; use one of {known}")
    module = importlib.import_module(_MODULES[scheme])
    factory: TransportFactory = module.transport
    return factory(url)


def send(url: str, payload: bytes, job_id: str, fmt: str = "", title: str = "") -> None:
    open_transport(url).send(payload, job_id, fmt, title)


def describe(url: str) -> str:
    """A printer's name for people: the queue, host or folder, not the whole URL."""
    parts = urlsplit(url)
    name = parts.netloc or parts.path
    return f"{name} ({parts.scheme})" if name else url


def advice(url: str) -> str:
    return ADVICE.get(scheme_of(url), "Check the printer's address in the station settings.")


def query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def extension(fmt: str) -> str:
    return {"pdf": "pdf", "zpl": "zpl"}.get(fmt, "bin")
