"""Concurrency errors are retried with backoff (at most 5 tries); a lost database is reported."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import add_order
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import DatabaseUnavailable
from wms_desk.services.uow import MAX_TRIES, run_unit_of_work


@pytest.mark.postgresql
def test_lock_not_available_is_retried_until_the_other_station_lets_go(pg_db_url: str) -> None:
    database = Database(pg_db_url)
    order_id = add_order(database)
    ctx = ServiceContext(database, system_actor())
    other_station = database.engine.connect()
    other = other_station.begin()
    other_station.execute(text("SELECT id FROM orders WHERE id = :i FOR UPDATE"), {"i": order_id})
    attempts: list[int] = []
    delays: list[float] = []

    def claim(uow):
        attempts.append(1)
        return uow.session.execute(
            text("SELECT id FROM orders WHERE id = :i FOR UPDATE NOWAIT"), {"i": order_id}
        ).scalar()

    def backoff(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:  # the other station commits while we back off the second time
            other.commit()

    assert run_unit_of_work(ctx, claim, sleep=backoff) == order_id
    assert len(attempts) == 3 and len(delays) == 2
    assert all(0 <= d <= 0.02 * 2**n for n, d in enumerate(delays, 1))
    other_station.close()
    database.dispose()


@pytest.mark.postgresql
def test_gives_up_after_five_tries(pg_db_url: str) -> None:
    database = Database(pg_db_url)
    order_id = add_order(database)
    ctx = ServiceContext(database, system_actor())
    holder = database.engine.connect()
    holder.begin()
    holder.execute(text("SELECT id FROM orders WHERE id = :i FOR UPDATE"), {"i": order_id})
    tries: list[int] = []

    def claim(uow):
        tries.append(1)
        uow.session.execute(
            text("SELECT id FROM orders WHERE id = :i FOR UPDATE NOWAIT"), {"i": order_id}
        )

    with pytest.raises(Exception, match=r"LockNotAvailable|could not obtain lock"):
        run_unit_of_work(ctx, claim, sleep=lambda _s: None)
    assert len(tries) == MAX_TRIES
    holder.close()
    database.dispose()


def test_an_unreachable_database_is_a_clear_message_not_a_traceback() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseUnavailable) as lost:
        database.ping()
    message = str(lost.value)
    assert "127.0.0.1" in message and "then retry" in message
    ctx = ServiceContext(database, system_actor())
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the database"):
        run_unit_of_work(ctx, lambda uow: uow.audit("x", "y", 1))
    database.dispose()
