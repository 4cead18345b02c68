"""An item scan's writes (common.add_item: Core statements on the session's connection, the box
entity told what its row says) and its first read (load_scan with the scanned product): the
rows, the snapshot and the change events are what the ORM path wrote and announced; a replayed
event id changes nothing, also when the replay races the first scan; two scans racing for the
last unit of a line count it once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import AuditEvent, OrderLine, Package, PackageItem
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Role
from wms_desk.services import claims, packing
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext

MUG = Item("SKU-MUG", "4006381333931", Decimal("350.5"), case_code="14006381333938")
PEN = Item("SKU-PEN", "4012345678901", Decimal(20))


def ev() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def packer(make_ctx, system_ctx: ServiceContext) -> ServiceContext:
    packdata.add_items(system_ctx.database, MUG, PEN)
    packdata.add_cartons(system_ctx.database)
    return make_ctx(Role.PACKER)


def _rows(ctx: ServiceContext, oid: int) -> tuple[Any, ...]:
    with ctx.database.read_session() as session:
        lines = session.execute(
            select(OrderLine.sku, OrderLine.packed_qty)
            .where(OrderLine.order_id == oid)
            .order_by(OrderLine.line_no)
        ).all()
        items = session.execute(
            select(PackageItem.order_line_id, PackageItem.qty)
            .join(Package, Package.id == PackageItem.package_id)
            .where(Package.order_id == oid)
            .order_by(PackageItem.order_line_id)
        ).all()
        boxes = session.execute(
            select(Package.seq, Package.expected_weight_g, Package.weight_g, Package.weight_check)
            .where(Package.order_id == oid)
            .order_by(Package.seq)
        ).all()
        audits = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_id == str(oid))
        )
    return tuple(lines), tuple(items), tuple(boxes), audits


def test_scans_write_the_line_the_box_and_the_weight_and_announce_them(
    packer: ServiceContext,
) -> None:
    oid = packdata.order(packer.database, "W-1", [("SKU-MUG", 3), ("SKU-PEN", 1)])
    packing.open_order(packer, "W-1")
    first = packing.verify_scan(packer, oid, MUG.code, ev())
    assert first.outcome is ScanOutcome.VERIFIED
    # The box took the carton's tare plus the mug; weighed, then one more item: weigh again.
    box = first.session.packages[0]
    assert box.expected_weight_g == Decimal(120) + Decimal("350.5")
    weighed = packing.record_weight(packer, oid, box.expected_weight_g, ev())
    assert weighed.outcome is ScanOutcome.WEIGHED and weighed.session.packages[0].weight_g
    heard: list[ChangeSet] = []
    unsubscribe = packer.database.changes.subscribe(heard.append)
    try:  # into the box the first scan made: only add_item writes
        case = packing.verify_scan(packer, oid, PEN.code, ev())
    finally:
        unsubscribe()
    assert case.outcome is ScanOutcome.VERIFIED
    topics = {Topic.ORDERS, Topic.PACKAGES, Topic.AUDIT}  # as the ORM's listeners said
    assert [set(changes.topics) for changes in heard] == [topics]
    lines, items, boxes, _audits = _rows(packer, oid)
    assert [tuple(r) for r in lines] == [("SKU-MUG", 1), ("SKU-PEN", 1)]
    assert [r.qty for r in items] == [1, 1]
    assert [tuple(r) for r in boxes] == [(1, Decimal(120) + Decimal("370.5"), None, "")]
    # The snapshot the scan answered with is what a fresh read shows.
    assert case.session == packing.pack_session(packer, oid)
    unknown = packing.verify_scan(packer, oid, "4000000000000", ev())
    assert unknown.outcome is ScanOutcome.UNKNOWN_CODE
    assert _rows(packer, oid)[:3] == (lines, items, boxes)


def test_a_replayed_event_id_changes_nothing(packer: ServiceContext) -> None:
    oid = packdata.order(packer.database, "W-2", [("SKU-MUG", 2)])
    packing.open_order(packer, "W-2")
    event = ev()
    first = packing.verify_scan(packer, oid, MUG.code, event)
    before = _rows(packer, oid)
    replay = packing.verify_scan(packer, oid, MUG.code, event)
    assert first.outcome is ScanOutcome.VERIFIED and replay.outcome is ScanOutcome.REPLAYED
    assert replay.message == first.message
    assert _rows(packer, oid) == before
    assert replay.session == first.session


def _racing(monkeypatch: pytest.MonkeyPatch, scans: list[Callable[[], Any]]) -> list[Any]:
    """Run the scans on threads that all meet after their first read and before they judge
    (claims.hold). SQLite lets one writer in at a time: there the others wait for the lock and
    the meeting times out, so they come in one after the other."""
    meeting = threading.Barrier(len(scans), timeout=2)
    real_hold = claims.hold

    def hold(*args: Any, **kwargs: Any) -> Any:
        try:
            meeting.wait()
        except threading.BrokenBarrierError:
            pass
        return real_hold(*args, **kwargs)

    monkeypatch.setattr(claims, "hold", hold)
    results: list[Any] = [None] * len(scans)

    def run(n: int) -> None:
        try:
            results[n] = scans[n]()
        except Exception as exc:  # the outcome is what the test checks
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(scans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_a_replay_racing_its_first_scan_is_counted_once(
    packer: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    oid = packdata.order(packer.database, "W-3", [("SKU-MUG", 2)])
    packing.open_order(packer, "W-3")
    event = ev()
    results = _racing(monkeypatch, [lambda: packing.verify_scan(packer, oid, MUG.code, event)] * 2)
    outcomes = sorted(r.outcome.value for r in results)
    assert outcomes == [ScanOutcome.REPLAYED.value, ScanOutcome.VERIFIED.value]
    lines, items, _boxes, _audits = _rows(packer, oid)
    assert [r.packed_qty for r in lines] == [1] and [r.qty for r in items] == [1]
    with packer.database.read_session() as session:
        recorded = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_id == event)
        )
    assert recorded == 1


def test_two_scans_racing_for_the_last_unit_count_it_once(
    packer: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    oid = packdata.order(packer.database, "W-4", [("SKU-PEN", 1)])
    packing.open_order(packer, "W-4")
    results = _racing(
        monkeypatch, [lambda: packing.verify_scan(packer, oid, PEN.code, ev()) for _ in range(2)]
    )
    verified = [r for r in results if getattr(r, "outcome", None) is ScanOutcome.VERIFIED]
    assert len(verified) == 1
    # The other: refused as an over-scan (it judged after the first committed: SQLite), or
    # stopped by the line's packed_within_qty check (both judged first: PostgreSQL).
    (other,) = [r for r in results if r is not verified[0]]
    assert isinstance(other, IntegrityError) or other.outcome is ScanOutcome.OVER_SCAN
    lines, items, _boxes, _audits = _rows(packer, oid)
    assert [r.packed_qty for r in lines] == [1] and [r.qty for r in items] == [1]
