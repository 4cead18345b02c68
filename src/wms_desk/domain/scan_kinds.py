"""What kinds of code a scan can be: cheap to import (no barcode parser), so the station window's
navigation can name them before anything has been scanned."""

from __future__ import annotations

from enum import StrEnum


class ScanKind(StrEnum):
    """What a scanned code is. A StrEnum: `kind == "order"` still reads naturally."""

    PRODUCT = "product"
    ORDER = "order"
    BIN = "bin"
    BADGE = "badge"
    COMMAND = "command"
    TRACKING = "tracking"
    SSCC = "sscc"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ScanKind.PRODUCT: "product code",
    ScanKind.ORDER: "order barcode",
    ScanKind.BIN: "bin label",
    ScanKind.BADGE: "badge",
    ScanKind.COMMAND: "station command",
    ScanKind.TRACKING: "tracking number",
    ScanKind.SSCC: "SSCC pallet/parcel label",
    ScanKind.UNKNOWN: "code",
}
