"""Carrier adapters behind one interface: rates, labels, void, manifests (docs/carriers.md)."""

from __future__ import annotations

from wms_desk.carriers.base import (
    Carrier,
    CarrierCapabilities,
    CarrierError,
    CarrierRejected,
    CarrierUnavailable,
    Label,
    LabelFormat,
    Manifest,
    NotSupported,
    Package,
    Purchase,
    RateQuote,
    ShipmentRequest,
    VoidResult,
)

__all__ = [
    "Carrier",
    "CarrierCapabilities",
    "CarrierError",
    "CarrierRejected",
    "CarrierUnavailable",
    "Label",
    "LabelFormat",
    "Manifest",
    "NotSupported",
    "Package",
    "Purchase",
    "RateQuote",
    "ShipmentRequest",
    "VoidResult",
]
