"""The database itself refuses negative stock and edits to the ledger and audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.factories import add_bin, add_product
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stock import NotEnoughStock, apply_move, reconcile
from wms_desk.services.uow import run_unit_of_work


@pytest.fixture
def stocked(any_db_url: str):
    database = Database(any_db_url)
    product, bin_ = add_product(database), add_bin(database)
    ctx = ServiceContext(database, system_actor())
    run_unit_of_work(ctx, lambda uow: apply_move(uow, product, 5, "receive", to_bin_id=bin_))
    yield database, ctx, product, bin_
    database.dispose()


def test_check_refuses_a_negative_on_hand_in_sql(stocked) -> None:
    database, _ctx, product, bin_ = stocked
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(
            text("UPDATE bin_stock SET on_hand = -1 WHERE bin_id = :b AND product_id = :p"),
            {"b": bin_, "p": product},
        )
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT on_hand FROM bin_stock")).scalar() == 5


def test_taking_more_than_on_hand_is_refused_and_nothing_is_written(stocked) -> None:
    database, ctx, product, bin_ = stocked
    with pytest.raises(NotEnoughStock, match="A-01-01 does not hold 6 free of SKU-1"):
        run_unit_of_work(ctx, lambda uow: apply_move(uow, product, 6, "pick", from_bin_id=bin_))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT on_hand FROM bin_stock")).scalar() == 5
        assert connection.execute(text("SELECT count(*) FROM stock_moves")).scalar() == 1
    with database.read_session() as session:
        assert reconcile(session) == []


def test_reserved_can_never_exceed_on_hand(stocked) -> None:
    database, _ctx, _product, _bin = stocked
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text("UPDATE bin_stock SET reserved = 6"))


@pytest.mark.parametrize("table", ["stock_moves", "audit_events"])
def test_ledger_and_audit_trail_are_append_only(stocked, table: str) -> None:
    database, ctx, _product, _bin = stocked
    run_unit_of_work(ctx, lambda uow: uow.audit("test.event", "test", 1))
    for statement in (f"UPDATE {table} SET created_at = created_at", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
            c.execute(text(statement))
    with database.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() >= 1
