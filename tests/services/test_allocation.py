"""Allocation: pick-sequence order, whole-order backorders, re-runs on stock and release."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.channels.intake import DATA, orders, stocked, write
from wms_desk.db.models import Bin, BinStock, Order, Reservation
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import inventory
from wms_desk.services import orders as order_actions
from wms_desk.services.allocation import (
    AllocatedOrder,
    Reallocation,
    adjust_stock,
    reallocate_backorders,
    run_allocation,
    stock_holders,
)
from wms_desk.services.catalog_import import import_stock
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
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


# --- issue 8: backorders are served as soon as stock is free ---------------------------------


def _holder_and_waiter(ctx: ServiceContext, tmp_path) -> tuple[int, int]:
    """Hoodie: 1 in stock; #950 holds it, #951 waits for it."""
    stocked(ctx)
    import_file(
        ctx,
        _woo(
            tmp_path,
            {"id": 950, "lines": [("WC-HOODIE-GRY-L", 1)]},
            {"id": 951, "lines": [("WC-HOODIE-GRY-L", 1), ("WC-MUG-BLU", 2)]},
        ),
    )
    found = orders(ctx)
    assert (found["950"].status, found["951"].status) == ("allocated", "backordered")
    return found["950"].id, found["951"].id


def test_a_cancel_gives_the_stock_to_the_waiting_order(
    system_ctx: ServiceContext, tmp_path
) -> None:
    holder, _waiter = _holder_and_waiter(system_ctx, tmp_path)
    order_actions.cancel_orders(system_ctx, [holder], "customer changed their mind")
    assert orders(system_ctx)["951"].status == "allocated"
    assert _reservations(system_ctx, "951") == [("B-02-01", 2), ("B-02-03", 1)]
    assert _reservations(system_ctx, "950") == []
    with system_ctx.database.read_session() as session:
        assert reconcile(session) == []
        assert session.scalar(select(func.sum(BinStock.reserved))) == 3


def test_a_count_up_on_the_inventory_screen_allocates(system_ctx: ServiceContext, tmp_path) -> None:
    _holder, _waiter = _holder_and_waiter(system_ctx, tmp_path)
    counted = inventory.set_bin_quantity(system_ctx, "B-02-03", "WC-HOODIE-GRY-L", 2, "found one")
    assert (counted.on_hand, counted.reserved) == (2, 2)
    assert orders(system_ctx)["951"].status == "allocated"


def test_a_supervisor_reallocates_on_demand(system_ctx: ServiceContext, make_ctx, tmp_path) -> None:
    _holder, waiter = _holder_and_waiter(system_ctx, tmp_path)
    # Stock that arrived behind the services' back (a restore, a manual SQL fix).
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(
            BinStock.__table__.update()
            .where(BinStock.bin_id == select(Bin.id).where(Bin.code == "B-02-03").scalar_subquery())
            .values(on_hand=BinStock.on_hand + 1)
        )
    with pytest.raises(PermissionDenied):
        reallocate_backorders(make_ctx(Role.PACKER))
    result = reallocate_backorders(make_ctx(Role.SUPERVISOR))
    assert result == Reallocation((AllocatedOrder(waiter, "951"),), 0)
    assert reallocate_backorders(make_ctx(Role.SUPERVISOR)) == Reallocation((), 0)


def test_the_demo_has_no_backorder_beside_free_stock(system_ctx: ServiceContext) -> None:
    seed_demo(system_ctx, orders=300, seed=7)
    with system_ctx.database.read_session() as session:
        waiting = session.scalars(select(Order.id).where(Order.status == "backordered")).all()
    assert waiting
    for order_id in waiting:
        wait = stock_holders(system_ctx, order_id)
        assert any(line.missing > 0 for line in wait.lines), wait
    assert reallocate_backorders(system_ctx) == Reallocation((), len(waiting))


def test_allocation_announces_the_orders_and_stock_it_wrote(
    system_ctx: ServiceContext, tmp_path
) -> None:
    _holder, waiter = _holder_and_waiter(system_ctx, tmp_path)
    heard: list[ChangeSet] = []
    system_ctx.database.changes.subscribe(heard.append)
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(BinStock.__table__.update().values(on_hand=BinStock.on_hand + 5))
    run_allocation(system_ctx)
    [changes] = heard
    assert {Topic.ORDERS, Topic.STOCK} <= changes.topics
    assert waiter in changes.ids_of(Topic.ORDERS)
