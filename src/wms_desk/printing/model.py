"""Document data: frozen dataclasses built by services, rendered to bytes by this package."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    name: str
    company: str = ""
    lines: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""

    def text_lines(self) -> list[str]:
        """Name, company, street lines, 'City, Region Postal', country: blanks left out."""
        out = [self.name, self.company, *self.lines]
        place = ", ".join(p for p in (self.city, f"{self.region} {self.postal_code}".strip()) if p)
        out += [place, self.country]
        return [line for line in out if line and line.strip()]


@dataclass(frozen=True)
class ShippingLabel:
    ship_from: Address
    ship_to: Address
    service: str
    order_number: str
    ship_date: date
    tracking_number: str
    package_seq: int = 1
    package_count: int = 1
    weight_g: Decimal | None = None
    # True until carriers exist: the "tracking number" is our own reference, marked as such.
    provisional: bool = False
    routing_code: str = ""
    # A return label: the customer sends the parcel back to us; printed marked RETURN.
    return_label: bool = False


@dataclass(frozen=True)
class SlipLine:
    sku: str
    description: str
    bin: str
    ordered: int
    shipped: int
    unit_price: Decimal = Decimal(0)

    @property
    def backordered(self) -> int:
        return max(self.ordered - self.shipped, 0)


@dataclass(frozen=True)
class PackingSlip:
    company: Address
    order_number: str
    order_barcode: str
    order_date: date | None
    ship_date: date
    ship_to: Address
    bill_to: Address | None
    lines: tuple[SlipLine, ...]
    gift: bool = False
    gift_message: str = ""
    currency: str = "USD"
    subtotal: Decimal = Decimal(0)
    shipping: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    service: str = ""
    return_instructions: str = (
        "To return an item, write the order number on this slip, put the slip in the box "
        "and contact us within 30 days."
    )
    logo_path: str | None = None
    # Printed before anything was packed (to go with the picker): then nothing has shipped yet,
    # so the slip has no Shipped/Backordered columns and amounts are for what was ordered.
    before_packing: bool = False

    @property
    def show_prices(self) -> bool:
        return not self.gift  # a gift slip never shows what was paid


@dataclass(frozen=True)
class PickLine:
    bin_code: str
    pick_sequence: int
    sku: str
    barcode: str
    description: str
    qty: int
    order_number: str = ""
    tote: str = ""


@dataclass(frozen=True)
class PickList:
    title: str
    created: datetime
    lines: tuple[PickLine, ...]
    batch_name: str = ""
    order_barcodes: tuple[tuple[str, str, str], ...] = field(default=())  # (number, code, tote)


@dataclass(frozen=True)
class SsccLabel:
    sscc: str
    ship_from: Address
    ship_to: Address
    order_number: str
    ship_date: date
    package_seq: int = 1
    package_count: int = 1
    weight_g: Decimal | None = None


@dataclass(frozen=True)
class BinLabel:
    code: str
    zone: str = ""


@dataclass(frozen=True)
class ProductLabel:
    sku: str
    name: str
    barcode: str


@dataclass(frozen=True)
class CommandCard:
    title: str
    commands: tuple[tuple[str, str], ...]  # (label, barcode value)


@dataclass(frozen=True)
class BadgeCard:
    display_name: str
    username: str
    role: str
    badge_value: str
    company: str = ""


def weight_text(weight_g: Decimal | None) -> str:
    if weight_g is None:
        return "—"
    return f"{(Decimal(weight_g) / 1000).quantize(Decimal('0.001'))} kg"
