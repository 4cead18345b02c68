"""`wms-desk orders show` and `--channel`: the JSON keys are a contract, on both backends."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from wms_desk.cli.main import main
from wms_desk.db.models import Order, OrderLine, Package
from wms_desk.services import orders
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database

TOP_KEYS = {
    "number",
    "channel",
    "status",
    "priority",
    "ship_by",
    "ship_to",
    "currency",
    "shipping_paid",
    "lines",
    "packages",
    "shipments",
    "holds",
    "events",
    "delivered_at",  # tracking (issue 11 item 6): every live shipment delivered
}
# The pack issue added `verified` and `barcodes` per line, `expected_weight_g` per package and
# `judged` per event (what a pick/pack scan was judged; null for other events).
LINE_KEYS = {
    "sku", "name", "ordered", "allocated", "picked", "packed", "shipped", "returned",
    "verified", "barcodes",
    # The returns issue: what the customer paid per line.
    "unit_price", "discount", "tax",
}  # fmt: skip
PACKAGE_KEYS = {"number", "carton", "weight_g", "items", "expected_weight_g"}
EVENT_KEYS = {"at", "what", "who", "station", "judged"}


def _show(wms, *args: str) -> dict:
    code, out, err = wms("orders", "show", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_show_json_has_every_key_with_what_the_order_went_through(
    wms, make_order, system_ctx: ServiceContext, database: Database
) -> None:
    order_id = make_order("5001", lines=2, packages=1)
    orders.hold_orders(system_ctx, [order_id], "Address check")
    orders.release_orders(system_ctx, [order_id], "customer confirmed")
    orders.hold_orders(system_ctx, [order_id], "Fraud review")
    orders.set_priority(system_ctx, [order_id], 3)
    with database.write_session() as session, session.begin():
        session.execute(
            update(OrderLine)
            .where(OrderLine.order_id == order_id, OrderLine.line_no == 1)
            .values(picked_qty=2, packed_qty=1)
        )
        session.execute(update(Package).where(Package.order_id == order_id).values(carton="M"))

    shown = _show(wms, "5001")
    assert shown.keys() == TOP_KEYS
    assert (shown["number"], shown["channel"], shown["status"]) == ("5001", "shop-1", "on_hold")
    assert shown["priority"] == 3 and shown["ship_by"] is None
    assert shown["ship_to"]["name"] == "Zoë Müller" and shown["ship_to"]["city"] == "Berlin"
    assert shown["ship_to"]["postal_code"] == "10623" and shown["ship_to"]["country"] == "DE"

    assert [line.keys() for line in shown["lines"]] == [LINE_KEYS, LINE_KEYS]
    first, second = shown["lines"]
    assert (first["sku"], first["name"]) == ("SKU-1-000", "Widget 0 (5001)")
    # make_order reserves every line in full: allocated comes from the reservations.
    assert [first[k] for k in ("ordered", "allocated", "picked", "packed")] == [2, 2, 2, 1]
    assert [second[k] for k in ("picked", "packed", "shipped", "returned")] == [0, 0, 0, 0]

    (package,) = shown["packages"]
    assert package.keys() >= PACKAGE_KEYS
    assert package["number"] == 1 and package["carton"] == "M"
    assert Decimal(package["weight_g"]) == 500 and package["items"] == []
    assert shown["shipments"] == []

    released, active = shown["holds"]
    assert (released["reason"], released["active"]) == ("Address check", False)
    assert released["released_at"] is not None and released["at"] <= released["released_at"]
    assert (active["reason"], active["active"], active["released_at"]) == (
        "Fraud review",
        True,
        None,
    )

    events = shown["events"]
    assert all(e.keys() == EVENT_KEYS for e in events)
    whats = [e["what"].split(":")[0] for e in events]
    assert whats == ["order.held", "order.released", "order.held", "order.priority_set"]
    assert "Fraud review" in events[2]["what"] and "allocated → on_hold" in events[0]["what"]
    assert {(e["who"], e["station"]) for e in events} == {("System", "test-station")}
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert events[0]["at"].endswith("+00:00")  # UTC, with its offset


def test_a_shipped_order_shipped_what_it_packed(wms, make_order, database: Database) -> None:
    order_id = make_order("5002", lines=1, packages=1)
    with database.write_session() as session, session.begin():
        session.execute(update(OrderLine).values(picked_qty=2, packed_qty=2))
        session.execute(update(Order).where(Order.id == order_id).values(status="shipped"))
    (line,) = _show(wms, "5002")["lines"]
    assert (line["packed"], line["shipped"], line["returned"]) == (2, 2, 0)


def test_the_scanned_slip_barcode_is_taken_as_the_number(wms, make_order, tmp_path) -> None:
    make_order("5003", lines=1)
    assert _show(wms, "ORD:5003") == _show(wms, "5003")
    code, _, err = wms("print", "slip", "ORD:5003", "--out", str(tmp_path / "slip.pdf"))
    assert code == 0, err


def test_the_readable_summary(wms, make_order, system_ctx: ServiceContext) -> None:
    order_id = make_order("5004", lines=2)
    orders.hold_orders(system_ctx, [order_id], "Waiting for stock")
    code, out, err = wms("orders", "show", "5004")
    assert code == 0, err
    assert out.startswith("Order 5004 (shop-1)  ON_HOLD")
    assert "Zoë Müller, Straße des 17. Juni 135, 10623 Berlin, DE" in out
    assert "SKU-1-000" in out and "Widget 1 (5004)" in out
    assert "Packages: none yet" in out and "Hold: Waiting for stock" in out
    assert "System at test-station: order.held" in out


def test_a_number_two_channels_use_needs_channel(wms, make_order, tmp_path: Path) -> None:
    make_order("7001", lines=1, ship_name="First Customer")
    make_order("7001", lines=2, ship_name="Second Customer")
    code, out, err = wms("orders", "show", "7001", "--json")
    assert code == 1 and out == ""
    assert "shop-1" in err and "shop-2" in err and "--channel" in err

    second = _show(wms, "7001", "--channel", "shop-2")
    assert second["channel"] == "shop-2" and second["ship_to"]["name"] == "Second Customer"
    assert _show(wms, "ORD:7001", "--channel", "shop-1")["ship_to"]["name"] == "First Customer"

    code, _, err = wms("orders", "show", "7001", "--channel", "shop-9")
    assert code == 1 and "channel 'shop-9'" in err and "shop-1, shop-2" in err

    for command in (
        ("print", "slip", "7001"),
        ("print", "picklist", "7001"),
        ("print", "label", "7001", "--format", "zpl"),
        ("print", "sscc", "7001", "--format", "zpl"),
    ):
        out_file = tmp_path / f"{command[1]}.out"
        code, _, err = wms(*command, "--out", str(out_file))
        assert code == 1 and "shop-1, shop-2" in err and "--channel" in err, command
        assert not out_file.exists()
        code, _, err = wms(*command, "--channel", "shop-2", "--out", str(out_file))
        assert code == 0, (command, err)
        assert out_file.stat().st_size > 0


def test_an_unknown_order_is_exit_1(wms) -> None:
    code, out, err = wms("orders", "show", "NOPE-9", "--json")
    assert code == 1 and out == "" and "no order 'NOPE-9'" in err


def test_show_is_listed_beside_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["orders", "--help"])
    help_text = capsys.readouterr().out
    assert "show" in help_text and "list" in help_text
