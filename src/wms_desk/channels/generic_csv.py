"""Any CSV, read through a saved column-mapping profile: rows of one order id form one order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wms_desk.channels.jsonfile import parse_time
from wms_desk.channels.records import (
    Address,
    LineRecord,
    OrderRecord,
    ParseResult,
    RecordError,
    SourceError,
    short,
)
from wms_desk.channels.textfile import CsvRow, decode, read_csv, to_decimal, to_qty, truthy

# Field -> label, in the order the mapping dialog shows them. Order-level fields are read from
# the first row of an order that has them; line fields from every row.
ORDER_FIELDS: dict[str, str] = {
    "external_id": "Order id (required)",
    "number": "Order number",
    "customer_name": "Customer name",
    "email": "E-mail",
    "ship_name": "Ship-to name",
    "ship_company": "Ship-to company",
    "ship_street1": "Street",
    "ship_street2": "Street 2",
    "ship_city": "City",
    "ship_region": "Region / state",
    "ship_postal_code": "Postal code",
    "ship_country": "Country code",
    "ship_phone": "Phone",
    "ordered_at": "Ordered at",
    "ship_by": "Ship by",
    "priority": "Priority",
    "requested_service": "Shipping service",
    "currency": "Currency",
    "total": "Order total",
    "notes": "Notes",
    "gift_message": "Gift message",
    "tags": "Tags (comma separated)",
    "cancelled": "Cancelled (yes/no)",
}
LINE_FIELDS: dict[str, str] = {
    "sku": "SKU",
    "qty": "Quantity (required)",
    "line_name": "Item name",
    "unit_price": "Unit price",
    "line_id": "Line id",
}
FIELDS: dict[str, str] = {**ORDER_FIELDS, **LINE_FIELDS}
REQUIRED = ("external_id", "qty")


@dataclass(frozen=True)
class Profile:
    """A saved mapping: field -> column header; options: delimiter, encoding, date_format."""

    name: str
    mapping: Mapping[str, str]
    options: Mapping[str, Any] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        return [f for f in REQUIRED if not self.mapping.get(f)]


def _time(text: str, field_name: str, date_format: str | None) -> datetime | None:
    if not text:
        return None
    if date_format:
        try:
            return datetime.strptime(text, date_format).replace(tzinfo=UTC)
        except ValueError as exc:
            raise ValueError(f"{field_name}: {text!r} does not match {date_format!r}") from exc
    return parse_time(text, field_name)


def _order(rows: list[CsvRow], profile: Profile, filename: str) -> OrderRecord:
    mapping = profile.mapping

    def first(name: str) -> str:
        column = mapping.get(name)
        if not column:
            return ""
        return next((row.get(column) for row in rows if row.get(column)), "")

    def cell(row: CsvRow, name: str) -> str:
        column = mapping.get(name)
        return row.get(column) if column else ""

    external_id = first("external_id")
    date_format = profile.options.get("date_format") or None
    ship_to = Address(
        name=first("ship_name") or first("customer_name"),
        company=first("ship_company"),
        street1=first("ship_street1"),
        street2=first("ship_street2"),
        city=first("ship_city"),
        region=first("ship_region"),
        postal_code=first("ship_postal_code"),
        country=first("ship_country").upper(),
        phone=first("ship_phone"),
        email=first("email"),
    )
    priority_text = first("priority")
    try:
        priority = int(priority_text) if priority_text else 0
    except ValueError as exc:
        raise ValueError(f"priority: {priority_text!r} is not a whole number") from exc
    lines = tuple(
        LineRecord(
            line_no=number,
            sku=cell(row, "sku") or None,
            name=cell(row, "line_name"),
            qty=to_qty(cell(row, "qty")),
            unit_price=to_decimal(cell(row, "unit_price"), field=f"row {row.line} unit_price"),
            external_line_id=cell(row, "line_id"),
        )
        for number, row in enumerate(rows, start=1)
    )
    return OrderRecord(
        ref=f"{filename} order {short(first('number') or external_id)} (row {rows[0].line})",
        external_id=external_id,
        number=first("number") or external_id,
        lines=lines,
        cancelled=truthy(first("cancelled")),
        customer_name=first("customer_name") or ship_to.name,
        email=first("email"),
        ship_to=None if ship_to.is_blank else ship_to,
        ordered_at=_time(first("ordered_at"), "ordered_at", date_format),
        ship_by=_time(first("ship_by"), "ship_by", date_format),
        priority=priority,
        requested_service=first("requested_service"),
        currency=first("currency") or "USD",
        total=to_decimal(first("total"), field="total"),
        is_gift=bool(first("gift_message")),
        gift_message=first("gift_message"),
        notes=first("notes"),
        tags=tuple(t.strip() for t in first("tags").split(",") if t.strip()),
    )


def preview(
    data: bytes, filename: str, encoding: str | None = None, rows: int = 10
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The header and the first rows, for the mapping dialog."""
    table = read_csv(decode(data, filename, encoding), filename)
    keys = [h.lower() for h in table.header]
    return table.header, tuple(tuple(r.values[k] for k in keys) for r in table.rows[:rows])


def parse(
    data: bytes,
    filename: str,
    encoding: str | None = None,
    profile: Profile | None = None,
    **_: Any,
) -> ParseResult:
    if profile is None:
        raise SourceError(f"{filename}: a generic CSV needs a column-mapping profile (--profile)")
    missing = profile.missing_required()
    if missing:
        raise SourceError(f"profile {profile.name!r} does not map {', '.join(missing)}")
    encoding = encoding or profile.options.get("encoding") or None
    table = read_csv(
        decode(data, filename, encoding), filename, profile.options.get("delimiter") or None
    )
    absent = [c for c in profile.mapping.values() if c and not table.has_column(c)]
    if absent:
        raise SourceError(
            f"{filename}: column(s) {', '.join(map(repr, absent))} of profile "
            f"{profile.name!r} are not in the header"
        )
    id_column = profile.mapping["external_id"]
    groups: dict[str, list[CsvRow]] = {}
    errors: list[RecordError] = []
    unnamed = 0
    for row in table.rows:
        key = row.get(id_column)
        if not key:
            unnamed += 1
            errors.append(RecordError(f"{filename} row {row.line}", f"{id_column} is empty"))
            continue
        groups.setdefault(key, []).append(row)
    records = []
    for key, rows in groups.items():
        ref = f"{filename} order {short(key)} (row {rows[0].line})"
        problems = [row.problem for row in rows if row.problem]
        if problems:
            errors.extend(RecordError(ref, p) for p in problems)
            continue
        try:
            records.append(_order(rows, profile, filename))
        except ValueError as exc:
            errors.append(RecordError(ref, str(exc)))
    return ParseResult(tuple(records), tuple(errors), len(groups) + unnamed)
