"""Allocation: pick-sequence order, whole-order backorders, re-runs on stock and release."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.channels.intake import DATA, orders, stocked, write
from wms_desk.db.models import Bin, BinStock, Reservation
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import orders as order_actions
from wms_desk.services.allocation import adjust_stock, run_allocation, stock_holders
from wms_desk.services.catalog_import import import_stock
from wms_desk.services.context import ServiceContext
from wms_desk.services.imports import import_file
from wms_desk.services.stock import reconcile


def _woo(tmp_path, *orders_: dict) -> object:
    base = json.loads((DATA / "woocommerce_order.json").read_text(encoding="utf-8"))
    payload = []
    for spec in orders_:
        order = json.loads(json.dumps(base))
        order.update(id=spec["id"], number=str(spec["id"]))
        order["line_items"] = [
            {"id": spec["id"] * 10 + n, "name": sku, "sku": sku, "quantity": qty, "price": 1}
            for n, (sku, qty) in enumerate(spec["lines"])
        ]
        payload.append(order)
    return write(tmp_path, f"w{orders_[0]['id']}.json", json.dumps(payload))


def _reservations(ctx: ServiceContext, number: str) -> list[tuple[str, int]]:
    order = orders(ctx)[number]
    with ctx.database.read_session() as session:
        rows = session.execute(
            select(Bin.code, Reservation.qty)
            .join(Bin, Bin.id == Reservation.bin_id)
            .where(Reservation.order_line_id.in_([ln.id for ln in order.lines]))
            .order_by(Bin.pick_sequence)
        )
        return [tuple(row) for row in rows]


def test_allocates_by_pick_sequence_across_bins(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    # A second bin for the mug, earlier on the route than B-02-01 once its sequence is set.
    import_stock(system_ctx, write(tmp_path, "more.csv", "bin,sku,qty\nC-09-09,WC-MUG-BLU,3\n"))
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(Bin.__table__.update().where(Bin.code == "C-09-09").values(pick_sequence=1))
    import_file(system_ctx, _woo(tmp_path, {"id": 900, "lines": [("WC-MUG-BLU", 5)]}))
    assert orders(system_ctx)["900"].status == "allocated"
    assert _reservations(system_ctx, "900") == [("C-09-09", 3), ("B-02-01", 2)]
    with system_ctx.database.read_session() as session:
        assert reconcile(session) == []


def test_backorders_whole_orders_and_retries_when_stock_arrives(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    # Hoodie: 1 in stock. #901 takes it; #902 wants 2 and waits holding nothing.
    import_file(
        system_ctx,
        _woo(
            tmp_path,
            {"id": 901, "lines": [("WC-HOODIE-GRY-L", 1)]},
            {"id": 902, "lines": [("WC-MUG-BLU", 1), ("WC-HOODIE-GRY-L", 2)]},
        ),
    )
    found = orders(system_ctx)
    assert (found["901"].status, found["902"].status) == ("allocated", "backordered")
    assert _reservations(system_ctx, "902") == []

    wait = stock_holders(system_ctx, found["902"].id)
    hoodie = next(line for line in wait.lines if line.sku == "WC-HOODIE-GRY-L")
    assert (hoodie.needed, hoodie.free, hoodie.missing) == (2, 0, 2)
    assert [(h.number, h.bin_code, h.qty) for h in hoodie.holders] == [("901", "B-02-03", 1)]

    result = import_stock(
        system_ctx, write(tmp_path, "s.csv", "bin,sku,qty\nB-02-03,WC-HOODIE-GRY-L,3\n")
    )
    assert result.updated == 1
    assert orders(system_ctx)["902"].status == "allocated"
    assert _reservations(system_ctx, "902") == [("B-02-01", 1), ("B-02-03", 2)]


def test_higher_priority_order_is_served_first(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx, stock=False)
    import_file(
        system_ctx,
        _woo(tmp_path, {"id": 910, "lines": [("Bar3", 2)]}, {"id": 911, "lines": [("Bar3", 2)]}),
    )
    found = orders(system_ctx)
    order_actions.set_priority(system_ctx, [found["911"].id], 5)
    import_stock(system_ctx, write(tmp_path, "s.csv", "bin,sku,qty\nB-02-02,Bar3,2\n"))
    found = orders(system_ctx)
    assert (found["910"].status, found["911"].status) == ("backordered", "allocated")


def test_release_from_hold_allocates_again(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx, stock=False)
    import_file(system_ctx, _woo(tmp_path, {"id": 920, "lines": [("Bar3", 1)]}))
    order_id = orders(system_ctx)["920"].id
    order_actions.hold_orders(system_ctx, [order_id], "customer called")
    # Stock counted in while the order is held: it stays held until released.
    import_stock(system_ctx, write(tmp_path, "s.csv", "bin,sku,qty\nB-02-02,Bar3,4\n"))
    assert orders(system_ctx)["920"].status == "on_hold"
    [summary] = order_actions.release_orders(system_ctx, [order_id], "ok")
    assert summary.status == "allocated"
    assert _reservations(system_ctx, "920") == [("B-02-02", 1)]


def test_adjust_stock_counts_and_reallocates(
    system_ctx: ServiceContext, make_ctx, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, {"id": 930, "lines": [("Bar3", 5)]}))
    assert orders(system_ctx)["930"].status == "backordered"
    supervisor = make_ctx(Role.SUPERVISOR)
    result = adjust_stock(supervisor, "B-02-02", "Bar3", 6, "found a carton")
    assert (result.bin.on_hand, result.bin.reserved) == (6, 5)
    assert result.allocation.allocated == 1
    with pytest.raises(PermissionDenied):
        adjust_stock(make_ctx(Role.PACKER), "B-02-02", "Bar3", 9, "x")
    with system_ctx.database.read_session() as session:
        assert reconcile(session) == []
        assert session.scalar(select(BinStock.reserved).where(BinStock.reserved == 5)) == 5


def test_run_allocation_leaves_allocated_orders_alone(system_ctx: ServiceContext) -> None:
    stocked(system_ctx)
    import_file(system_ctx, DATA / "woocommerce_orders.json")
    outcome = run_allocation(system_ctx)
    assert (outcome.allocated, outcome.backordered) == (0, 0)
