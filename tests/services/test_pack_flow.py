"""Scan-to-verify packing via the services: counts, refusals, serials, boxes, weights, COMPLETE."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import AuditEvent, Order, OrderLine, Package, PackageItem, StockMove
from wms_desk.db.models.base import utcnow
from wms_desk.domain.codes import COMMAND_PREFIX, StationCommand
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Role
from wms_desk.services import packing
from wms_desk.services.context import ServiceContext
from wms_desk.services.packing import finish
from wms_desk.services.packing.common import Work, load_scan
from wms_desk.services.stock import reconcile
from wms_desk.services.uow import UnitOfWork, run_unit_of_work

MUG = Item("SKU-MUG", "4006381333931", Decimal(350), case_code="14006381333938")
PEN = Item("SKU-PEN", "4012345678901", Decimal(20))
CAM = Item("SKU-CAM", "4099999999996", Decimal(900), needs_serial=True)


def ev() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def packer(make_ctx, system_ctx: ServiceContext) -> ServiceContext:
    packdata.add_items(system_ctx.database, MUG, PEN, CAM)
    packdata.add_cartons(system_ctx.database)
    return make_ctx(Role.PACKER)


def scan(ctx: ServiceContext, order_id: int, data: str) -> packing.ScanVerdict:
    return packing.verify_scan(ctx, order_id, data, ev())


def weigh_expected(ctx: ServiceContext, order_id: int, delta: Decimal = Decimal(0)):
    session = packing.pack_session(ctx, order_id)
    box = next(p for p in session.packages if p.seq == session.current_seq)
    return packing.record_weight(ctx, order_id, box.expected_weight_g + delta, ev())


def test_a_single_item_order_packs_weighs_and_completes(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "1042", [("SKU-MUG", 1)])
    session = packing.open_order(packer, "ORD:1042")
    assert session.next_action == "Scan an item of order 1042"
    assert session.suggested_carton == "S" and not session.can_complete
    verdict = scan(packer, oid, MUG.code)
    assert verdict.outcome is ScanOutcome.VERIFIED and verdict.accepted
    assert verdict.session.lines[0].verified == 1
    assert verdict.session.next_action.startswith("Put the parcel (box 1) on the scale")
    box = verdict.session.packages[0]
    assert box.carton_code == "S" and box.expected_weight_g == Decimal("470")  # 350 + tare 120
    weighed = weigh_expected(packer, oid, Decimal(10))
    assert weighed.session.packages[0].weight_check == "ok" and weighed.session.can_complete
    done = packing.complete(packer, oid, ev())
    assert done.outcome is ScanOutcome.COMPLETED and done.session.completed
    with packer.database.read_session() as s:
        order = s.get(Order, oid)
        assert order is not None and order.status == "packed" and order.claimed_by_user_id is None
        moved = s.scalar(select(func.sum(StockMove.qty)).where(StockMove.reason == "pack"))
        assert moved == 1 and reconcile(s) == []


def test_a_case_barcode_counts_its_pack_quantity_on_a_multi_line_order(
    packer: ServiceContext,
) -> None:
    oid = packdata.order(packer.database, "2001", [("SKU-MUG", 7), ("SKU-PEN", 2)])
    packing.open_order(packer, "2001")
    case = scan(packer, oid, MUG.case_code or "")
    assert case.outcome is ScanOutcome.VERIFIED and case.qty == 6
    assert case.session.lines[0].verified == 6
    # A second case would be 12 of 7: refused, nothing changes.
    again = scan(packer, oid, MUG.case_code or "")
    assert again.outcome is ScanOutcome.OVER_SCAN and not again.accepted
    assert "needs only 1 more" in again.message and again.session.lines[0].verified == 6
    for code in (MUG.code, PEN.code, PEN.code):
        assert scan(packer, oid, code).outcome is ScanOutcome.VERIFIED
    final = weigh_expected(packer, oid)
    assert [line.verified for line in final.session.lines] == [7, 2]
    assert final.session.packages[0].item_count == 9 and final.session.can_complete


def test_a_wrong_item_is_refused_named_and_stored_as_a_scan_event(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "1043", [("SKU-MUG", 1)])
    packing.open_order(packer, "1043")
    event = ev()
    verdict = packing.verify_scan(packer, oid, PEN.code, event)
    assert verdict.outcome is ScanOutcome.WRONG_ITEM and not verdict.accepted
    assert verdict.message.startswith("This is SKU-PEN Thing SKU-PEN. Order 1043 does not contain")
    assert verdict.session.lines[0].verified == 0 and verdict.session.packages == ()
    with packer.database.read_session() as s:
        row = s.scalar(select(AuditEvent).where(AuditEvent.event_id == event))
        assert row is not None and row.after is not None and row.after["outcome"] == "wrong_item"


def test_an_over_scan_is_refused_and_a_replay_is_harmless(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "1044", [("SKU-PEN", 1)])
    packing.open_order(packer, "1044")
    event = ev()
    first = packing.verify_scan(packer, oid, PEN.code, event)
    replay = packing.verify_scan(packer, oid, PEN.code, event)
    assert first.outcome is ScanOutcome.VERIFIED and replay.outcome is ScanOutcome.REPLAYED
    assert replay.session.lines[0].verified == 1
    over = scan(packer, oid, PEN.code)
    assert over.outcome is ScanOutcome.OVER_SCAN and over.session.lines[0].verified == 1
    assert "already verified" in over.message


def test_a_serial_item_asks_for_its_serial_and_refuses_it_twice(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "1045", [("SKU-CAM", 2)])
    packing.open_order(packer, "1045")
    asked = scan(packer, oid, CAM.code)
    assert asked.outcome is ScanOutcome.NEEDS_SERIAL and asked.session.lines[0].verified == 0
    assert asked.session.next_action == "Scan the serial number of SKU-CAM"
    # Another item before the serial is refused.
    assert scan(packer, oid, CAM.code).outcome is ScanOutcome.NEEDS_SERIAL
    got = scan(packer, oid, "SN-0001")
    assert got.outcome is ScanOutcome.SERIAL_RECORDED and got.session.lines[0].verified == 1
    scan(packer, oid, CAM.code)
    dup = scan(packer, oid, "SN-0001")
    assert dup.outcome is ScanOutcome.DUPLICATE_SERIAL and dup.session.lines[0].verified == 1
    assert scan(packer, oid, "SN-0002").session.lines[0].verified == 2


def test_a_two_box_order_numbers_its_boxes_and_weighs_each_after_its_last_item(
    packer: ServiceContext,
) -> None:
    oid = packdata.order(packer.database, "1046", [("SKU-MUG", 2)])
    packing.open_order(packer, "1046")
    scan(packer, oid, MUG.code)
    early = packing.new_box(packer, oid, ev())
    assert early.outcome is ScanOutcome.NOT_COMPLETE and "Weigh box 1" in early.message
    weigh_expected(packer, oid)
    started = scan(packer, oid, "CMD:NEW-BOX")
    assert started.outcome is ScanOutcome.NEW_BOX and started.session.current_seq == 2
    # Box 2 is empty: the reading on the scale still is box 1's and cannot count for it.
    refused = packing.record_weight(packer, oid, Decimal(600), ev())
    assert refused.outcome is ScanOutcome.NOT_COMPLETE and "empty" in refused.message
    assert scan(packer, oid, "CARTON-M").outcome is ScanOutcome.CARTON_SET
    scan(packer, oid, MUG.code)
    box2 = weigh_expected(packer, oid).session.packages
    assert [(p.seq, p.count, p.carton_code, p.item_count) for p in box2] == [
        (1, 2, "S", 1),
        (2, 2, "M", 1),
    ]
    assert box2[1].expected_weight_g == Decimal(600) and box2[1].weight_g == Decimal(600)
    done = scan(packer, oid, "CMD:COMPLETE")
    assert done.outcome is ScanOutcome.COMPLETED and "2 boxes" in done.message
    with packer.database.read_session() as s:
        contents = s.execute(
            select(Package.seq, func.sum(PackageItem.qty))
            .join(PackageItem, PackageItem.package_id == Package.id)
            .where(Package.order_id == oid)
            .group_by(Package.seq)
            .order_by(Package.seq)
        ).all()
    assert [tuple(r) for r in contents] == [(1, 1), (2, 1)]


def test_a_weight_far_off_blocks_until_a_supervisor_approves(
    packer: ServiceContext, make_ctx
) -> None:
    oid = packdata.order(packer.database, "1047", [("SKU-MUG", 1)])
    packing.open_order(packer, "1047")
    scan(packer, oid, MUG.code)
    warned = weigh_expected(packer, oid, Decimal(60))
    assert warned.session.packages[0].weight_check == "warn" and warned.session.can_complete
    blocked = weigh_expected(packer, oid, Decimal(-300))
    assert blocked.session.packages[0].weight_check == "block"
    assert "lighter" in blocked.message and not blocked.session.can_complete
    refused = packing.complete(packer, oid, ev())
    assert refused.outcome is ScanOutcome.NOT_COMPLETE and "approve" in refused.message
    with pytest.raises(Exception, match="A packer may not take over, short or approve"):
        packing.approve_weight(packer, oid, 1, "fine", ev())
    boss = make_ctx(Role.SUPERVISOR)
    approved = packing.approve_weight(boss, oid, 1, "gift box is light", ev())
    assert approved.session.can_complete
    assert packing.complete(packer, oid, ev()).outcome is ScanOutcome.COMPLETED


def test_complete_twice_is_harmless(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "1048", [("SKU-PEN", 1)])
    packing.open_order(packer, "1048")
    scan(packer, oid, PEN.code)
    weigh_expected(packer, oid)
    first = packing.complete(packer, oid, ev())
    second = packing.complete(packer, oid, ev())
    scanned = scan(packer, oid, "CMD:COMPLETE")
    assert first.outcome is second.outcome is scanned.outcome is ScanOutcome.COMPLETED
    with packer.database.read_session() as s:
        assert s.scalar(select(func.count()).where(StockMove.reason == "pack")) == 1
        assert s.scalar(select(OrderLine.packed_qty).where(OrderLine.order_id == oid)) == 1
        assert reconcile(s) == []


def test_only_verified_or_shorted_lines_let_an_order_complete(
    packer: ServiceContext, make_ctx
) -> None:
    oid = packdata.order(packer.database, "1049", [("SKU-MUG", 1), ("SKU-PEN", 1)])
    packing.open_order(packer, "1049")
    scan(packer, oid, MUG.code)
    weigh_expected(packer, oid)
    refused = packing.complete(packer, oid, ev())
    assert refused.outcome is ScanOutcome.NOT_COMPLETE and "SKU-PEN" in refused.message
    boss = make_ctx(Role.SUPERVISOR)
    session = packing.pack_session(packer, oid)
    pen = next(line for line in session.lines if line.sku == "SKU-PEN")
    shorted = packing.short_line(boss, oid, pen.line_id, 1, "damaged, none left", ev())
    assert shorted.session.can_complete
    assert packing.complete(packer, oid, ev()).outcome is ScanOutcome.COMPLETED


def test_the_order_detail_data_shows_verified_barcodes_weights_and_judged_scans(
    packer: ServiceContext,
) -> None:
    from wms_desk.services.packing.detail import packing_detail

    oid = packdata.order(packer.database, "1050", [("SKU-MUG", 1)])
    packing.open_order(packer, "1050")
    for code in (PEN.code, MUG.code, MUG.code):
        scan(packer, oid, code)
    detail = packing_detail(packer, oid)
    assert [(ln.line_no, ln.verified) for ln in detail.lines] == [(1, 1)]
    assert [(b.code, b.qty) for b in detail.lines[0].barcodes] == [
        (MUG.code, 1),
        (MUG.case_code, 6),
    ]
    assert detail.packages[0].expected_weight_g == Decimal(470)
    judged = [(s.outcome, s.code) for s in detail.scans if s.action == "pack.scan"]
    assert judged == [("wrong_item", PEN.code), ("verified", MUG.code), ("over_scan", MUG.code)]


def test_complete_queues_the_slip_and_a_label_per_box_and_reprint_is_audited(
    packer: ServiceContext, system_ctx: ServiceContext, tmp_path
) -> None:
    from wms_desk.db.models import PrintJob
    from wms_desk.services.stations import merge_bindings

    assert packer.actor.station_id is not None
    folder = tmp_path.as_uri()
    merge_bindings(
        system_ctx,
        packer.actor.station_id,
        {"document_printer": {"url": folder}, "label_printer": {"url": folder, "format": "zpl"}},
    )
    oid = packdata.order(packer.database, "1051", [("SKU-PEN", 1)])
    packing.open_order(packer, "1051")
    scan(packer, oid, PEN.code)
    weigh_expected(packer, oid)
    assert "not printed" not in packing.complete(packer, oid, ev()).message
    reprinted = scan(packer, oid, "CMD:REPRINT")
    assert reprinted.outcome is ScanOutcome.COMPLETED and "Reprinting 2" in reprinted.message
    with packer.database.read_session() as s:
        jobs = s.execute(
            select(PrintJob.document, PrintJob.reprint_of.is_not(None)).where(
                PrintJob.order_id == oid
            )
        ).all()
    assert sorted(tuple(j) for j in jobs) == [
        ("label", False),
        ("label", True),
        ("slip", False),
        ("slip", True),
    ]


def test_a_typed_weight_is_refused_where_a_scale_is_bound(
    packer: ServiceContext, system_ctx: ServiceContext
) -> None:
    from wms_desk.services.stations import merge_bindings

    assert packer.actor.station_id is not None
    oid = packdata.order(packer.database, "1052", [("SKU-PEN", 1)])
    packing.open_order(packer, "1052")
    scan(packer, oid, PEN.code)
    typed = packing.record_weight(packer, oid, Decimal(140), ev(), typed=True)
    assert typed.session.packages[0].weight_source == "typed"
    merge_bindings(system_ctx, packer.actor.station_id, {"scale": {"port": "loop://"}})
    with pytest.raises(Exception, match="has a scale"):
        packing.record_weight(packer, oid, Decimal(140), ev(), typed=True)


def test_orders_show_json_gains_verified_barcodes_expected_weight_and_judged_scans(
    packer: ServiceContext, make_ctx
) -> None:
    from wms_desk.services.order_detail import order_detail

    oid = packdata.order(packer.database, "1053", [("SKU-MUG", 2)])
    packing.open_order(packer, "1053")
    for code in (PEN.code, MUG.code, MUG.code, MUG.code):
        scan(packer, oid, code)
    doc = order_detail(make_ctx(Role.SUPERVISOR), oid).as_json()
    line = doc["lines"][0]
    assert line["verified"] == 2
    assert line["barcodes"] == [{"code": MUG.code, "qty": 1}, {"code": MUG.case_code, "qty": 6}]
    box = doc["packages"][0]
    assert box["expected_weight_g"] == "820.00" and box["items"] == [{"sku": "SKU-MUG", "qty": 2}]
    judged = [e["judged"] for e in doc["events"] if e["judged"]]
    assert judged == ["wrong_item", "verified", "verified", "over_scan"]


def test_on_postgresql_a_scan_commits_asynchronously_and_nothing_after_it_does(
    packer: ServiceContext,
) -> None:
    """The scan's transaction alone gives up the WAL flush wait (common.load_scan); the
    setting ends with it, so the next transaction on the pooled connection (COMPLETE's) waits
    for its flush again."""
    if packer.database.is_sqlite:
        pytest.skip("synchronous_commit is PostgreSQL's")
    oid = packdata.order(packer.database, "3001", [("SKU-MUG", 1)])
    packing.open_order(packer, "3001")

    def scan_setting(uow: UnitOfWork) -> str | None:
        load_scan(uow, oid, ev())
        return uow.session.scalar(text("SHOW synchronous_commit"))

    assert run_unit_of_work(packer, scan_setting) == "off"
    after = run_unit_of_work(
        packer, lambda uow: uow.session.scalar(text("SHOW synchronous_commit"))
    )
    assert after == "on"
    assert scan(packer, oid, MUG.code).outcome is ScanOutcome.VERIFIED


def test_on_postgresql_a_scanned_station_command_commits_synchronously(
    packer: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COMPLETE scanned (CMD:COMPLETE through verify_scan) moves stock: its commit waits for
    the WAL flush, as packing.complete's does."""
    if packer.database.is_sqlite:
        pytest.skip("synchronous_commit is PostgreSQL's")
    oid = packdata.order(packer.database, "3002", [("SKU-MUG", 1)])
    packing.open_order(packer, "3002")
    scan(packer, oid, MUG.code)
    weigh_expected(packer, oid)
    seen: list[str | None] = []
    real_complete_in = finish.complete_in

    def complete_in(work: Work, event_id: str | None, settings: object = None) -> object:
        seen.append(work.uow.session.scalar(text("SHOW synchronous_commit")))
        return real_complete_in(work, event_id, settings)

    monkeypatch.setattr(finish, "complete_in", complete_in)
    done = scan(packer, oid, f"{COMMAND_PREFIX}{StationCommand.COMPLETE.value}")
    assert done.outcome is ScanOutcome.COMPLETED and seen == ["on"]


def test_a_scan_renews_the_lease_only_once_it_has_run_down(packer: ServiceContext) -> None:
    """A scan every few seconds does not write the order each time (domain lease_wants_renewal);
    a lease that has run down is renewed by the next scan, and a lapsed one is taken back."""
    oid = packdata.order(packer.database, "1077", [("SKU-MUG", 3)])
    packing.open_order(packer, "ORD:1077")

    def lease() -> object:
        with packer.database.read_session() as s:
            return s.scalar(select(Order.lease_until).where(Order.id == oid))

    def set_lease(seconds_left: int) -> None:
        with packer.database.write_session() as s, s.begin():
            s.execute(
                update(Order)
                .where(Order.id == oid)
                .values(lease_until=utcnow() + timedelta(seconds=seconds_left))
            )

    claimed = lease()
    assert scan(packer, oid, MUG.code).outcome is ScanOutcome.VERIFIED
    assert lease() == claimed  # fresh: left alone
    set_lease(60)
    run_down = lease()
    assert scan(packer, oid, MUG.code).outcome is ScanOutcome.VERIFIED
    assert lease() > run_down  # type: ignore[operator]  # renewed to a whole lease again
    set_lease(-5)
    assert scan(packer, oid, MUG.code).outcome is ScanOutcome.VERIFIED  # lapsed, still free
    assert lease() > run_down  # type: ignore[operator]
