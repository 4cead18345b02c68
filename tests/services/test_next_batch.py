""" "Next batch" in cluster picking: the most urgent open batch (priority, ship-by, age), claimed
whole with a lease per station and user and audited; a batch another station holds is skipped,
a lapsed lease frees it, a picked batch is never offered again, and the work filter holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import AuditEvent, Order, PickBatch
from wms_desk.domain.picking import PickStage
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import StationRules, WorkFilter
from wms_desk.services import allocation, picking, waves
from wms_desk.services.context import ServiceContext
from wms_desk.services.packing.cartons import save_station_rules
from wms_desk.services.stations import ensure_station

MUG = Item("SKU-MUG", "4006381333931", Decimal(350))
PEN = Item("SKU-PEN", "4012345678901", Decimal(20))


@pytest.fixture
def pickers(make_ctx, system_ctx: ServiceContext):
    db = system_ctx.database
    packdata.add_items(db, MUG, PEN)
    packdata.stock(db, "A-01-05", "SKU-PEN", 50)
    packdata.stock(db, "A-01-02", "SKU-MUG", 50)
    a = make_ctx(Role.PACKER, "anna")
    other = ensure_station(db, "pick-02")
    b = make_ctx(Role.PACKER, "ben")
    b = b.as_actor(type(b.actor)(b.actor.user_id, "ben", "Ben", b.actor.role, other.id, other.name))
    return a, b, make_ctx(Role.SUPERVISOR, "sue")


def wave(boss: ServiceContext, system_ctx, orders: list[tuple[str, int]]) -> waves.WaveSummary:
    ids = []
    for number, priority in orders:
        oid = packdata.order(boss.database, number, [("SKU-MUG", 1)], "new", priority)
        assert allocation.run_allocation(system_ctx, [oid]).allocated == 1
        ids.append(oid)
    return waves.create_wave(boss, ids)


def test_next_batch_takes_the_most_urgent_batch_and_a_second_station_the_next(
    pickers, system_ctx
) -> None:
    a, b, boss = pickers
    calm = wave(boss, system_ctx, [("5001", 0), ("5002", 0)])
    urgent = wave(boss, system_ctx, [("5003", 0), ("5004", 2)])
    first = picking.pick_next_batch(a)
    assert first is not None and first.name == urgent.name
    assert {status for _, _, status in first.orders} == {"picking"}
    second = picking.pick_next_batch(b)
    assert second is not None and second.name == calm.name
    assert picking.pick_next_batch(b) is None  # nothing else waits (b's own stays b's)
    with a.database.read_session() as s:
        held = {
            row.name: (row.claimed_by_station_id, row.claimed_by_user_id)
            for row in s.scalars(select(PickBatch))
        }
        claimed = list(
            s.scalars(select(AuditEvent.subject_id).where(AuditEvent.action == "batch.claimed"))
        )
    assert held[urgent.name] == (a.actor.station_id, a.actor.user_id)
    assert held[calm.name] == (b.actor.station_id, b.actor.user_id)
    assert sorted(claimed) == sorted([str(urgent.id), str(calm.id)])
    # Batched orders are claimed whole: "Next order" does not hand them out one by one.
    assert picking.pick_next(a) is None


def test_ship_by_breaks_a_priority_tie_and_a_lapsed_lease_frees_the_batch(
    pickers, system_ctx
) -> None:
    a, b, boss = pickers
    later = wave(boss, system_ctx, [("5101", 1)])
    sooner = wave(boss, system_ctx, [("5102", 1)])
    with a.database.write_session() as s, s.begin():
        soon = datetime.now(UTC) + timedelta(hours=2)
        s.execute(update(Order).where(Order.number == "5102").values(ship_by=soon))
    assert picking.pick_next_batch(a).name == sooner.name  # type: ignore[union-attr]
    assert picking.pick_next_batch(b).name == later.name  # type: ignore[union-attr]
    with a.database.write_session() as s, s.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        s.execute(update(PickBatch).where(PickBatch.id == sooner.id).values(lease_until=past))
    taken = picking.pick_next_batch(b)
    assert taken is not None and taken.name == sooner.name  # the lapsed one, to the next picker


def test_a_finished_batch_is_not_offered_again(pickers, system_ctx) -> None:
    a, _b, boss = pickers
    done = wave(boss, system_ctx, [("5201", 3)])
    waiting = wave(boss, system_ctx, [("5202", 0)])
    view = picking.pick_next_batch(a)
    assert view is not None and view.name == done.name
    while not view.done:
        assert view.current is not None
        code = view.current.bin_code if view.stage is PickStage.BIN else MUG.code
        view = picking.pick_scan(a, view.ref, code, str(uuid.uuid4())).session
    following = picking.pick_next_batch(a)
    assert following is not None and following.name == waiting.name
    with a.database.read_session() as s:
        status = s.scalar(select(PickBatch.status).where(PickBatch.id == done.id))
    assert status == "picked"


def test_the_station_work_filter_holds_for_every_order_of_the_batch(pickers, system_ctx) -> None:
    a, _b, boss = pickers
    mixed = wave(boss, system_ctx, [("5301", 5), ("5302", 5)])
    plain = wave(boss, system_ctx, [("5303", 0)])
    with a.database.write_session() as s, s.begin():
        s.execute(update(Order).values(requested_service="ground"))
        s.execute(update(Order).where(Order.number == "5302").values(requested_service="express"))
    assert a.actor.station_id is not None
    rules = StationRules(work=WorkFilter(services=("ground",)))
    save_station_rules(boss, a.actor.station_id, rules)
    view = picking.pick_next_batch(a)
    assert view is not None and view.name == plain.name  # the urgent one has an express order
    assert mixed.name != plain.name
