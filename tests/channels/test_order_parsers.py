"""Parsing real-shaped Shopify, WooCommerce and mapped-CSV order files into records."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from wms_desk.channels import generic_csv, shopify, woocommerce
from wms_desk.channels.formats import detect_format, parse_orders
from wms_desk.channels.records import SourceError

DATA = Path(__file__).parent / "data"

PROFILE = generic_csv.Profile(
    "marketplace",
    {
        "external_id": "Order Ref", "ordered_at": "Placed", "customer_name": "Customer",
        "ship_street1": "Street", "ship_city": "Town", "ship_postal_code": "Postcode",
        "ship_country": "Country", "sku": "Item", "qty": "Qty", "unit_price": "Price",
        "ship_by": "Ship By", "cancelled": "Cancelled",
    },
)  # fmt: skip


def _by_number(result):
    return {r.number: r for r in result.records}


def test_shopify_json_page_with_every_variant() -> None:
    result = shopify.parse_json((DATA / "shopify_orders.json").read_bytes(), "orders.json")
    orders = _by_number(result)
    assert result.total == 7 and not result.errors
    assert orders["#1002"].cancelled and not orders["#1001"].cancelled
    assert [(ln.sku, ln.qty) for ln in orders["#1003"].lines] == [
        ("IPOD2008GREEN", 1),
        ("IPOD2008GREEN", 2),
    ]
    # The sample's names are decomposed (NFD); stored composed so searches match.
    assert orders["#1004"].ship_to is not None
    assert orders["#1004"].ship_to.name == "Zo\u00eb M\u00fcller"
    assert orders["#1005"].ship_to is None and not orders["#1005"].lines[0].requires_shipping
    assert orders["#1006"].ship_to is None
    assert [ln.sku for ln in orders["#1007"].lines] == ["IPOD2008BLACK", None, None]
    first = orders["#1001"]
    assert first.external_id == "450789469"
    assert first.total == Decimal("598.94") and first.ship_to and first.ship_to.country == "US"


def test_shopify_single_order_payload() -> None:
    result = shopify.parse_json((DATA / "shopify_order.json").read_bytes(), "one.json")
    assert [r.number for r in result.records] == ["#1001"]


def test_shopify_export_csv_groups_rows_of_one_order() -> None:
    result = shopify.parse_csv((DATA / "shopify_export.csv").read_bytes(), "export.csv")
    orders = _by_number(result)
    assert not result.errors and set(orders) == {f"#200{i}" for i in range(1, 7)}
    first = orders["#2001"]
    assert [(ln.sku, ln.qty) for ln in first.lines] == [("IPOD2008GREEN", 1), ("IPOD2008RED", 2)]
    assert first.ship_to and first.ship_to.postal_code == "02134"  # Shopify's leading apostrophe
    assert first.tags == ("vip", "express") and first.external_id == "5551001"
    assert orders["#2002"].cancelled
    assert orders["#2003"].notes == "Bitte beim Nachbarn abgeben,\nHinterhaus"
    assert orders["#2003"].ship_to and orders["#2003"].ship_to.city == "K\u00f6ln"
    assert orders["#2004"].customer_name.startswith("=HYPERLINK(")  # stored as text, as it came
    assert orders["#2005"].ship_to is None
    assert orders["#2006"].lines[1].sku is None


def test_woocommerce_list() -> None:
    result = woocommerce.parse_json((DATA / "woocommerce_orders.json").read_bytes(), "woo.json")
    orders = _by_number(result)
    assert result.total == 6
    assert orders["728"].cancelled
    assert orders["730"].ship_to and orders["730"].ship_to.street1 == "Hauptstra\u00dfe 5"
    assert orders["731"].ship_to is None
    assert orders["727"].lines[0].sku is None and orders["727"].lines[1].sku == "Bar3"
    assert orders["727"].ordered_at is not None and orders["727"].ordered_at.hour == 19


def test_woocommerce_single_order() -> None:
    result = woocommerce.parse_json((DATA / "woocommerce_order.json").read_bytes(), "w.json")
    assert [r.external_id for r in result.records] == ["727"]


def test_generic_csv_with_profile_and_sniffed_semicolons() -> None:
    data = (DATA / "generic_orders.csv").read_bytes()
    result = generic_csv.parse(data, "m.csv", profile=PROFILE)
    orders = _by_number(result)
    assert [(ln.sku, ln.qty) for ln in orders["M-100"].lines] == [("WC-MUG-BLU", 2), ("Bar3", 1)]
    assert orders["M-100"].ship_by is not None and orders["M-103"].cancelled
    assert orders["M-102"].customer_name == "+cmd|' /C calc'!A0"


def test_generic_csv_tab_delimited_and_missing_column() -> None:
    text = "Order Ref\tItem\tQty\nA1\tSKU1\t2\n"
    profile = generic_csv.Profile("t", {"external_id": "Order Ref", "sku": "Item", "qty": "Qty"})
    result = generic_csv.parse(text.encode(), "t.tsv", profile=profile)
    assert [(r.external_id, r.lines[0].qty) for r in result.records] == [("A1", 2)]
    bad = generic_csv.Profile("t", {"external_id": "Ref", "qty": "Qty"})
    with pytest.raises(SourceError, match="'Ref'"):
        generic_csv.parse(text.encode(), "t.tsv", profile=bad)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shopify_orders.json", "shopify-json"),
        ("woocommerce_orders.json", "woocommerce-json"),
        ("shopify_export.csv", "shopify-csv"),
        ("generic_orders.csv", "csv"),
    ],
)
def test_detect_format(name: str, expected: str) -> None:
    assert detect_format(name, (DATA / name).read_bytes()) == expected


def test_latin1_file_names_the_line_unless_the_encoding_is_chosen() -> None:
    text = (DATA / "generic_orders.csv").read_text(encoding="utf-8")
    data = text.encode("latin-1")
    with pytest.raises(SourceError, match=r"m\.csv: line 4 is not UTF-8 \(byte 0xfc\)"):
        generic_csv.parse(data, "m.csv", profile=PROFILE)
    result = generic_csv.parse(data, "m.csv", encoding="latin-1", profile=PROFILE)
    assert _by_number(result)["M-101"].customer_name == "J\u00fcrgen Gro\u00df"


def test_utf8_with_bom_reads_the_first_column() -> None:
    data = b"\xef\xbb\xbf" + (DATA / "generic_orders.csv").read_bytes()
    result = generic_csv.parse(data, "m.csv", profile=PROFILE)
    assert len(result.records) == 4


@pytest.mark.parametrize("fmt", ["shopify-json", "woocommerce-json", "shopify-csv"])
def test_empty_file(fmt: str) -> None:
    with pytest.raises(SourceError, match=r"empty\.x: the file is empty"):
        parse_orders(b"  \n", "empty.x", fmt)


def test_truncated_json_names_line_and_column() -> None:
    data = (DATA / "shopify_orders.json").read_bytes()[:1500]
    with pytest.raises(SourceError, match=r"cut\.json: line \d+ column \d+.*truncated"):
        parse_orders(data, "cut.json", "shopify-json")


def test_json_that_is_not_an_order_payload() -> None:
    with pytest.raises(SourceError, match="not a Shopify order payload"):
        parse_orders(b'{"products": []}', "p.json", "shopify-json")
    with pytest.raises(SourceError, match="not a WooCommerce order payload"):
        parse_orders(b'[{"id": 1}]', "p.json", "woocommerce-json")


def test_truncated_csv_inside_a_quoted_field() -> None:
    data = (DATA / "shopify_export.csv").read_bytes()
    cut = data[: data.index(b"Bitte") + 10]
    with pytest.raises(SourceError, match=r"cut\.csv: line \d+: .*truncated"):
        parse_orders(cut, "cut.csv", "shopify-csv")


def test_ragged_row_rejects_only_its_own_order() -> None:
    data = (DATA / "shopify_export.csv").read_bytes()
    lines = data.split(b"\n")
    # Cut the second row of #2001 short: the whole order is rejected, the others kept.
    lines[2] = lines[2][:40]
    result = shopify.parse_csv(b"\n".join(lines), "x.csv")
    assert "#2001" not in _by_number(result) and len(result.records) == 5
    assert result.errors[0].ref.startswith("x.csv order #2001")
    assert "columns" in result.errors[0].message and result.total == 6


def test_bad_order_in_a_json_page_is_reported_alone() -> None:
    data = b'{"orders": [{"id": 1, "name": "#1", "line_items": "oops"}, 5]}'
    result = shopify.parse_json(data, "p.json")
    assert [(e.ref, e.message) for e in result.errors] == [
        ("p.json order #1 (item 1)", "line_items: missing or not a list"),
        ("p.json item 2", "is not an order object"),
    ]
