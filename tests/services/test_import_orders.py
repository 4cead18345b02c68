"""Importing order files: whole orders or nothing, updates, cancellations, audit, permissions."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select, update

from tests.channels.intake import DATA, orders, stocked, write
from wms_desk.channels.records import LOCAL_PICKUP
from wms_desk.db.models import AuditEvent, BinStock, Order, OrderLine, Reservation
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import csv_export
from wms_desk.services.catalog_import import import_stock
from wms_desk.services.context import ServiceContext
from wms_desk.services.imports import import_file


def _count(ctx: ServiceContext, model: type) -> int:
    with ctx.database.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _set_status(ctx: ServiceContext, number: str, status: str) -> None:
    with ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.number == number).values(status=status))


def _with_bad_order(tmp_path, name: str = "page.json"):
    """The Shopify sample page plus #1008, whose quantity is Infinity (issue 9 #2)."""
    payload = json.loads((DATA / "shopify_orders.json").read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(payload["orders"][2]))
    bad.update(id=450789499, name="#1008")
    bad["line_items"][0]["quantity"] = "Infinity"
    payload["orders"].append(bad)
    return write(tmp_path, name, json.dumps(payload))


def test_shopify_page_imports_good_orders_and_reports_bad_ones(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    result = import_file(system_ctx, _with_bad_order(tmp_path))
    assert result.to_json() == {
        "created": 6, "updated": 0, "unchanged": 0, "cancelled": 1, "rejected": 1,
        "errors": [{"ref": "page.json order #1008 (item 8)",
                    "message": "line 1 (SKU IPOD2008GREEN): quantity 'Infinity' is not a "
                               "positive integer"}],
    }  # fmt: skip
    found = orders(system_ctx)
    assert "#1008" not in found
    # Issue 8: the pickup order without an address is kept, on hold for review, not rejected.
    assert (found["#1006"].status, found["#1006"].hold_reason) == ("on_hold", LOCAL_PICKUP)
    assert found["#1006"].held_from == "new"
    assert found["#1002"].status == "cancelled"
    assert found["#1001"].status == "allocated"
    # The e-book needs no address and is never picked; lines without SKU are kept unpicked.
    assert [ln.pickable for ln in found["#1005"].lines] == [False]
    assert [(ln.sku, ln.pickable) for ln in found["#1007"].lines] == [
        ("IPOD2008BLACK", True), (None, False), (None, False),
    ]  # fmt: skip
    assert found["#1004"].ship_country == "DE" and found["#1004"].customer_name == "Zoë Müller"
    with system_ctx.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_type == "order")
        ).all()
    assert actions.count("order.imported") == 7 and actions.count("order.allocated") == 5


def test_an_order_with_one_bad_line_is_not_half_imported(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    text = (DATA / "shopify_export.csv").read_text(encoding="utf-8")
    # #2001's second line gets an unknown SKU, #2003's second line a zero quantity.
    text = text.replace(",2,IPod Nano - 8gb - red,199.00,,IPOD2008RED,", ",2,X,1,,NOPE-1,")
    text = text.replace("#2003,,,,,,,,,,,,,,,,2,", "#2003,,,,,,,,,,,,,,,,0,")
    result = import_file(system_ctx, write(tmp_path, "bad.csv", text))
    assert (result.created, result.cancelled, result.rejected) == (3, 1, 2)
    assert [(e.ref, e.message) for e in result.errors] == [
        ("bad.csv order #2001 (row 2)", "line 2 (SKU NOPE-1): unknown SKU 'NOPE-1'; "
         "import the product first"),
        ("bad.csv order #2003 (row 5)", "line 2 (SKU WC-MUG-BLU): quantity '0' is not a "
         "positive integer"),
    ]  # fmt: skip
    assert {"#2001", "#2003"}.isdisjoint(orders(system_ctx))
    with system_ctx.database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(OrderLine)) == 5


def test_strict_rejects_the_whole_file(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    result = import_file(system_ctx, _with_bad_order(tmp_path), strict=True)
    assert (result.created, result.rejected, len(result.errors)) == (0, 8, 1)
    assert _count(system_ctx, Order) == 0


def test_dry_run_counts_and_writes_nothing(system_ctx: ServiceContext) -> None:
    stocked(system_ctx)
    result = import_file(system_ctx, DATA / "woocommerce_orders.json", dry_run=True)
    assert (result.created, result.cancelled, result.rejected) == (5, 1, 0)
    assert _count(system_ctx, Order) == 0
    import_file(system_ctx, DATA / "woocommerce_orders.json")
    again = import_file(system_ctx, DATA / "woocommerce_orders.json", dry_run=True)
    assert (again.created, again.unchanged) == (0, 6)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.json", b"", "empty.json: the file is empty"),
        ("cut.json", b'{"orders": [{"id": 1,', "cut.json: line 1 column 22"),
        ("products.json", b'{"products": []}', "not a Shopify order payload"),
        ("latin1.csv", "Name,Lineitem sku,Lineitem quantity\n#1,S,1\n#2,Ü,1\n".encode("latin-1"),
         "latin1.csv: line 3 is not UTF-8"),
    ],
)  # fmt: skip
def test_unreadable_files_are_rejected_with_a_clear_message(
    system_ctx: ServiceContext, tmp_path, name: str, data: bytes, message: str
) -> None:
    fmt = "shopify-csv" if name.endswith(".csv") else "shopify-json"
    result = import_file(system_ctx, write(tmp_path, name, data), format=fmt)
    assert result.rejected == 1 and result.errors[0].ref == name
    assert message in result.errors[0].message
    assert _count(system_ctx, Order) == 0


