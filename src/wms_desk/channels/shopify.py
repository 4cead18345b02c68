"""Shopify: the Admin REST `Order` JSON and the admin "orders export" CSV."""

from __future__ import annotations

from datetime import datetime
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
    PARTLY_FULFILLED,
    REFUNDED,
    Address,
    LineRecord,
    OrderRecord,
    ParseResult,
    RecordError,
    SourceError,
    short,
)
from wms_desk.channels.textfile import CsvRow, decode, read_csv, to_decimal, to_qty, truthy

# financial_status values under which nothing (or not all) has been paid: the order waits.
# (authorized counts as paid: many shops capture the payment only when the order ships.)
UNPAID = frozenset({"pending", "partially_paid", "voided"})


def _status_fields(financial: str, fulfillment: str, shipping_methods: list[str]) -> dict[str, Any]:
    """The record fields that follow from the order's payment and fulfilment state."""
    financial, fulfillment = financial.lower(), fulfillment.lower()
    holds = []
    if financial in UNPAID:
        holds.append(AWAITING_PAYMENT)
    elif financial == "refunded" and fulfillment != "fulfilled":
        # The money went back but the order was not cancelled: sent, it would be a gift.
        holds.append(REFUNDED)
    if fulfillment == "partial":
        holds.append(PARTLY_FULFILLED)
    return {
        "fulfilled": fulfillment == "fulfilled",
        "holds": tuple(holds),
        "pickup": any("pickup" in method.lower() for method in shipping_methods),
    }


def _address(raw: Any, email: str = "") -> Address | None:
    if not isinstance(raw, dict):
        return None
    name = text_of(raw.get("name")) or " ".join(
        p for p in (text_of(raw.get("first_name")), text_of(raw.get("last_name"))) if p
    )
    address = Address(
        name=name,
        company=text_of(raw.get("company")),
        street1=text_of(raw.get("address1")),
        street2=text_of(raw.get("address2")),
        city=text_of(raw.get("city")),
        region=text_of(raw.get("province_code")) or text_of(raw.get("province")),
        postal_code=text_of(raw.get("zip")),
        country=text_of(raw.get("country_code")).upper(),
        phone=text_of(raw.get("phone")),
        email=email,
    )
    return None if address.is_blank and not address.name else address


def _order_from_json(raw: dict[str, Any], filename: str) -> OrderRecord:
    ref = f"{filename} order {short(text_of(raw.get('name')) or text_of(raw.get('id')) or '?')}"
    email = text_of(raw.get("email")) or text_of(raw.get("contact_email"))
    ship_to = _address(raw.get("shipping_address"), email)
    bill_to = _address(raw.get("billing_address"), email)
    customer = as_dict(raw.get("customer"))
    customer_name = (
        (ship_to.name if ship_to else "")
        or (bill_to.name if bill_to else "")
        or " ".join(
            p
            for p in (text_of(customer.get("first_name")), text_of(customer.get("last_name")))
            if p
        )
    )
    items = raw.get("line_items")
    if not isinstance(items, list):
        raise ValueError("line_items: missing or not a list")
    lines = []
    for number, item in enumerate(items, start=1):
        item = as_dict(item)
        lines.append(
            LineRecord(
                line_no=number,
                sku=text_of(item.get("sku")) or None,
                name=text_of(item.get("name")) or text_of(item.get("title")),
                qty=to_qty(item.get("quantity")),
                unit_price=to_decimal(item.get("price"), field=f"line {number} price"),
                external_line_id=text_of(item.get("id")),
                requires_shipping=bool(item.get("requires_shipping", True))
                and not item.get("gift_card"),
            )
        )
    shipping_lines = [as_dict(s) for s in raw.get("shipping_lines") or []]
    shipping = as_dict(as_dict(raw.get("total_shipping_price_set")).get("shop_money")).get("amount")
    tags = tuple(t.strip() for t in text_of(raw.get("tags")).split(",") if t.strip())
    methods = [text_of(s.get(k)) for s in shipping_lines for k in ("code", "title", "source")]
    status = _status_fields(
        text_of(raw.get("financial_status")), text_of(raw.get("fulfillment_status")), methods
    )
    fulfilled_at = None
    if status["fulfilled"]:
        times = [
            parse_time(as_dict(f).get("created_at"), "fulfillments created_at")
            for f in raw.get("fulfillments") or []
        ]
        fulfilled_at = max((t for t in times if t), default=None) or parse_time(
            raw.get("closed_at"), "closed_at"
        )
    return OrderRecord(
        ref=ref,
        external_id=text_of(raw.get("id")),
        number=text_of(raw.get("name")) or text_of(raw.get("order_number")),
        lines=tuple(lines),
        cancelled=bool(raw.get("cancelled_at")),
        customer_name=customer_name,
        email=email,
        ship_to=ship_to,
        bill_to=bill_to,
        ordered_at=parse_time(raw.get("created_at"), "created_at"),
        requested_service=text_of(shipping_lines[0].get("title")) if shipping_lines else "",
        currency=text_of(raw.get("currency")) or "USD",
        subtotal=to_decimal(raw.get("subtotal_price"), field="subtotal_price"),
        shipping_total=to_decimal(shipping, field="total_shipping_price_set")
        if shipping is not None
        else sum(
            (to_decimal(s.get("price"), field="shipping_lines price") for s in shipping_lines),
            to_decimal(0),
        ),
        tax_total=to_decimal(raw.get("total_tax"), field="total_tax"),
        total=to_decimal(raw.get("total_price"), field="total_price"),
        notes=text_of(raw.get("note")),
        tags=tags,
        fulfilled_at=fulfilled_at,
        **status,
    )


