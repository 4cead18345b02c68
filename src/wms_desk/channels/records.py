"""The normalised records every source produces, and the per-record errors it reports."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


def short(text: str, size: int = 60) -> str:
    """A value as it may appear in a message: a 1 MB order id must not make a 1 MB error."""
    return text if len(text) <= size else text[: size - 1] + "…"


class SourceError(Exception):
    """The whole file cannot be read (encoding, truncation, not an order payload, empty)."""


@dataclass(frozen=True)
class RecordError:
    """One rejected record: `ref` names the file and row or order reference, `message` the field."""

    ref: str
    message: str


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    street3: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.street1.strip() or self.city.strip() or self.postal_code.strip())


@dataclass(frozen=True)
class LineRecord:
    line_no: int
    sku: str | None
    name: str
    # Kept as it came (may be "0", "-1", "1.5"): validation names the bad value.
    qty: int | str
    unit_price: Decimal = Decimal(0)
    external_line_id: str = ""
    requires_shipping: bool = True


@dataclass(frozen=True)
class OrderRecord:
    ref: str
    external_id: str
    number: str
    lines: tuple[LineRecord, ...]
    cancelled: bool = False
    customer_name: str = ""
    email: str = ""
    ship_to: Address | None = None
    bill_to: Address | None = None
    ordered_at: datetime | None = None
    ship_by: datetime | None = None
    priority: int = 0
    requested_service: str = ""
    currency: str = "USD"
    subtotal: Decimal = Decimal(0)
    shipping_total: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    is_gift: bool = False
    gift_message: str = ""
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # The channel says the goods have left (fulfilled, completed): stored as shipped, never picked.
    fulfilled: bool = False
    fulfilled_at: datetime | None = None
    # Why the order must wait before anyone picks it (AWAITING_PAYMENT ...); empty when it may go.
    holds: tuple[str, ...] = ()
    # The shipping method is a local pickup: no ship-to address is expected.
    pickup: bool = False

    def content_hash(self) -> str:
        """Hash of everything but the file reference: the same data from another file is equal."""
        data = {
            name: _plain(getattr(self, name))
            for name in _ORDER_FIELDS
            if name != "ref" and not (name in _LATER_FIELDS and not getattr(self, name))
        }
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A JSON-able copy; much cheaper than dataclasses.asdict, which deep-copies everything."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Address | LineRecord):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


_ORDER_FIELDS = tuple(OrderRecord.__dataclass_fields__)
# Fields added after orders were first hashed: left out while empty, so the orders stored before
# they existed keep their hash and a re-import leaves them unchanged.
_LATER_FIELDS = frozenset({"fulfilled", "fulfilled_at", "holds", "pickup"})

# Reasons the intake holds an order for. Only these are lifted again by a channel's update; a
# supervisor's own hold stays until a supervisor releases it.
AWAITING_PAYMENT = "awaiting payment"
PARTLY_FULFILLED = "partly fulfilled in the channel: check what is left to send"
NO_SHIP_TO = "no ship-to address: add it in the channel, or release it as a pickup"
LOCAL_PICKUP = "local pickup (no ship-to address): release it to pick it"
FULFILLED_ELSEWHERE = "fulfilled in the channel already: cancel it here unless it must still ship"
REFUNDED = "refunded in the channel: cancel it here unless it must still ship"
INTAKE_HOLDS = frozenset(
    {AWAITING_PAYMENT, PARTLY_FULFILLED, NO_SHIP_TO, LOCAL_PICKUP, FULFILLED_ELSEWHERE, REFUNDED}
)
HOLD_SEPARATOR = "; "


def hold_reason(reasons: tuple[str, ...]) -> str:
    return HOLD_SEPARATOR.join(reasons)


def is_intake_hold(reason: str | None) -> bool:
    """True when every part of a stored hold reason is one the intake set (no supervisor's)."""
    return bool(reason) and all(
        part in INTAKE_HOLDS for part in (reason or "").split(HOLD_SEPARATOR)
    )


@dataclass(frozen=True)
class ProductRecord:
    ref: str
    sku: str
    name: str
    barcodes: tuple[str, ...] = ()
    weight_g: Decimal = Decimal(0)
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    hs_code: str | None = None
    origin_country: str | None = None
    needs_serial: bool = False
    needs_lot: bool = False
    fragile: bool = False
    is_digital: bool = False


@dataclass(frozen=True)
class StockRecord:
    ref: str
    bin_code: str
    sku: str
    qty: int


@dataclass(frozen=True)
class ParseResult:
    """What a source read: the good records and the rejected ones, in file order."""

    records: tuple[Any, ...]
    errors: tuple[RecordError, ...] = ()
    # How many records the file held, good or bad (a strict import rejects all of them).
    total: int = 0