def test_bom_file_imports(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    data = b"\xef\xbb\xbf" + (DATA / "shopify_export.csv").read_bytes()
    assert import_file(system_ctx, write(tmp_path, "bom.csv", data)).created == 5


def test_channel_update_cancel_and_locked_orders(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    payload = json.loads((DATA / "woocommerce_orders.json").read_text(encoding="utf-8"))
    by_number = {o["number"]: o for o in payload}
    by_number["723"]["status"] = "processing"  # the sample's 723 is completed (shipped)
    import_file(system_ctx, write(tmp_path, "w1.json", json.dumps(payload)))
    _set_status(system_ctx, "723", "picking")  # picking started: the channel may not change it
    _set_status(system_ctx, "730", "shipped")
    by_number["729"]["line_items"][1]["quantity"] = 1  # an update while still allocated
    by_number["723"]["customer_note"] = "too late"
    by_number["727"]["status"] = "cancelled"  # allocated: cancelled and its stock released
    by_number["730"]["status"] = "cancelled"  # shipped: flagged for the supervisor
    result = import_file(system_ctx, write(tmp_path, "w2.json", json.dumps(payload)))
    assert (result.created, result.updated, result.unchanged, result.cancelled) == (0, 2, 3, 1)
    assert [e.ref for e in result.errors] == ["w2.json order 723 (item 2)"]
    found = orders(system_ctx)
    assert [ln.qty for ln in found["729"].lines] == [1, 1] and found["729"].status == "allocated"
    assert found["723"].status == "picking" and found["723"].notes == ""
    assert "picking" in (found["723"].attention or "")
    assert found["727"].status == "cancelled"
    assert found["730"].status == "shipped" and "after it shipped" in found["730"].attention
    with system_ctx.database.read_session() as session:
        held = session.scalar(
            select(func.sum(Reservation.qty))
            .join(OrderLine)
            .where(OrderLine.order_id == found["727"].id)
        )
        assert held is None
        assert session.scalar(select(func.sum(BinStock.reserved))) == session.scalar(
            select(func.sum(Reservation.qty))
        )


def test_formula_like_customer_is_stored_as_text_and_neutralised_on_export(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, DATA / "shopify_export.csv")
    assert orders(system_ctx)["#2004"].customer_name.startswith('=HYPERLINK("')
    out = tmp_path / "orders.csv"
    assert csv_export.export_orders_csv(system_ctx, out) == 6
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    stream = io.StringIO()
    csv_export.write_csv(stream, ["a"], [["+1"], ["@x"], ["ok"]])
    assert stream.getvalue().splitlines() == ["a", "'+1", "'@x", "ok"]


def test_a_packer_cannot_import_or_count_stock(make_ctx) -> None:
    packer = make_ctx(Role.PACKER)
    with pytest.raises(PermissionDenied):
        import_file(packer, DATA / "shopify_orders.json")
    with pytest.raises(PermissionDenied):
        import_stock(packer, DATA / "stock.csv")


def test_an_update_to_a_held_order_gives_its_stock_back_until_released(
    system_ctx: ServiceContext, tmp_path
) -> None:
    from wms_desk.services.orders import hold_orders, release_orders

    stocked(system_ctx)
    import_file(system_ctx, DATA / "woocommerce_orders.json")
    order_id = orders(system_ctx)["729"].id
    hold_orders(system_ctx, [order_id], "address check")
    payload = json.loads((DATA / "woocommerce_orders.json").read_text(encoding="utf-8"))
    next(o for o in payload if o["number"] == "729")["line_items"][1]["quantity"] = 5
    result = import_file(system_ctx, write(tmp_path, "w.json", json.dumps(payload)))
    assert result.updated == 1
    held = orders(system_ctx)["729"]
    assert (held.status, held.held_from) == ("on_hold", "new")
    with system_ctx.database.read_session() as session:
        line_ids = [line.id for line in held.lines]
        assert (
            session.scalar(select(func.count()).where(Reservation.order_line_id.in_(line_ids))) == 0
        )
    [released] = release_orders(system_ctx, [order_id], "checked")
    assert released.status == "allocated"  # 6 mugs: 10 in stock, 1 taken by order 730
