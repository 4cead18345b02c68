""" "Next order" keeps every semantic on its short path (PostgreSQL: one statement): the station's
work filter, a supervisor's rule change applied on the very next claim, an audit row per claim,
the change event after commit (and NOTIFY to other stations), and a pooled connection the server
dropped costs one retry, not an error."""

from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND
from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import AuditEvent, Order
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import Operation, StationRules, WorkFilter
from wms_desk.services import claims
from wms_desk.services.changes import NOTIFY_CHANNEL, ChangeSet, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.errors import DatabaseUnavailable
from wms_desk.services.packing.cartons import save_station_rules
from wms_desk.services.uow import run_unit_of_work

MUG = Item("SKU-MUG", "4006381333931", Decimal(350))
PLATE = Item("SKU-PLATE", "4006381333948", Decimal(500))


@pytest.fixture
def stock(make_ctx, system_ctx: ServiceContext):
    packdata.add_items(system_ctx.database, MUG, PLATE)
    packdata.add_cartons(system_ctx.database)
    return make_ctx(Role.PACKER, "anna")


def _service(db: Database, order_id: int, service: str) -> None:
    with db.write_session() as s, s.begin():
        s.execute(update(Order).where(Order.id == order_id).values(requested_service=service))


def test_the_work_filter_holds_and_a_rule_change_applies_to_the_next_claim(
    stock: ServiceContext, make_ctx, system_ctx: ServiceContext
) -> None:
    db = stock.database
    station = stock.actor.station_id
    two_units = packdata.order(db, "W-1", [("SKU-MUG", 1), ("SKU-PLATE", 1)], priority=5)
    express = packdata.order(db, "W-2", [("SKU-MUG", 1)], priority=3)
    single = packdata.order(db, "W-3", [("SKU-PLATE", 1)])
    _service(db, express, "express")
    _service(db, single, "ground")
    admin = make_ctx(Role.ADMIN, "root")
    rules = StationRules(work=WorkFilter(single_item_only=True, services=("ground",)))
    save_station_rules(admin, station, rules)
    first = claims.claim_next(stock, Operation.PACK)
    assert first is not None and first.order_id == single  # the others are filtered out
    assert claims.claim_next(stock, Operation.PACK) is None
    # The supervisor widens the filter: the very next claim sees it (no stale cached rules).
    save_station_rules(admin, station, StationRules(work=WorkFilter(services=("express",))))
    second = claims.claim_next(stock, Operation.PACK)
    assert second is not None and second.order_id == express
    save_station_rules(admin, station, StationRules())
    third = claims.claim_next(stock, Operation.PACK)
    assert third is not None and third.order_id == two_units
    with db.read_session() as s:
        rows = s.execute(
            select(
                AuditEvent.subject_id,
                AuditEvent.station_id,
                AuditEvent.user_id,
                AuditEvent.after,
                AuditEvent.event_id,
            )
            .where(AuditEvent.action == "order.claimed")
            .order_by(AuditEvent.id)
        ).all()
        leased = s.execute(
            select(Order.status, Order.claimed_by_station_id, Order.claimed_by_user_id).where(
                Order.id == two_units
            )
        ).one()
    assert [r.subject_id for r in rows] == [str(single), str(express), str(two_units)]
    assert {(r.station_id, r.user_id) for r in rows} == {(station, stock.actor.user_id)}
    expected = {"operation": "pack", "station": stock.actor.station_name}
    assert [r.after for r in rows] == [expected] * 3  # a JSON object, not a string
    assert len({uuid.UUID(r.event_id) for r in rows}) == 3  # each claim its own event id
    assert tuple(leased) == ("packing", station, stock.actor.user_id)


