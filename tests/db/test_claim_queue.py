"""PostgreSQL's claim-queue indexes (migration 0014): "next order" walks one index in urgency
order, leased orders passed over inside it; the dead orders NOTIFY trigger is gone."""

from __future__ import annotations

import pytest
from psycopg.types.json import Jsonb
from sqlalchemy import text

from tests.conftest import BACKEND
from tests.services import pack_load
from wms_desk.db.models.base import utcnow
from wms_desk.db.queries import claim_queue
from wms_desk.domain.station_rules import Operation, StationRules
from wms_desk.services import claims, claims_pg
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's claim path")


def _claim_plan(system_ctx: ServiceContext, operation: Operation) -> str:
    """EXPLAIN of the very statement claims_pg sends, with a claim's values."""
    with system_ctx.database.engine.connect() as connection:
        connection.execute(text("ANALYZE orders"))
        connection.commit()
        statement = claims_pg._statement(operation, StationRules(), connection.dialect)
        now = utcnow().replace(tzinfo=None)
        values = {"now": now, "until": now, "station_id": 1, "user_id": 1, "stamp": None}
        values |= {"event_id": "plan", "after": Jsonb({}), "payload": "plan"}
        driver = connection.connection.driver_connection
        assert driver is not None
        rows = driver.execute("EXPLAIN " + statement.sql, {**statement.constants, **values})
        plan = "\n".join(r[0] for r in rows.fetchall())
        connection.rollback()
    return plan


@pytest.mark.parametrize(
    ("operation", "index"),
    [(Operation.PACK, "ix_orders_pack_queue"), (Operation.PICK, "ix_orders_pick_queue")],
)
def test_next_order_walks_its_claim_queue_index_without_sorting(
    system_ctx: ServiceContext, operation: Operation, index: str
) -> None:
    pack_load.seed(system_ctx.database, 600)
    plan = _claim_plan(system_ctx, operation)
    assert f"Index Scan using {index}" in plan, plan
    assert "Sort" not in plan, plan  # the index gives the claim order
    # The lease is tested inside the index, before the row is read.
    assert "Index Cond: (COALESCE(lease_until" in plan, plan


def test_the_server_plans_the_claim_once_not_on_every_call(db_url: str, system_ctx) -> None:
    """psycopg prepares the claim after a few calls; the server then keeps one generic plan if
    it is as good as a per-call one. A generic plan knows no parameter's value, so it can use
    the partial queue index only if the statement names the index's statuses itself: with the
    statuses as parameters every claim was planned anew (~0.3 ms of server CPU each), or the
    generic plan sorted the eligible orders."""
    pack_load.seed(system_ctx.database, 600)  # enough that a plan without the index is worse
    actor = pack_load.station_actor(system_ctx.database, 0)
    with system_ctx.database.engine.connect() as connection:
        connection.execute(text("ANALYZE orders"))
        connection.commit()
    station = Database(db_url)  # its own pool: one connection, used by every claim below
    try:
        ctx = ServiceContext(station, actor)
        for _ in range(15):
            assert claims.claim_next(ctx, Operation.PACK) is not None
        # The pool's one connection, where the claims' prepared statement lives.
        autocommit = station.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            name, generic, values = connection.execute(
                text(
                    "SELECT name, generic_plans, cardinality(parameter_types) "
                    "FROM pg_prepared_statements WHERE statement LIKE 'WITH claimed AS%'"
                )
            ).one()
            # The plan it keeps (EXPLAIN does not run it: the values do not matter).
            connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            arguments = ", ".join(["NULL"] * values)
            plan = "\n".join(
                connection.exec_driver_sql(f"EXPLAIN EXECUTE {name} ({arguments})").scalars()
            )
            connection.exec_driver_sql("RESET plan_cache_mode")
        assert station.engine.pool.checkedin() == 1  # the claims' one connection, seen above
    finally:
        station.dispose()
    assert generic >= 5, generic  # the server's few trial plans, then the one plan for all
    assert "Index Scan using ix_orders_pack_queue" in plan, plan
    assert "Sort" not in plan, plan


def test_the_indexes_hold_exactly_the_orders_each_operation_may_claim(
    system_ctx: ServiceContext,
) -> None:
    with system_ctx.database.engine.connect() as connection:
        definitions = dict(
            connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_queue'")
            ).all()
        )
        triggers = set(
            connection.scalars(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'orders'::regclass")
            )
        )
    assert set(definitions) == set(claim_queue.INDEXES)
    for operation, name in ((Operation.PICK, "pick"), (Operation.PACK, "pack")):
        where = definitions[f"ix_orders_{name}_queue"].split(" WHERE ", 1)[1]
        for status in claims.ELIGIBLE[operation]:
            assert f"'{status}'" in where
        assert where.count("'::") == len(claims.ELIGIBLE[operation])  # no other status
    assert "batch_id IS NULL" in definitions["ix_orders_pick_queue"]
    # Nothing listened on it; every write of orders paid a NOTIFY for it.
    assert "orders_changed_notify" not in triggers
