"""Picking through the services: bin sequence, what to scan next, cases, skip, short, batches,
and every pick a ledger move bin -> tote with the cache kept in step."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import Bin, BinStock, LineShortage, Order, Product, StockMove
from wms_desk.domain.picking import PickOutcome, PickStage
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import PickPolicy, StationRules
from wms_desk.services import allocation, packing, picking, waves
from wms_desk.services.context import ServiceContext
from wms_desk.services.packing.cartons import save_station_rules
from wms_desk.services.picking import PickRef
from wms_desk.services.reports import run_report
from wms_desk.services.stock import reconcile

MUG = Item("SKU-MUG", "4006381333931", Decimal(350), case_code="14006381333938")
PEN = Item("SKU-PEN", "4012345678901", Decimal(20))


def ev() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def picker(make_ctx, system_ctx: ServiceContext) -> ServiceContext:
    db = system_ctx.database
    packdata.add_items(db, MUG, PEN)
    packdata.add_cartons(db)
    packdata.stock(db, "A-01-05", "SKU-PEN", 10)
    packdata.stock(db, "A-01-02", "SKU-MUG", 8)
    packdata.stock(db, "B-03-01", "SKU-MUG", 20)
    return make_ctx(Role.PACKER)


def allocated(ctx: ServiceContext, system_ctx: ServiceContext, number: str, lines) -> int:
    oid = packdata.order(ctx.database, number, lines, status="new")
    assert allocation.run_allocation(system_ctx, [oid]).allocated == 1
    return oid


def on_hand(ctx: ServiceContext, bin_code: str, sku: str) -> int:
    with ctx.database.read_session() as s:
        return int(
            s.scalar(
                select(BinStock.on_hand)
                .join(Bin, Bin.id == BinStock.bin_id)
                .join(Product, Product.id == BinStock.product_id)
                .where(Bin.code == bin_code, Product.sku == sku)
            )
            or 0
        )


def test_a_single_order_is_walked_in_bin_sequence_and_lands_in_staging(
    picker: ServiceContext, system_ctx: ServiceContext
) -> None:
    oid = allocated(picker, system_ctx, "3001", [("SKU-PEN", 2), ("SKU-MUG", 1)])
    ref = PickRef(order_id=oid)
    session = picking.open_pick(picker, "3001")
    assert session.next_action == "Scan bin A-01-02" and session.stage is PickStage.BIN
    wrong = picking.pick_scan(picker, ref, "A-01-05", ev())
    assert wrong.outcome is PickOutcome.WRONG_BIN and "Scan bin A-01-02" in wrong.message
    assert picking.pick_scan(picker, ref, "A-01-02", ev()).session.stage is PickStage.ITEM
    bad = picking.pick_scan(picker, ref, PEN.code, ev())
    assert bad.outcome is PickOutcome.WRONG_ITEM and on_hand(picker, "A-01-02", "SKU-MUG") == 8
    got = picking.pick_scan(picker, ref, MUG.code, ev())
    assert got.outcome is PickOutcome.PICKED and "put in staging" in got.message
    assert got.session.next_action == "Scan bin A-01-05"
    picking.pick_scan(picker, ref, "A-01-05", ev())
    picking.pick_scan(picker, ref, PEN.code, ev())
    last = picking.pick_scan(picker, ref, PEN.code, ev())
    assert last.session.done and "is picked" in last.message
    assert on_hand(picker, "A-01-02", "SKU-MUG") == 7 and on_hand(picker, "STAGE", "SKU-PEN") == 2
    with picker.database.read_session() as s:
        order = s.get(Order, oid)
        assert order is not None and order.status == "picked" and order.lease_until is None
        assert order.picked_at is not None  # the reports' picked-to-packed time starts here
        assert s.scalar(select(func.sum(BinStock.reserved))) == 0 and reconcile(s) == []
    # ... and the picked order packs from staging.
    packing.open_order(picker, "3001")
    for code in (MUG.code, PEN.code, PEN.code):
        packing.verify_scan(picker, oid, code, ev())
    packing.record_weight(picker, oid, Decimal(510), ev())
    assert packing.complete(picker, oid, ev()).session.completed
    # The reports see who packed it, where, and its one wrong pick scan (WRONG_BIN, WRONG_ITEM).
    throughput = run_report(system_ctx, ReportName.THROUGHPUT, ReportFilters())
    station = next(t for t in throughput.tables if t.key == "by_station")
    assert [(r[0], r[1], r[2]) for r in station.rows] == [(picker.actor.station_name, 1, 3)]
    accuracy = run_report(system_ctx, ReportName.ACCURACY, ReportFilters())
    assert {f.key: f.value for f in accuracy.figures}["wrong_pick_scans"] == 2
    fulfilment = run_report(system_ctx, ReportName.FULFILMENT_TIME, ReportFilters())
    assert next(t for t in fulfilment.tables if t.key == "spans").rows == ()  # not shipped yet


def test_a_case_counts_its_quantity_and_skip_sends_a_line_to_the_end(
    picker: ServiceContext, system_ctx: ServiceContext
) -> None:
    oid = allocated(picker, system_ctx, "3002", [("SKU-MUG", 7), ("SKU-PEN", 1)])
    ref = PickRef(order_id=oid)
    first = picking.open_pick(picker, "3002")
    assert first.current is not None and first.current.bin_code == "A-01-02"
    skipped = picking.skip_task(picker, ref, ev())
    assert skipped.session.current is not None and skipped.session.current.bin_code == "A-01-05"
    picking.pick_scan(picker, ref, "A-01-05", ev())
    picking.pick_scan(picker, ref, PEN.code, ev())
    # Back to the skipped mug: 7 reserved from A-01-02 (8 there).
    picking.pick_scan(picker, ref, "A-01-02", ev())
    case = picking.pick_scan(picker, ref, MUG.case_code or "", ev())
    assert case.outcome is PickOutcome.PICKED and case.session.current is not None
    assert case.session.current.remaining == 1
    over = picking.pick_scan(picker, ref, MUG.case_code or "", ev())
    assert over.outcome is PickOutcome.OVER_PICK
    assert picking.pick_scan(picker, ref, MUG.code, ev()).session.done


def test_a_short_pick_is_reallocated_or_recorded_for_the_supervisor(
    picker: ServiceContext, system_ctx: ServiceContext
) -> None:
    oid = allocated(picker, system_ctx, "3003", [("SKU-MUG", 5)])
    ref = PickRef(order_id=oid)
    picking.open_pick(picker, "3003")
    short = picking.short_pick(picker, ref, ev())
    assert short.outcome is PickOutcome.SHORTED and "found in another bin" in short.message
    assert short.session.next_action == "Scan bin B-03-01"
    # A-01-02's mugs were written off: only what other orders hold could remain (none).
    assert on_hand(picker, "A-01-02", "SKU-MUG") == 0
    picking.pick_scan(picker, ref, "B-03-01", ev())
    picking.pick_scan(picker, ref, MUG.code, ev())
    again = picking.short_pick(picker, ref, ev())
    assert "recorded for the supervisor" in again.message and again.session.done
    with picker.database.read_session() as s:
        order = s.get(Order, oid)
        assert order is not None and order.status == "picked"
        assert order.attention is not None and "short at picking" in order.attention
        shortage = s.get(LineShortage, (order.lines[0].id, "pick"))
        assert shortage is not None and shortage.qty == 4
        assert s.scalar(select(func.count()).where(StockMove.reason == "stock-out")) == 2
        assert reconcile(s) == []


def test_a_batch_is_picked_into_numbered_totes_with_a_tote_scan(
    picker: ServiceContext, system_ctx: ServiceContext, make_ctx
) -> None:
    a = allocated(picker, system_ctx, "3004", [("SKU-MUG", 1)])
    b = allocated(picker, system_ctx, "3005", [("SKU-MUG", 1), ("SKU-PEN", 1)])
    boss = make_ctx(Role.SUPERVISOR)
    wave = waves.create_wave(boss, [a, b])
    rules = StationRules(pick=replace(PickPolicy(), require_tote_scan=True))
    assert picker.actor.station_id is not None
    save_station_rules(boss, picker.actor.station_id, rules)
    session = picking.open_pick(picker, wave.name)
    ref = session.ref
    assert {status for _, _, status in session.orders} == {"picking"}
    picking.pick_scan(picker, ref, "A-01-02", ev())
    got = picking.pick_scan(picker, ref, MUG.code, ev())
    assert got.session.stage is PickStage.TOTE and got.session.next_action.startswith("Put in tote")
    assert picking.pick_scan(picker, ref, "NOT-A-TOTE", ev()).outcome is PickOutcome.WRONG_TOTE
    totes = dict(zip(wave.order_ids, wave.totes, strict=True))
    first_order = got.message.split("order ")[1].split(":")[0]
    tote = totes[a] if first_order == "3004" else totes[b]
    assert picking.pick_scan(picker, ref, tote, ev()).outcome is PickOutcome.IN_TOTE
    while not (view := picking.pick_session(picker, ref)).done:
        if view.stage is PickStage.BIN:
            assert view.current is not None
            picking.pick_scan(picker, ref, view.current.bin_code, ev())
        elif view.stage is PickStage.ITEM:
            assert view.current is not None
            code = MUG.code if view.current.sku == "SKU-MUG" else PEN.code
            picking.pick_scan(picker, ref, code, ev())
        else:  # the tote of whichever order the goods in hand belong to; the other is refused
            outcomes = [picking.pick_scan(picker, ref, t, ev()).outcome for t in totes.values()]
            assert PickOutcome.IN_TOTE in outcomes
    assert on_hand(picker, totes[b], "SKU-PEN") == 1 and on_hand(picker, totes[a], "SKU-MUG") == 1
    with picker.database.read_session() as s:
        assert {o.status for o in s.scalars(select(Order).where(Order.id.in_([a, b])))} == {
            "picked"
        }
        assert reconcile(s) == []
