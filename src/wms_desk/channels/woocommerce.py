"""WooCommerce: the REST API v3 order JSON (one order or a list of them)."""

from __future__ import annotations

from typing import Any

from wms_desk.channels.jsonfile import (
    as_dict,
    each_order,
    is_order_list,
    load_json,
    parse_time,
    refuse,
    text_of,
)
from wms_desk.channels.records import (
    AWAITING_PAYMENT,
    Address,
    LineRecord,
    OrderRecord,
    ParseResult,
    short,
)
from wms_desk.channels.textfile import to_decimal, to_qty

# Statuses in which the shop no longer wants the order sent.
CANCELLED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
# Statuses in which the payment has not arrived (on-hold: awaiting a bank transfer or cheque).
UNPAID_STATUSES = frozenset({"pending", "on-hold", "checkout-draft"})
# The goods have left: the shop completes an order when it ships.
FULFILLED_STATUSES = frozenset({"completed"})


def _address(raw: Any, email: str, phone: str) -> Address | None:
    raw = as_dict(raw)
    name = " ".join(p for p in (text_of(raw.get("first_name")), text_of(raw.get("last_name"))) if p)
    address = Address(
        name=name,
        company=text_of(raw.get("company")),
        street1=text_of(raw.get("address_1")),
        street2=text_of(raw.get("address_2")),
        city=text_of(raw.get("city")),
        region=text_of(raw.get("state")),
        postal_code=text_of(raw.get("postcode")),
        country=text_of(raw.get("country")).upper(),
        phone=text_of(raw.get("phone")) or phone,
        email=email,
    )
    return None if address.is_blank else address


def _order(raw: dict[str, Any], filename: str) -> OrderRecord:
    number = text_of(raw.get("number")) or text_of(raw.get("id"))
    billing = as_dict(raw.get("billing"))
    email, phone = text_of(billing.get("email")), text_of(billing.get("phone"))
    ship_to = _address(raw.get("shipping"), email, phone)
    bill_to = _address(billing, email, phone)
    items = raw.get("line_items")
    if not isinstance(items, list):
        raise ValueError("line_items: missing or not a list")
    lines = []
    subtotal = to_decimal(0)
    for line_no, item in enumerate(items, start=1):
        item = as_dict(item)
        subtotal += to_decimal(item.get("subtotal"), field=f"line {line_no} subtotal")
        lines.append(
            LineRecord(
                line_no=line_no,
                sku=text_of(item.get("sku")) or None,
                name=text_of(item.get("name")),
                qty=to_qty(item.get("quantity")),
                unit_price=to_decimal(item.get("price"), field=f"line {line_no} price"),
                external_line_id=text_of(item.get("id")),
            )
        )
    shipping_lines = [as_dict(s) for s in raw.get("shipping_lines") or []]
    # The *_gmt fields are UTC without an offset; the plain ones are shop-local time.
    ordered_at = parse_time(raw.get("date_created_gmt"), "date_created_gmt")
    status = text_of(raw.get("status")).lower()
    fulfilled = status in FULFILLED_STATUSES
    methods = [text_of(s.get(k)) for s in shipping_lines for k in ("method_id", "method_title")]
    return OrderRecord(
        ref=f"{filename} order {short(number)}",
        external_id=text_of(raw.get("id")),
        number=number,
        lines=tuple(lines),
        cancelled=status in CANCELLED_STATUSES,
        customer_name=(ship_to.name if ship_to else "") or (bill_to.name if bill_to else ""),
        email=email,
        ship_to=ship_to,
        bill_to=bill_to,
        ordered_at=ordered_at,
        requested_service=text_of(shipping_lines[0].get("method_title")) if shipping_lines else "",
        currency=text_of(raw.get("currency")) or "USD",
        subtotal=subtotal,
        shipping_total=to_decimal(raw.get("shipping_total"), field="shipping_total"),
        tax_total=to_decimal(raw.get("total_tax"), field="total_tax"),
        total=to_decimal(raw.get("total"), field="total"),
        notes=text_of(raw.get("customer_note")),
        fulfilled=fulfilled,
        fulfilled_at=parse_time(raw.get("date_completed_gmt"), "date_completed_gmt")
        if fulfilled
        else None,
        holds=(AWAITING_PAYMENT,) if status in UNPAID_STATUSES else (),
        pickup=any("pickup" in method.lower() for method in methods),
    )


def parse_json(data: bytes, filename: str, encoding: str | None = None, **_: Any) -> ParseResult:
    payload = load_json(data, filename, encoding)
    if isinstance(payload, dict) and "line_items" in payload and "billing" in payload:
        items = [payload]
    elif is_order_list(payload):
        items = payload
    else:
        raise refuse(
            payload,
            filename,
            "not a WooCommerce order payload "
            "(expected an order object with line_items and billing, or a list of them)",
        )
    return each_order(items, filename, _order)
