"""Station bindings: one typed value, one precedence rule for devices and printers alike."""

from __future__ import annotations

import pytest

from wms_desk.services.errors import ValidationFailed
from wms_desk.services.station_bindings import (
    BindingOverrides,
    PrinterBinding,
    ScaleBinding,
    ScannerBinding,
    StationBindings,
)

SAVED = {
    "scanner": {"port": "/dev/ttyACM0", "suffix": "lf", "aim": False, "baudrate": 115200},
    "scale": {"port": "/dev/ttyUSB0", "protocol": "nci", "stable_count": 4},
    "label_printer": {"url": "cups://Zebra", "format": "zpl", "dpi": 300},
    "document_printer": {"url": "cups://Office"},
    "wedge": {"enabled": False, "suffix": "tab"},
}


def test_saved_bindings_are_typed() -> None:
    bindings = StationBindings.resolve(SAVED)
    assert bindings.scanner == ScannerBinding("/dev/ttyACM0", "lf", aim=False, baudrate=115200)
    assert bindings.scale is not None
    assert (bindings.scale.url, bindings.scale.protocol) == ("/dev/ttyUSB0", "nci")
    assert bindings.scale.options["stable_count"] == 4
    assert bindings.label_printer == PrinterBinding("cups://Zebra", "zpl", 300)
    assert bindings.document_printer == PrinterBinding("cups://Office", "pdf", 203)
    assert not bindings.wedge.enabled and bindings.wedge.suffix == "tab"


def test_an_override_beats_the_saved_binding_for_devices_and_printers_alike() -> None:
    overrides = BindingOverrides(
        scanner_url="socket://127.0.0.1:4001",
        scanner_suffix="CRLF",
        scale_url="/dev/ttyS1",
        scale_protocol="mt-sics",
        label_printer="tcp://10.0.0.9:9100",
        document_printer="file:///tmp/slips",
    )
    bindings = StationBindings.resolve(SAVED, overrides)
    assert bindings.scanner is not None and bindings.scale is not None
    # The override names the address; the saved line settings stay.
    assert (bindings.scanner.url, bindings.scanner.suffix) == ("socket://127.0.0.1:4001", "crlf")
    assert bindings.scanner.baudrate == 115200
    assert (bindings.scale.url, bindings.scale.protocol) == ("/dev/ttyS1", "mt-sics")
    assert bindings.label_printer == PrinterBinding("tcp://10.0.0.9:9100", "zpl", 203)
    assert bindings.document_printer == PrinterBinding("file:///tmp/slips", "pdf", 203)


def test_nothing_saved_nothing_overridden_means_not_bound() -> None:
    bindings = StationBindings.resolve({})
    assert bindings.scanner is None and bindings.scale is None
    assert bindings.device_bindings()["scanner"] == {}
    with pytest.raises(ValidationFailed, match=r"no document printer.*--document-printer"):
        bindings.printer("document_printer")
    only_flags = StationBindings.resolve({}, BindingOverrides(scale_url="loop://"))
    assert only_flags.scale == ScaleBinding("loop://", "mt-sics")


def test_device_bindings_round_trip_to_what_the_drivers_read() -> None:
    bindings = StationBindings.resolve(SAVED)
    again = StationBindings.resolve({**SAVED, **bindings.device_bindings()})
    assert again == bindings
