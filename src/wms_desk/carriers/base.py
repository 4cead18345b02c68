"""The carrier interface: typed requests and results every adapter speaks, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from wms_desk.printing.model import Address


class LabelFormat(StrEnum):
    PDF = "pdf"
    ZPL = "zpl"
    NONE = "none"  # a label made elsewhere (manual carrier): only the tracking number is ours


class CarrierError(Exception):
    """A carrier refused or could not do something; `str()` is the message a user reads."""

    retryable: bool = False


class CarrierRejected(CarrierError):
    """The carrier answered and said no (bad address, no rate, already refunded...)."""

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time, even after retries; nothing was decided."""

    retryable = True


class NotSupported(CarrierError):
    """This carrier does not do what was asked (see its capabilities)."""


@dataclass(frozen=True)
class Package:
    weight_g: Decimal
    length_mm: Decimal
    width_mm: Decimal
    height_mm: Decimal
    reference: str = ""  # our package id, for the label and for the carrier's reference field


@dataclass(frozen=True)
class ShipmentRequest:
    """What to ship: built by services from an order and its packed packages."""

    ship_from: Address
    ship_to: Address
    packages: tuple[Package, ...]
    reference: str  # the order number, printed on the label and sent to the carrier
    ship_date: date
    declared_value: Decimal = Decimal(0)
    currency: str = "USD"
    service: str = ""  # a carrier service code; "" = every service (rating)
    residential: bool = False
    label_format: LabelFormat = LabelFormat.PDF
    email: str = ""
    # A return label: built like the outbound shipment (ship_from = us, ship_to = the customer)
    # and the carrier swaps them, so the parcel travels from the customer back to ship_from.
    return_shipment: bool = False


@dataclass(frozen=True)
class RateQuote:
    """One price for one service. `shipment_ref`/`rate_ref` are the carrier's own ids for the
    quote (an aggregator's shipment and rate id): persist them before buying, so a retried
    purchase buys that same shipment and never a second one."""

    carrier: str
    service: str
    service_name: str
    amount: Decimal
    currency: str
    transit_days: int | None = None
    delivery_date: date | None = None
    shipment_ref: str = ""
    rate_ref: str = ""
    detail: tuple[tuple[str, Decimal], ...] = ()  # (charge, amount): base, surcharges, fuel


@dataclass(frozen=True)
class Label:
    """One package's label. `master_tracking` is the shipment's main number for multi-piece."""

    tracking_number: str
    format: LabelFormat
    data: bytes
    package_seq: int = 1
    master_tracking: str = ""


@dataclass(frozen=True)
class Purchase:
    """What buying a shipment produced: a label per package and what it cost."""

    carrier: str
    service: str
    labels: tuple[Label, ...]
    amount: Decimal
    currency: str
    shipment_ref: str = ""
    bought_at: datetime | None = None

    @property
    def master_tracking(self) -> str:
        return self.labels[0].master_tracking or self.labels[0].tracking_number


@dataclass(frozen=True)
class VoidResult:
    """`accepted`: the label is void (or its refund submitted); `status` is the carrier's word."""

    tracking_number: str
    accepted: bool
    status: str
    message: str = ""


@dataclass(frozen=True)
class Manifest:
    """An end-of-day form: every included tracking number behind one document."""

    carrier: str
    manifest_ref: str
    ship_date: date
    tracking_numbers: tuple[str, ...]
    document: bytes = b""  # PDF
    document_url: str = ""


@dataclass(frozen=True)
class CarrierCapabilities:
    multi_piece: bool
    void_window: timedelta | None  # None: a label cannot be voided through us
    label_formats: frozenset[LabelFormat]
    rates: bool = True
    manifests: bool = True
    offline: bool = False  # works without a network (rate cards, manual)
    services: tuple[str, ...] = field(default=())


@runtime_checkable
class Carrier(Protocol):
    """What services call. Each call is one user intent; results are frozen values."""

    code: str
    name: str

    def capabilities(self) -> CarrierCapabilities: ...

    def rate(self, request: ShipmentRequest) -> list[RateQuote]: ...

    def buy(self, request: ShipmentRequest, quote: RateQuote) -> Purchase: ...

    def void(self, purchase: Purchase) -> VoidResult: ...

    def manifest(self, purchases: list[Purchase], ship_date: date) -> Manifest: ...
