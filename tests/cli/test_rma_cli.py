"""`wms-desk rma ...` and the returns fields of `orders show --json`: a contract, both backends."""

from __future__ import annotations

import csv
import json

import pytest

from tests.services.test_rma_support import seed_catalogue, shipped_order
from wms_desk.services.context import ServiceContext

SHOW_KEYS = {
    "number",
    "barcode",
    "order",
    "status",
    "resolution",
    "unexpected",
    "return_tracking",
    "created_at",
    "lines",
    "received",
    "dispositions",
    "refund",
    "replacement_order",
    "events",
}
REFUND_KEYS = {
    "method",
    "reference",
    "currency",
    "goods",
    "discount",
    "tax",
    "restocking_fee",
    "shipping",
    "total",
    "at",
}


@pytest.fixture
def shop(system_ctx: ServiceContext) -> ServiceContext:
    seed_catalogue(system_ctx)
    shipped_order(
        system_ctx,
        "9001",
        [("MUG", 2, "10.00", "1.00", "1.90"), ("TEE", 1, "25.00", "0", "2.50")],
        shipping="5.00",
    )
    return system_ctx


def test_create_receive_show_resolve_and_export(wms, shop, tmp_path) -> None:
    code, out, err = wms(
        "rma", "create", "9001", "--line", "MUG:2:no-longer-needed", "--line", "TEE:1:damaged"
    )
    assert code == 0, err
    number = out.strip()
    assert number.startswith("R")

    code, out, err = wms(
        "rma",
        "receive",
        number,
        "--item",
        "MUG:2:new:restock:A-01-01",
        "--item",
        "TEE:1:damaged:scrap",
    )
    assert code == 0, err

    code, out, err = wms("rma", "resolve", number, "--method", "card", "--reference", "PSP-7")
    assert code == 0, err

    code, out, err = wms("rma", "show", number, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert set(shown) == SHOW_KEYS
    assert shown["status"] == "resolved" and shown["order"] == "9001"
    assert [(ln["sku"], ln["qty"], ln["received"], ln["reason"]) for ln in shown["lines"]] == [
        ("MUG", 2, 2, "no_longer_needed"),
        ("TEE", 1, 1, "damaged"),
    ]
    assert shown["dispositions"] == {"restock": 2, "scrap": 1}
    assert set(shown["refund"]) == REFUND_KEYS
    # Mugs 20.00 - 1.00 + 1.90 less 15% of 19.00 (2.85); tee 25.00 + 2.50; shipping 5.00.
    assert shown["refund"]["restocking_fee"] == "2.85"
    assert shown["refund"]["total"] == "50.55"

    code, out, err = wms("rma", "list", "--status", "resolved", "--json")
    assert code == 0, err
    assert [r["number"] for r in json.loads(out)] == [number]
    code, out, _ = wms("rma", "list", "--status", "open", "--json")
    assert json.loads(out) == []

    csv_path, json_path = tmp_path / "refunds.csv", tmp_path / "refunds.json"
    assert wms("rma", "export-refunds", "--since", "2020-01-01", "--out", str(csv_path))[0] == 0
    assert wms("rma", "export-refunds", "--since", "2020-01-01", "--out", str(json_path))[0] == 0
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["rma"], r["order"], r["total"], r["reference"]) for r in rows] == [
        (number, "9001", "50.55", "PSP-7")
    ]
    assert json.loads(json_path.read_text(encoding="utf-8"))[0]["total"] == "50.55"
    assert wms("rma", "export-refunds", "--since", "2999-01-01", "--out", str(csv_path))[0] == 0
    with csv_path.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 0

    code, out, err = wms("orders", "show", "9001", "--json")
    assert code == 0, err
    order = json.loads(out)
    assert (order["currency"], order["shipping_paid"], order["status"]) == (
        "EUR",
        "5.00",
        "returned",
    )
    mug = order["lines"][0]
    assert (mug["returned"], mug["unit_price"], mug["discount"], mug["tax"]) == (
        2,
        "10.00",
        "1.00",
        "1.90",
    )


def test_create_json_and_refusals_exit_1_with_a_message(wms, shop) -> None:
    code, out, err = wms(
        "rma", "create", "9001", "--line", "MUG:1:damaged", "--json", "--resolution", "exchange"
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["barcode"] == "RMA:" + created["number"] and created["units"] == 1
    code, out, err = wms("rma", "create", "9001", "--line", "MUG:5:damaged")
    assert code == 1 and "at most 1 more" in err
    code, out, err = wms("rma", "create", "9001", "--line", "MUG:1:broken")
    assert code == 1 and "not a return reason" in err
    code, out, err = wms("rma", "receive", created["number"], "--item", "MUG:1:new:restock")
    assert code == 1 and "restock needs the bin" in err
    code, out, err = wms("rma", "show", "R9999999")
    assert code == 1 and "no return" in err


def test_slip_pdf_carries_the_rma_barcode_that_the_station_scans(wms, shop, tmp_path) -> None:
    from tests.printing.helpers import decode_pages, page_texts

    code, out, err = wms("rma", "create", "9001", "--line", "TEE:1:wrong_item")
    assert code == 0, err
    number = out.strip()
    pdf_path = tmp_path / "slip.pdf"
    code, out, err = wms("rma", "slip", number, "--out", str(pdf_path))
    assert code == 0, err
    pdf = pdf_path.read_bytes()
    (codes,) = decode_pages(pdf)
    assert ("Code128", "RMA:" + number) in codes
    (text,) = page_texts(pdf)
    assert "TEE" in text and "wrong item" in text and "Order 9001" in text
