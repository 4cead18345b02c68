"""What an imported value must fit, read once from the model columns: one rule for both backends."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import InstrumentedAttribute

from wms_desk.channels.records import (
    Address,
    LineRecord,
    OrderRecord,
    ProductRecord,
    RecordError,
    StockRecord,
    short,
)
from wms_desk.db.models import (
    Bin,
    BinStock,
    Order,
    OrderLine,
    OrderTag,
    Product,
    ProductBarcode,
    StockMove,
)


@dataclass(frozen=True)
class ColumnLimit:
    """What one column holds, as PostgreSQL enforces it (SQLite would take almost anything)."""

    # String(n): n characters; None when unbounded (Text, JSON) or not text.
    chars: int | None = None
    # Integer types: PostgreSQL's range (SQLite would take 64 bits for any of them).
    low: int | None = None
    high: int | None = None
    # Numeric(p, s): the step of its scale and the largest magnitude it holds.
    step: Decimal | None = None
    largest: Decimal | None = None


def limit_of(column: InstrumentedAttribute[Any]) -> ColumnLimit:
    """The column's limits, read from its type once (an import asks some 30 times per order)."""
    # Keyed by id: a mapped attribute's == builds SQL. The models live as long as the process.
    found = _LIMITS.get(id(column))
    if found is None:
        found = _LIMITS[id(column)] = _read_limit(column.property.columns[0].type)
    return found


_LIMITS: dict[int, ColumnLimit] = {}


def _read_limit(kind: Any) -> ColumnLimit:
    if isinstance(kind, String):
        return ColumnLimit(chars=kind.length)
    if isinstance(kind, Integer):
        bits = 16 if isinstance(kind, SmallInteger) else 64 if isinstance(kind, BigInteger) else 32
        return ColumnLimit(low=-(2 ** (bits - 1)), high=2 ** (bits - 1) - 1)
    if isinstance(kind, Numeric) and kind.precision is not None:
        scale = kind.scale or 0
        step = Decimal(1).scaleb(-scale)
        return ColumnLimit(step=step, largest=Decimal(10) ** (kind.precision - scale) - step)
    return ColumnLimit()


def max_chars(column: InstrumentedAttribute[Any]) -> int | None:
    return limit_of(column).chars


def int_bounds(column: InstrumentedAttribute[Any]) -> tuple[int, int]:
    limit = limit_of(column)
    if limit.low is None or limit.high is None:
        raise TypeError(f"{column} is not an integer column")
    return limit.low, limit.high


def numeric_shape(column: InstrumentedAttribute[Any]) -> tuple[Decimal, Decimal]:
    limit = limit_of(column)
    if limit.step is None or limit.largest is None:
        raise TypeError(f"{column} is not a Numeric(precision, scale) column")
    return limit.step, limit.largest


# Text that identifies, addresses or codes something is refused when too long: cut, it would
# name another order, mislabel a parcel or miss its product. Display text is cut, and the user
# is told (never silently).
_ORDER_KEYS = {
    "external_id": (limit_of(Order.external_id), "order id"),
    "number": (limit_of(Order.number), "order number"),
    "currency": (limit_of(Order.currency), "currency"),
    "email": (limit_of(Order.ship_email), "e-mail"),
}
# Who it is for: cut to fit (a label prints far fewer characters anyway).
_ADDRESS_DISPLAY = {
    "name": (limit_of(Order.ship_name), "ship-to name"),
    "company": (limit_of(Order.ship_company), "ship-to company"),
}
# Where it goes: a street or postal code cut short would send the parcel astray.
_ADDRESS_KEYS = {
    attr: (limit_of(column), f"ship-to {attr.replace('_', ' ')}")
    for attr, column in (
        ("street1", Order.ship_street1),
        ("street2", Order.ship_street2),
        ("street3", Order.ship_street3),
        ("city", Order.ship_city),
        ("region", Order.ship_region),
        ("postal_code", Order.ship_postal_code),
        ("country", Order.ship_country),
        ("phone", Order.ship_phone),
        ("email", Order.ship_email),
    )
}
_BILL_TO = {attr: f"bill-to {attr.replace('_', ' ')}" for attr in Address.__dataclass_fields__}
_LINE_KEYS = {
    "sku": (limit_of(OrderLine.sku), "SKU"),
    "external_line_id": (limit_of(OrderLine.external_line_id), "line id"),
}
_ORDER_DISPLAY = {
    "customer_name": (limit_of(Order.customer_name), "customer name"),
    "requested_service": (limit_of(Order.requested_service), "shipping service"),
}
_LINE_NAME = limit_of(OrderLine.name)
_TAG = limit_of(OrderTag.tag)
_MONEY = {
    attr: (limit_of(column), attr.replace("_", " "))
    for attr, column in (
        ("subtotal", Order.subtotal),
        ("shipping_total", Order.shipping_total),
        ("tax_total", Order.tax_total),
        ("total", Order.total),
    )
}
_UNIT_PRICE = limit_of(OrderLine.unit_price)
_QTY = limit_of(OrderLine.qty)
_PRIORITY = limit_of(Order.priority)

