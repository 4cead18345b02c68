"""Values from channels that used to crash the parsers, and the status fields they now read."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.channels.intake import DATA, shopify_order
from wms_desk.channels import formats, shopify, woocommerce
from wms_desk.channels.jsonfile import parse_time
from wms_desk.channels.records import AWAITING_PAYMENT, PARTLY_FULFILLED, REFUNDED, SourceError
from wms_desk.channels.textfile import to_decimal, to_qty


@pytest.mark.parametrize(
    "value", ["Infinity", "-Infinity", "inf", "NaN", "sNaN", "1e999999999", "1.5", "", "two"]
)
def test_a_quantity_that_is_no_whole_number_comes_back_as_its_text(value: str) -> None:
    assert to_qty(value) == value


@pytest.mark.parametrize(("value", "qty"), [("3", 3), ("3.0", 3), ("1e3", 1000), (10**20, 10**20)])
def test_whole_quantities_are_ints(value: object, qty: int) -> None:
    assert to_qty(value) == qty


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-inf", float("nan")])
def test_money_must_be_finite_and_the_field_is_named(value: object) -> None:
    with pytest.raises(ValueError, match=r"^total_price: .* is not a finite number$"):
        to_decimal(value, field="total_price")
    assert to_decimal("19,90") == Decimal("19.90")


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:30:00-05:00", "0001-01-01T00:10:00+05:00", "2024-13-01", "soon"]
)
def test_an_impossible_time_is_an_error_naming_the_field(text: str) -> None:
    with pytest.raises(ValueError, match=r"^created_at: "):
        parse_time(text, "created_at")


def test_bad_values_in_a_page_are_reported_per_order_never_raised() -> None:
    page = [shopify_order(i) for i in range(1, 5)]
    page[0]["shipping_lines"] = [{"title": "x", "price": "sNaN"}]  # arithmetic on sNaN raises
    page[1]["created_at"] = "9999-12-31T23:30:00-05:00"
    page[2]["total_price"] = "NaN"
    result = shopify.parse_json(json.dumps(page).encode(), "p.json")
    assert [r.number for r in result.records] == ["#G4"]
    assert [(e.ref, e.message.split(":")[0]) for e in result.errors] == [
        ("p.json order #G1 (item 1)", "shipping_lines price"),
        ("p.json order #G2 (item 2)", "created_at"),
        ("p.json order #G3 (item 3)", "total_price"),
    ]


def test_woocommerce_statuses() -> None:
    payload = json.loads((DATA / "woocommerce_orders.json").read_text(encoding="utf-8"))
    statuses = ["pending", "on-hold", "completed", "processing", "cancelled", "refunded"]
    for order, status in zip(payload, statuses, strict=True):
        order["status"] = status
    payload[3]["shipping_lines"] = [{"method_id": "local_pickup", "method_title": "Pick up"}]
    records = woocommerce.parse_json(json.dumps(payload).encode(), "w.json").records
    assert [(r.holds, r.fulfilled, r.cancelled, r.pickup) for r in records] == [
        ((AWAITING_PAYMENT,), False, False, False),
        ((AWAITING_PAYMENT,), False, False, False),
        ((), True, False, False),
        ((), False, False, True),
        ((), False, True, False),
        ((), False, True, False),
    ]


def test_shopify_statuses_in_json_and_in_the_csv_export() -> None:
    page = [shopify_order(i) for i in range(1, 6)]
    page[4]["financial_status"] = "refunded"
    page[0]["financial_status"] = "pending"
    page[1]["fulfillment_status"] = "partial"
    page[2].update(fulfillment_status="fulfilled", closed_at="2024-03-05T10:00:00Z")
    page[3]["shipping_lines"] = [{"title": "Local Pickup", "code": "pickup"}]
    records = shopify.parse_json(json.dumps(page).encode(), "p.json").records
    assert [(r.holds, r.fulfilled, r.pickup) for r in records] == [
        ((AWAITING_PAYMENT,), False, False),
        ((PARTLY_FULFILLED,), False, False),
        ((), True, False),
        ((), False, True),
        ((REFUNDED,), False, False),
    ]
    assert records[2].fulfilled_at is not None and records[2].fulfilled_at.day == 5
    lines = (DATA / "shopify_export.csv").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("#2001,"):
            lines[index] = line.replace(",paid,", ",pending,", 1)
        if line.startswith("#2002,"):
            lines[index] = line.replace(
                ",unfulfilled,,", ",fulfilled,2024-03-02 09:00:00 +0100,", 1
            )
    parsed = {r.number: r for r in shopify.parse_csv("\n".join(lines).encode(), "e.csv").records}
    assert parsed["#2001"].holds == (AWAITING_PAYMENT,) and not parsed["#2001"].fulfilled
    assert parsed["#2002"].fulfilled and parsed["#2002"].fulfilled_at is not None
    assert parsed["#2002"].fulfilled_at.hour == 8
    assert not parsed["#2003"].fulfilled and parsed["#2003"].holds == ()


def test_orders_hashed_before_the_status_fields_keep_their_hash() -> None:
    """Stored hashes stay valid: re-importing yesterday's file after an upgrade changes nothing
    unless the order now carries a status the old code did not read."""
    record = shopify.parse_json(json.dumps([shopify_order(1)]).encode(), "p.json").records[0]
    old_fields = [
        name for name in record.__dataclass_fields__
        if name not in {"ref", "fulfilled", "fulfilled_at", "holds", "pickup"}
    ]  # fmt: skip
    old = {name: _plain(getattr(record, name)) for name in old_fields}
    text = json.dumps(old, sort_keys=True, default=str, ensure_ascii=False)
    assert record.content_hash() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert replace(record, holds=(AWAITING_PAYMENT,)).content_hash() != record.content_hash()
    assert replace(record, fulfilled=True).content_hash() != record.content_hash()


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def test_an_error_body_detected_as_shopify_still_shows_the_channels_words() -> None:
    data = b'{"errors": "Not Found"}'
    with pytest.raises(SourceError, match="the channel sent an error instead of orders: Not Found"):
        formats.parse_orders(data, "orders.json")
    with pytest.raises(SourceError, match="not a Shopify order payload"):
        formats.parse_orders(b'{"products": []}', "orders.json")
