"""A cancel interrupts the statement in flight (SQLite interrupt(), PostgreSQL cancel)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from wms_desk.services.database import Database
from wms_desk.services.reports import _interrupt_on

# Far longer than the test waits: only an interrupt ends it in time.
LONG = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
    "SELECT i + 1 FROM n WHERE i < 3000000000) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(60)",
}


def test_a_cancel_stops_a_running_statement(any_db_url: str) -> None:
    database = Database(any_db_url)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    session = database.read_session()
    try:
        started = time.monotonic()
        timer.start()
        with pytest.raises(DBAPIError), _interrupt_on(cancel, session):
            session.execute(text(LONG[session.get_bind().dialect.name]))
        assert cancel.is_set()
        assert time.monotonic() - started < 10
    finally:
        timer.cancel()
        session.close()
        database.dispose()


def test_no_cancel_no_watcher(any_db_url: str) -> None:
    database = Database(any_db_url)
    session = database.read_session()
    try:
        before = threading.active_count()
        with _interrupt_on(None, session):
            assert session.execute(text("SELECT 1")).scalar() == 1
            assert threading.active_count() == before
    finally:
        session.close()
        database.dispose()