# NUL: PostgreSQL text and JSONB cannot hold it. Lone surrogates: not encodable as UTF-8 at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Checked:
    """One order after the limits: display text cut to fit, money rounded to the column's cents."""

    record: OrderRecord
    # Each refuses the order; each names the field.
    problems: tuple[RecordError, ...]
    # The order is stored; the user is told what was cut.
    notices: tuple[RecordError, ...]


class _Findings:
    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.problems: list[RecordError] = []
        self.notices: list[RecordError] = []

    def problem(self, message: str) -> None:
        self.problems.append(RecordError(self.ref, message))

    def notice(self, message: str) -> None:
        self.notices.append(RecordError(self.ref, message))

    def storable(self, label: str, value: str) -> bool:
        found = _UNSTORABLE.search(value)
        if found is None:
            return True
        what = "a NUL character (\\u0000)" if found.group() == "\x00" else "broken Unicode"
        self.problem(f"{label} contains {what}; correct it in the channel and export again")
        return False

    def key(self, label: str, value: str, column: ColumnLimit) -> None:
        limit = column.chars
        if self.storable(label, value) and limit is not None and len(value) > limit:
            self.problem(
                f"{label} {short(value)!r} is {len(value)} characters long; at most {limit} fit"
            )

    def display(self, label: str, value: str, column: ColumnLimit) -> str:
        limit = column.chars
        if not self.storable(label, value) or limit is None or len(value) <= limit:
            return value
        self.notice(f"{label} was {len(value)} characters long: kept its first {limit}")
        return value[:limit]

    def money(self, label: str, value: Decimal, column: ColumnLimit) -> Decimal:
        step, largest = column.step, column.largest
        assert step is not None and largest is not None, "not a Numeric(p, s) column"
        if not value.is_finite():
            self.problem(f"{label} {value} is not a number")
            return value
        # Rounded as PostgreSQL rounds a numeric(p, s) (ties away from zero), on both backends;
        # a huge exponent is refused before quantize could overflow the decimal context.
        rounded = value.quantize(step, rounding=ROUND_HALF_UP) if value.adjusted() < 20 else None
        if rounded is None or abs(rounded) > largest:
            self.problem(f"{label} {short(str(value), 30)} does not fit (at most ±{largest})")
            return value
        return rounded

    def whole(self, label: str, value: int, column: ColumnLimit) -> None:
        low, high = column.low, column.high
        assert low is not None and high is not None, "not an integer column"
        if value > high:
            self.problem(f"{label} {short(str(value), 30)} is too large (at most {high})")
        elif value < low:
            self.problem(f"{label} {short(str(value), 30)} is too small (at least {low})")