def test_the_change_event_comes_after_the_claim_committed(stock: ServiceContext) -> None:
    db = stock.database
    oid = packdata.order(db, "E-1", [("SKU-MUG", 1)])
    seen: list[tuple[ChangeSet, int | None]] = []

    def listener(changes: ChangeSet) -> None:
        # Another session must already see the lease: the event is published after commit.
        with db.read_session() as s:
            seen.append(
                (changes, s.scalar(select(Order.claimed_by_user_id).where(Order.id == oid)))
            )

    unsubscribe = db.changes.subscribe(listener)
    try:
        claim = claims.claim_next(stock, Operation.PACK)
        assert claims.claim_next(stock, Operation.PACK) is None  # nothing claimed: no lease
    finally:
        unsubscribe()
    assert claim is not None and claim.order_id == oid
    leases = [(changes, holder) for changes, holder in seen if Topic.LEASES in changes]
    assert len(leases) == 1
    changes, holder = leases[0]
    assert Topic.LEASES in changes and Topic.ORDERS in changes
    assert changes.ids_of(Topic.LEASES) == {oid}
    assert holder == stock.actor.user_id


only_postgresql = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL only")


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@only_postgresql
def test_other_stations_hear_the_claim_through_notify(db_url: str, make_ctx, system_ctx) -> None:
    packdata.add_items(system_ctx.database, MUG)
    ctx = make_ctx(Role.PACKER, "anna")
    packdata.order(ctx.database, "N-1", [("SKU-MUG", 1)])
    with psycopg.connect(_psycopg_url(db_url), autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        assert claims.claim_next(ctx, Operation.PACK) is not None
        heard = next(listener.notifies(timeout=5, stop_after=1))
    changes = ChangeSet.from_payload(heard.payload)
    assert changes.origin == ctx.database.origin
    assert changes.station_id == ctx.actor.station_id
    assert {Topic.LEASES, Topic.ORDERS} <= changes.topics


def _drop_pooled_connections(url: str) -> int:
    """What a server restart does to a station's idle pool: every backend of it is gone."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            return int(
                c.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        admin.dispose()


@only_postgresql
def test_a_connection_the_server_dropped_costs_one_retry_not_an_error(
    db_url: str, make_ctx, system_ctx
) -> None:
    packdata.add_items(system_ctx.database, MUG)
    ctx = make_ctx(Role.PACKER, "anna")
    db = ctx.database
    first = packdata.order(db, "R-1", [("SKU-MUG", 1)])
    second = packdata.order(db, "R-2", [("SKU-MUG", 1)])
    assert claims.heartbeat(ctx) == 0  # the pool now holds a connection
    assert _drop_pooled_connections(db_url) >= 1
    claim = claims.claim_next(ctx, Operation.PACK)  # the short path
    assert claim is not None and claim.order_id == first
    assert _drop_pooled_connections(db_url) >= 1
    assert claims.heartbeat(ctx) == 1  # a unit of work
    assert _drop_pooled_connections(db_url) >= 1
    assert claims.current_work(ctx) is not None  # a read
    assert claims.claim_next(ctx, Operation.PACK).order_id == second  # type: ignore[union-attr]


def test_a_lost_database_is_still_a_clear_message_on_the_short_path() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    from wms_desk.services.context import Actor

    ctx = ServiceContext(database, Actor(1, "anna", "Anna", Role.PACKER, 1, "pack-01"))
    try:
        with pytest.raises(DatabaseUnavailable, match="Cannot reach the database"):
            claims.claim_next(ctx, Operation.PACK)
        with pytest.raises(DatabaseUnavailable, match="Cannot reach the database"):
            run_unit_of_work(ctx, lambda uow: uow.audit("x", "y", str(uuid.uuid4())))
    finally:
        database.dispose()


@only_postgresql
def test_the_claims_unsynchronised_commit_stays_in_its_own_transaction(
    make_ctx, system_ctx
) -> None:
    """The claim's NOTIFY turns synchronous_commit off for its own commit only (claims_pg._NOTIFY
    says why): every connection the pool hands out afterwards commits to disk as before, and
    is out of autocommit mode again (driver_sql.autocommit lends it; sessions share the pool)."""
    packdata.add_items(system_ctx.database, MUG)
    ctx = make_ctx(Role.PACKER, "anna")
    for n in range(3):
        packdata.order(ctx.database, f"S-{n}", [("SKU-MUG", 1)])
    while claims.claim_next(ctx, Operation.PACK) is not None:
        pass
    pool = ctx.database.engine.pool
    held = [ctx.database.engine.connect() for _ in range(max(1, pool.checkedin()))]
    try:
        autocommit = {c.connection.driver_connection.autocommit for c in held}  # type: ignore[union-attr]
        settings = {c.exec_driver_sql("SHOW synchronous_commit").scalar_one() for c in held}
    finally:
        for connection in held:
            connection.close()
    assert autocommit == {False}
    assert settings == {"on"}
    with ctx.database.engine.connect() as c:
        claimed = c.execute(
            select(AuditEvent.subject_id).where(AuditEvent.action == "order.claimed")
        ).scalars()
        assert len(list(claimed)) == 3  # each claim committed with its audit row


@only_postgresql
def test_a_claim_is_on_disk_when_claim_next_returns(db_url: str, make_ctx, system_ctx) -> None:
    """The claim's commit record is flushed before claim_next answers: the WAL's flush position,
    read at once afterwards, is past it (pg_walinspect finds the record by the row's xmin). A
    claim committed without waiting for the disk fails this unless something else happened to
    flush the WAL in that instant."""
    packdata.add_items(system_ctx.database, MUG)
    ctx = make_ctx(Role.PACKER, "anna")
    orders = [packdata.order(ctx.database, f"D-{n}", [("SKU-MUG", 1)]) for n in range(5)]
    with psycopg.connect(_psycopg_url(db_url), autocommit=True) as probe:
        probe.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        probe.execute("CREATE TABLE flush_probe (x integer)")
        start = probe.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
        flushed = []
        for _ in orders:
            claim = claims.claim_next(ctx, Operation.PACK)
            assert claim is not None
            flushed.append(
                (claim.order_id, probe.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0])  # type: ignore[index]
            )
        # A synchronous commit of the probe's own: the WAL up to here is on disk, so it can be
        # read (pg_walinspect reads only flushed WAL).
        probe.execute("INSERT INTO flush_probe VALUES (1)")
        for order_id, flush_lsn in flushed:
            row = probe.execute(
                "SELECT r.end_lsn <= %s::pg_lsn FROM orders o, "
                "pg_get_wal_records_info_till_end_of_wal(%s::pg_lsn) r "
                "WHERE o.id = %s AND r.resource_manager = 'Transaction' "
                "AND r.record_type = 'COMMIT' AND r.xid = o.xmin",
                (flush_lsn, start, order_id),
            ).fetchone()
            assert row is not None, order_id  # the claim's own commit record
            assert row[0], (order_id, flush_lsn)
    assert sorted(claim_id for claim_id, _ in flushed) == sorted(orders)


@only_postgresql
def test_a_failed_notify_leaves_the_claim_as_it_is(make_ctx, system_ctx, monkeypatch) -> None:
    """The NOTIFY runs after the claim committed: its failure must not make the retry loop
    claim a second order, and the station gets the order it holds."""
    from wms_desk.services import claims_pg
    from wms_desk.services.driver_sql import DriverStatement

    packdata.add_items(system_ctx.database, MUG)
    ctx = make_ctx(Role.PACKER, "anna")
    first = packdata.order(ctx.database, "F-1", [("SKU-MUG", 1)])
    packdata.order(ctx.database, "F-2", [("SKU-MUG", 1)])
    monkeypatch.setattr(claims_pg, "_NOTIFY", DriverStatement("SELECT 1 / 0", {}))
    seen: list[ChangeSet] = []
    unsubscribe = ctx.database.changes.subscribe(seen.append)
    try:
        claim = claims.claim_next(ctx, Operation.PACK)
    finally:
        unsubscribe()
    assert claim is not None and claim.order_id == first
    with ctx.database.read_session() as s:
        held = s.scalars(select(Order.id).where(Order.claimed_by_user_id.is_not(None))).all()
        audited = s.scalars(
            select(AuditEvent.subject_id).where(AuditEvent.action == "order.claimed")
        ).all()
    assert held == [first] and audited == [str(first)]
    assert [c.ids_of(Topic.LEASES) for c in seen] == [{first}]  # this process still hears it
