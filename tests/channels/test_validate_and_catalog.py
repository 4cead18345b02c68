"""Import rules per order, and the catalogue and stock file parsers."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from wms_desk.channels.catalog import parse_products, parse_stock
from wms_desk.channels.records import Address, LineRecord, OrderRecord, SourceError
from wms_desk.channels.validate import lacks_ship_to, validate_order

DATA = Path(__file__).parent / "data"
HOME = Address(name="Ann", street1="1 Main St", city="Leeds", postal_code="LS1", country="GB")


def _order(*lines: LineRecord, ship_to: Address | None = HOME) -> OrderRecord:
    return OrderRecord("f.csv order A1 (row 2)", "A1", "A1", lines, ship_to=ship_to)


def _messages(record: OrderRecord, **kwargs: object) -> list[str]:
    errors = validate_order(record, **kwargs)
    assert all(e.ref == record.ref for e in errors)
    return [e.message for e in errors]


def test_a_good_order_passes() -> None:
    assert _messages(_order(LineRecord(1, "S1", "x", 2)), known_skus={"S1"}) == []


@pytest.mark.parametrize("qty", [0, -1, "1.5", "two", ""])
def test_quantity_must_be_a_positive_integer(qty: object) -> None:
    assert _messages(_order(LineRecord(1, "S1", "x", qty))) == [
        f"line 1 (SKU S1): quantity {str(qty)!r} is not a positive integer"
    ]


def test_unknown_sku_names_the_line() -> None:
    order = _order(LineRecord(1, "S1", "x", 1), LineRecord(2, "NOPE", "y", 1))
    assert _messages(order, known_skus={"S1"}) == [
        "line 2 (SKU NOPE): unknown SKU 'NOPE'; import the product first"
    ]


def test_missing_ship_to_holds_physical_items_and_rejects_nothing() -> None:
    physical = _order(LineRecord(1, "S1", "x", 1), ship_to=None)
    # Issue 8: a pickup order (no address) is imported on hold for review, never rejected whole.
    assert _messages(physical) == []
    assert lacks_ship_to(physical)
    assert not lacks_ship_to(physical, digital_skus={"S1"})
    assert not lacks_ship_to(_order(LineRecord(1, None, "gift wrap", 1), ship_to=None))
    assert not lacks_ship_to(replace(physical, cancelled=True))
    assert not lacks_ship_to(replace(physical, fulfilled=True))
    no_country = _order(LineRecord(1, "S1", "x", 1), ship_to=replace(HOME, country=""))
    assert _messages(no_country) == ["ship-to country is missing"]


def test_bad_country_code_and_duplicate_line() -> None:
    order = _order(
        LineRecord(1, "S1", "x", 1, external_line_id="L1"),
        LineRecord(2, "S1", "x", 1, external_line_id="L1"),
        ship_to=replace(HOME, country="Germany"),
    )
    assert _messages(order) == [
        "line 2 (SKU S1): duplicate line: line id L1 is also line 1",
        "ship-to country 'Germany' is not an ISO two-letter code",
    ]


def test_two_lines_of_one_sku_are_not_duplicates() -> None:
    order = _order(
        LineRecord(1, "S1", "x", 1, external_line_id="L1"),
        LineRecord(2, "S1", "x", 2, external_line_id="L2"),
    )
    assert _messages(order) == []


def test_content_hash_ignores_the_file_reference_only() -> None:
    order = _order(LineRecord(1, "S1", "x", 1))
    assert order.content_hash() == replace(order, ref="other.csv row 9").content_hash()
    assert order.content_hash() != replace(order, cancelled=True).content_hash()


def test_products_csv() -> None:
    result = parse_products((DATA / "products.csv").read_bytes(), "products.csv")
    products = {p.sku: p for p in result.records}
    assert not result.errors and len(products) == 8
    green = products["IPOD2008GREEN"]
    assert green.barcodes == ("885909000001", "885909000011") and green.fragile
    assert green.weight_g == Decimal("200") and green.length_mm == 90
    assert products["EBOOK-WH-101"].is_digital and products["WC-EBOOK-01"].is_digital


def test_products_csv_errors_name_row_and_field() -> None:
    text = (
        "sku,name,barcodes,weight_g,length_mm,width_mm,height_mm,hs_code,origin_country,flags\n"
        "A,Apple,,1,,,,,XX,\n"
        "B,Pear,,heavy,,,,,,\n"
        "C,Plum,,1,,,,,,shiny\n"
        "A,Apple again,,1,,,,,,\n"
        "D,Date,,1,,,,,,\n"
    )
    result = parse_products(text.encode(), "p.csv")
    assert [r.sku for r in result.records] == ["D"] and result.total == 5
    assert [(e.ref, e.message.split(":")[0]) for e in result.errors] == [
        ("p.csv row 2 (SKU A)", "origin_country"),
        ("p.csv row 3 (SKU B)", "weight_g"),
        ("p.csv row 4 (SKU C)", "flags"),
        ("p.csv row 5 (SKU A)", "duplicate SKU"),
    ]


def test_shopify_products_json() -> None:
    data = (
        b'{"products": [{"id": 1, "title": "Shirt", "variants": ['
        b'{"id": 11, "sku": "SH-S", "title": "S", "barcode": "123", "grams": 180},'
        b'{"id": 12, "sku": "", "title": "M"}]}]}'
    )
    result = parse_products(data, "products.json")
    assert [(p.sku, p.name, p.barcodes) for p in result.records] == [
        ("SH-S", "Shirt - S", ("123",))
    ]
    assert result.errors[0].message == "variant has no SKU"
    with pytest.raises(SourceError, match="not a Shopify products payload"):
        parse_products(b'{"orders": []}', "x.json")


def test_stock_csv() -> None:
    result = parse_stock((DATA / "stock.csv").read_bytes(), "stock.csv")
    assert len(result.records) == 6 and result.records[0].qty == 5
    bad = parse_stock(b"bin,sku,qty\nA,S,-1\nA,S,2\nA,S,3\n,S,1\n", "s.csv")
    assert [e.message for e in bad.errors] == [
        "qty '-1' is not a whole number of 0 or more",
        "duplicate bin and SKU: also row 3",
        "bin and sku must both be given",
    ]
    with pytest.raises(SourceError, match="missing column"):
        parse_stock(b"where,what\n", "s.csv")