def check_order(record: OrderRecord) -> Checked:
    """Every field against its column; the record comes back with display text cut to fit."""
    found = _Findings(record.ref)
    for attr, (column, label) in _ORDER_KEYS.items():
        found.key(label, getattr(record, attr), column)
    changes: dict[str, Any] = {}
    for attr, (column, label) in _ORDER_DISPLAY.items():
        value = found.display(label, getattr(record, attr), column)
        if value != getattr(record, attr):
            changes[attr] = value
    if record.ship_to is not None:
        ship_to = record.ship_to
        for attr, (column, label) in _ADDRESS_KEYS.items():
            found.key(label, getattr(ship_to, attr), column)
        cut = {
            attr: found.display(label, getattr(ship_to, attr), column)
            for attr, (column, label) in _ADDRESS_DISPLAY.items()
        }
        if any(cut[attr] != getattr(ship_to, attr) for attr in cut):
            changes["ship_to"] = dataclasses.replace(ship_to, **cut)
    if record.bill_to is not None:
        for attr, label in _BILL_TO.items():
            found.storable(label, getattr(record.bill_to, attr))
    for attr in ("notes", "gift_message"):
        found.storable(attr.replace("_", " "), getattr(record, attr))
    for attr, (money_column, label) in _MONEY.items():
        given = getattr(record, attr)
        amount = found.money(label, given, money_column)
        # Only a value the rounding changed is replaced: 19.9 stays "19.9", so its hash stays.
        # (A refused value comes back as itself: never compared, an sNaN would raise.)
        if amount is not given and amount != given:
            changes[attr] = amount
    found.whole("priority", record.priority, _PRIORITY)
    lines = tuple(_check_line(found, line) for line in record.lines)
    if any(new is not old for new, old in zip(lines, record.lines, strict=True)):
        changes["lines"] = lines
    tags = _check_tags(found, record.tags)
    if tags != record.tags:
        changes["tags"] = tags
    checked = dataclasses.replace(record, **changes) if changes else record
    return Checked(checked, tuple(found.problems), tuple(found.notices))


def _check_line(found: _Findings, line: LineRecord) -> LineRecord:
    label = f"line {line.line_no}" + (f" (SKU {short(line.sku)})" if line.sku else "")
    for attr, (column, what) in _LINE_KEYS.items():
        found.key(f"{label}: {what}", getattr(line, attr) or "", column)
    if isinstance(line.qty, int):
        found.whole(f"{label}: quantity", line.qty, _QTY)
    name = found.display(f"{label}: item name", line.name, _LINE_NAME)
    price = found.money(f"{label}: unit price", line.unit_price, _UNIT_PRICE)
    if name is line.name and (price is line.unit_price or price == line.unit_price):
        return line
    return dataclasses.replace(line, name=name, unit_price=price)


def _check_tags(found: _Findings, tags: tuple[str, ...]) -> tuple[str, ...]:
    kept = [found.display(f"tag {short(tag, 20)!r}", tag, _TAG) for tag in tags]
    # Two long tags alike in their first characters become one tag, as the channel would show.
    return tuple(dict.fromkeys(kept))


# --- the catalogue: nothing there is display-only, so a value that does not fit is refused ---

_PRODUCT_TEXT = {
    "sku": Product.sku,
    "name": Product.name,
    "hs_code": Product.hs_code,
    "origin_country": Product.origin_country,
}
_PRODUCT_SIZES = ("length_mm", "width_mm", "height_mm")


def check_product(record: ProductRecord) -> tuple[RecordError, ...]:
    """Every field of a product row against its column; empty when it may be stored."""
    found = _Findings(record.ref)
    for attr, column in _PRODUCT_TEXT.items():
        found.key(attr, getattr(record, attr) or "", limit_of(column))
    for code in record.barcodes:
        found.key("barcode", code, limit_of(ProductBarcode.code))
    found.money("weight_g", record.weight_g, limit_of(Product.unit_weight_g))
    for attr in _PRODUCT_SIZES:
        value = getattr(record, attr)
        if value is not None:
            found.whole(attr, value, limit_of(getattr(Product, attr)))
    return tuple(found.problems)


def check_stock(record: StockRecord) -> tuple[RecordError, ...]:
    """A stock row's bin code, SKU and count against the columns they are stored in."""
    found = _Findings(record.ref)
    found.key("bin", record.bin_code, limit_of(Bin.code))
    found.key("sku", record.sku, limit_of(Product.sku))
    # The count is kept on hand and moved in the ledger: it must fit both columns.
    found.whole("qty", record.qty, limit_of(BinStock.on_hand))
    if not found.problems:
        found.whole("qty", record.qty, limit_of(StockMove.qty))
    return tuple(found.problems)