def parse_json(data: bytes, filename: str, encoding: str | None = None, **_: Any) -> ParseResult:
    payload = load_json(data, filename, encoding)
    if isinstance(payload, dict) and isinstance(payload.get("orders"), list):
        items = payload["orders"]
    elif isinstance(payload, dict) and isinstance(payload.get("order"), dict):
        items = [payload["order"]]
    elif isinstance(payload, dict) and "line_items" in payload:
        items = [payload]
    elif is_order_list(payload):
        items = payload
    else:
        raise refuse(
            payload,
            filename,
            "not a Shopify order payload "
            '(expected {"orders": [...]}, {"order": {...}} or an order with line_items)',
        )
    return each_order(items, filename, _order_from_json)


# --- the admin "Export orders" CSV ---------------------------------------------------------

REQUIRED_CSV_COLUMNS = ("Name", "Lineitem quantity", "Lineitem sku")


def _zip(text: str) -> str:
    # Shopify prefixes postal codes with an apostrophe so spreadsheets keep leading zeros.
    return text.removeprefix("'")


def _csv_address(row: CsvRow, prefix: str, email: str) -> Address | None:
    street1 = row.get(f"{prefix} Address1") or row.get(f"{prefix} Street")
    address = Address(
        name=row.get(f"{prefix} Name"),
        company=row.get(f"{prefix} Company"),
        street1=street1,
        street2=row.get(f"{prefix} Address2"),
        city=row.get(f"{prefix} City"),
        region=row.get(f"{prefix} Province"),
        postal_code=_zip(row.get(f"{prefix} Zip")),
        country=row.get(f"{prefix} Country").upper(),
        phone=row.get(f"{prefix} Phone"),
        email=email,
    )
    return None if address.is_blank and not address.name else address


def _csv_time(text: str, field: str) -> datetime | None:
    # The export writes "2024-03-04 08:00:00 -0500": no ISO separator before the offset.
    return parse_time(text.replace(" +", "+").replace(" -", "-"), field) if text else None


def _order_from_rows(rows: list[CsvRow], filename: str) -> OrderRecord:
    head = rows[0]
    name = head.get("Name")
    email = head.get("Email")
    ship_to = _csv_address(head, "Shipping", email)
    bill_to = _csv_address(head, "Billing", email)
    lines = tuple(
        LineRecord(
            line_no=number,
            sku=row.get("Lineitem sku") or None,
            name=row.get("Lineitem name"),
            qty=to_qty(row.get("Lineitem quantity")),
            unit_price=to_decimal(
                row.get("Lineitem price"), field=f"row {row.line} Lineitem price"
            ),
            requires_shipping=truthy(row.get("Lineitem requires shipping"))
            if row.has("Lineitem requires shipping")
            else True,
        )
        for number, row in enumerate(rows, start=1)
    )
    tags = tuple(t.strip() for t in head.get("Tags").split(",") if t.strip())
    return OrderRecord(
        ref=f"{filename} order {short(name)} (row {head.line})",
        external_id=head.get("Id") or name,
        number=name,
        lines=lines,
        cancelled=bool(head.get("Cancelled at")),
        customer_name=(ship_to.name if ship_to else "") or (bill_to.name if bill_to else ""),
        email=email,
        ship_to=ship_to,
        bill_to=bill_to,
        ordered_at=_csv_time(head.get("Created at"), "Created at"),
        requested_service=head.get("Shipping Method"),
        currency=head.get("Currency") or "USD",
        subtotal=to_decimal(head.get("Subtotal"), field="Subtotal"),
        shipping_total=to_decimal(head.get("Shipping"), field="Shipping"),
        tax_total=to_decimal(head.get("Taxes"), field="Taxes"),
        total=to_decimal(head.get("Total"), field="Total"),
        notes=head.get("Notes"),
        tags=tags,
        fulfilled_at=_csv_time(head.get("Fulfilled at"), "Fulfilled at"),
        **_status_fields(
            head.get("Financial Status"),
            head.get("Fulfillment Status"),
            [head.get("Shipping Method")],
        ),
    )


def parse_csv(data: bytes, filename: str, encoding: str | None = None, **_: Any) -> ParseResult:
    table = read_csv(decode(data, filename, encoding), filename)
    missing = [c for c in REQUIRED_CSV_COLUMNS if not table.has_column(c)]
    if missing:
        raise SourceError(
            f"{filename}: not a Shopify orders export (missing column(s) {', '.join(missing)})"
        )
    groups: dict[str, list[CsvRow]] = {}
    errors: list[RecordError] = []
    unnamed = 0
    for row in table.rows:
        name = row.get("Name")
        if not name:
            unnamed += 1
            errors.append(RecordError(f"{filename} row {row.line}", "Name (order number) is empty"))
            continue
        groups.setdefault(name, []).append(row)
    records = []
    for name, rows in groups.items():
        problems = [row.problem for row in rows if row.problem]
        if problems:
            ref = f"{filename} order {short(name)} (row {rows[0].line})"
            errors.extend(RecordError(ref, problem) for problem in problems)
            continue
        try:
            records.append(_order_from_rows(rows, filename))
        except ValueError as exc:
            errors.append(
                RecordError(f"{filename} order {short(name)} (row {rows[0].line})", str(exc))
            )
    return ParseResult(tuple(records), tuple(errors), len(groups) + unnamed)
