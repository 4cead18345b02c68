"""Claims are leases: held elsewhere says who and since when, takeover is audited, expiry frees,
"next order" is the most urgent eligible one, and a restarted station resumes its order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import AuditEvent, Order
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import Operation
from wms_desk.services import claims, packing
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.errors import PermissionDenied
from wms_desk.services.stations import ensure_station

MUG = Item("SKU-MUG", "4006381333931", Decimal(350))


def ev() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def two_stations(make_ctx, system_ctx: ServiceContext):
    packdata.add_items(system_ctx.database, MUG)
    packdata.add_cartons(system_ctx.database)
    other = ensure_station(system_ctx.database, "station-2")
    a = make_ctx(Role.PACKER, "anna")
    b = make_ctx(Role.PACKER, "ben")
    b = b.as_actor(type(b.actor)(b.actor.user_id, "ben", "Ben", b.actor.role, other.id, other.name))
    return a, b


def test_a_second_station_is_told_who_holds_the_order_and_since_when(two_stations) -> None:
    a, b = two_stations
    oid = packdata.order(a.database, "1042", [("SKU-MUG", 2)])
    packing.open_order(a, "1042")
    packing.verify_scan(a, oid, MUG.code, ev())
    with pytest.raises(claims.HeldElsewhere) as held:
        packing.open_order(b, "1042")
    assert held.value.holder.station == "test-station"
    assert held.value.holder.user == "anna" and held.value.holder.since is not None
    assert "Order 1042 is being worked on at station test-station by anna since" in str(held.value)
    # Scanning into it from the other station is refused too, and changes nothing.
    with pytest.raises(claims.LeaseLost):
        packing.verify_scan(b, oid, MUG.code, ev())
    assert packing.pack_session(a, oid).lines[0].verified == 1


def test_a_supervisor_takeover_is_audited_and_the_old_station_is_refused(
    two_stations, make_ctx
) -> None:
    a, b = two_stations
    oid = packdata.order(a.database, "1043", [("SKU-MUG", 2)])
    packing.open_order(a, "1043")
    packing.verify_scan(a, oid, MUG.code, ev())
    with pytest.raises(PermissionDenied):
        claims.take_over(b, oid, Operation.PACK, "anna left")
    boss = make_ctx(Role.SUPERVISOR, "sam")
    boss = boss.as_actor(
        type(boss.actor)(
            boss.actor.user_id,
            "sam",
            "Sam",
            boss.actor.role,
            b.actor.station_id,
            b.actor.station_name,
        )
    )
    claim = claims.take_over(boss, oid, Operation.PACK, "anna went home")
    assert claim.station_id == b.actor.station_id
    with pytest.raises(claims.LeaseLost, match="taken over by station station-2"):
        packing.verify_scan(a, oid, MUG.code, ev())
    resumed = packing.verify_scan(boss, oid, MUG.code, ev())
    assert resumed.session.lines[0].verified == 2  # the count anna made carried over
    with a.database.read_session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "order.taken_over"))
        assert event is not None and event.user_id == boss.actor.user_id
        assert event.after is not None and event.after["from_user"] == "anna"
        assert event.after["reason"] == "anna went home"


def test_an_expired_lease_returns_the_order_to_the_queue(two_stations) -> None:
    a, b = two_stations
    oid = packdata.order(a.database, "1044", [("SKU-MUG", 1)])
    assert claims.claim_next(a, Operation.PACK).order_id == oid  # type: ignore[union-attr]
    assert claims.claim_next(b, Operation.PACK) is None
    with a.database.write_session() as s, s.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        s.execute(update(Order).where(Order.id == oid).values(lease_until=past))
    assert claims.heartbeat(a) == 0  # a lapsed lease is not silently renewed
    claim = claims.claim_next(b, Operation.PACK)
    assert claim is not None and claim.order_id == oid and claim.station_id == b.actor.station_id


def test_next_order_takes_priority_then_ship_by_then_age(two_stations, make_ctx) -> None:
    a, _ = two_stations
    db: Database = a.database
    low = packdata.order(db, "1", [("SKU-MUG", 1)])
    high = packdata.order(db, "2", [("SKU-MUG", 1)], priority=2)
    soon = packdata.order(db, "3", [("SKU-MUG", 1)])
    with db.write_session() as s, s.begin():
        s.execute(
            update(Order)
            .where(Order.id == soon)
            .values(ship_by=datetime.now(UTC) + timedelta(hours=1))
        )
    order = []
    for _ in range(3):
        claim = claims.claim_next(make_ctx(Role.PACKER), Operation.PACK)
        assert claim is not None
        order.append(claim.order_id)
    assert order == [high, soon, low]


def test_heartbeat_renews_and_logout_releases(two_stations) -> None:
    a, b = two_stations
    oid = packdata.order(a.database, "1045", [("SKU-MUG", 1)])
    packing.open_order(a, "1045")
    assert claims.heartbeat(a) == 1
    assert claims.release_all(a) == 1
    assert claims.claim_order(b, oid, Operation.PACK).station_id == b.actor.station_id


def test_a_restarted_station_resumes_with_the_same_counts_boxes_and_weights(
    two_stations, db_url: str
) -> None:
    a, _ = two_stations
    oid = packdata.order(a.database, "1046", [("SKU-MUG", 3)])
    packing.open_order(a, "1046")
    packing.verify_scan(a, oid, MUG.code, ev())
    packing.record_weight(a, oid, Decimal(470), ev())
    packing.new_box(a, oid, ev())
    packing.verify_scan(a, oid, MUG.code, ev())
    before = packing.pack_session(a, oid)
    # "Crash": a new process is a new Database and context for the same station and user.
    a.database.dispose()
    fresh = ServiceContext(Database(db_url), a.actor)
    try:
        work = claims.current_work(fresh)
        assert work is not None and work.operation is Operation.PACK and work.order_id == oid
        resumed = packing.current_pack_session(fresh)
        assert resumed is not None
        assert resumed.lines == before.lines and resumed.packages == before.packages
        assert resumed.current_seq == 2 and resumed.packages[0].weight_g == Decimal(470)
        assert packing.verify_scan(fresh, oid, MUG.code, ev()).session.lines[0].verified == 3
    finally:
        fresh.database.dispose()
