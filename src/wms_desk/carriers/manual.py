"""The manual carrier: a label made elsewhere, recorded by scanning its tracking number."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from wms_desk.carriers.base import (
    CarrierCapabilities,
    CarrierRejected,
    Label,
    LabelFormat,
    Manifest,
    NotSupported,
    Purchase,
    RateQuote,
    ShipmentRequest,
    VoidResult,
)
from wms_desk.domain.codes import BADGE_PREFIX, COMMAND_PREFIX, ORDER_ID_PREFIX, ORDER_PREFIX
from wms_desk.domain.tracking_numbers import s10_check_digit

# Tracking numbers are letters and digits; carriers' own barcodes never carry spaces.
TRACKING_SHAPE = re.compile(r"^[A-Z0-9]{6,40}$")
S10_SHAPE = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")
OWN_PREFIXES = (ORDER_PREFIX, ORDER_ID_PREFIX, COMMAND_PREFIX, BADGE_PREFIX)


def clean_tracking(scanned: str) -> str:
    """The tracking number in a scan, or CarrierRejected saying why it is not one."""
    text = scanned.strip().upper().replace(" ", "")
    if any(text.startswith(p) for p in OWN_PREFIXES):
        raise CarrierRejected(
            f"{scanned.strip()!r} is one of our own barcodes, not a tracking number. Scan the "
            "barcode on the carrier's label."
        )
    if not TRACKING_SHAPE.match(text):
        raise CarrierRejected(
            f"{scanned.strip()!r} does not look like a tracking number (6 to 40 letters and "
            "digits). Scan the tracking barcode on the carrier's label."
        )
    s10 = S10_SHAPE.match(text)
    if s10 and s10_check_digit(s10.group(1)) != int(s10.group(2)):
        raise CarrierRejected(
            f"{text} has a wrong check digit for a postal (S10) number: it was misread. "
            "Scan it again."
        )
    return text


class ManualCarrier:
    """Records what the packer scans; it rates, buys, voids and manifests nothing itself."""

    def __init__(self, code: str = "manual", name: str = "Other carrier (scanned)") -> None:
        self.code = code
        self.name = name

    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(
            multi_piece=True,
            void_window=None,
            label_formats=frozenset({LabelFormat.NONE}),
            rates=False,
            manifests=False,
            offline=True,
        )

    def record(self, request: ShipmentRequest, scans: list[str], service: str = "") -> Purchase:
        """One scanned tracking number per package, in package order; the first is the master."""
        if len(scans) != len(request.packages):
            raise CarrierRejected(
                f"Order {request.reference} has {len(request.packages)} packages but "
                f"{len(scans)} tracking numbers were scanned: scan one label per package."
            )
        numbers = [clean_tracking(s) for s in scans]
        if len(set(numbers)) != len(numbers):
            raise CarrierRejected(
                f"Order {request.reference}: the same tracking number was scanned twice. Scan "
                "the label of each package once."
            )
        labels = tuple(
            Label(n, LabelFormat.NONE, b"", seq, numbers[0]) for seq, n in enumerate(numbers, 1)
        )
        return Purchase(
            carrier=self.code,
            service=service,
            labels=labels,
            amount=Decimal(0),  # the label was paid for where it was made
            currency=request.currency,
            bought_at=datetime.now(UTC),
        )

    def rate(self, request: ShipmentRequest) -> list[RateQuote]:
        return []

    def buy(self, request: ShipmentRequest, quote: RateQuote) -> Purchase:
        raise NotSupported(
            f"{self.name} does not print labels: make the label with the carrier, then scan "
            f"its tracking number for order {request.reference}."
        )

    def void(self, purchase: Purchase) -> VoidResult:
        # Only our record goes: the label itself must be cancelled where it was made.
        return VoidResult(
            purchase.master_tracking,
            accepted=True,
            status="removed",
            message="Removed here only: cancel the label with the carrier where it was made.",
        )

    def manifest(self, purchases: list[Purchase], ship_date: date) -> Manifest:
        raise NotSupported(f"{self.name} has no manifest: hand the parcels over as usual.")
