"""SQLite "database is locked" is retried with backoff, and if it lasts, said plainly (9 #4)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from wms_desk.db import engine as engine_module
from wms_desk.db.models import AuditEvent
from wms_desk.services import database as database_module
from wms_desk.services import uow as uow_module
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import DatabaseUnavailable
from wms_desk.services.uow import run_unit_of_work


@pytest.fixture
def busy_file(sqlite_db_url: str, monkeypatch):
    """A database whose busy_timeout is 100 ms, and another program holding its write lock."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    database = Database(sqlite_db_url)
    holder = sqlite3.connect(Path(make_url(sqlite_db_url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield database, holder
    holder.close()
    database.dispose()


def _audits(database: Database) -> int:
    with database.read_session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_busy_file_is_tried_again_until_the_other_program_lets_go(busy_file) -> None:
    database, holder = busy_file
    ctx = ServiceContext(database, system_actor())
    before = _audits(database)
    tries: list[int] = []
    delays: list[float] = []

    def work(uow) -> str:
        tries.append(1)
        uow.audit("test.written", "test", 1)
        return "done"

    def backoff(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 3:  # the other program commits while we back off the third time
            holder.execute("COMMIT")

    assert run_unit_of_work(ctx, work, sleep=backoff) == "done"
    # BEGIN IMMEDIATE waits at the work's first statement: three tries met the lock.
    assert (len(tries), len(delays)) == (4, 3)
    assert all(0 <= d <= 1.0 for d in delays)
    assert _audits(database) == before + 1


def test_a_file_busy_for_too_long_says_so_and_changes_nothing(busy_file, monkeypatch) -> None:
    database, _holder = busy_file
    monkeypatch.setattr(uow_module, "SQLITE_BUSY_BUDGET_S", 0.5)
    ctx = ServiceContext(database, system_actor())
    before = _audits(database)
    with pytest.raises(DatabaseUnavailable) as busy:
        run_unit_of_work(ctx, lambda uow: uow.audit("test.written", "test", 1))
    message = str(busy.value)
    assert "Another station or program kept the database" in message
    assert "busy for 1 s" in message
    assert "nothing was changed" in message and "writable" not in message
    assert _audits(database) == before


def test_opening_a_file_another_program_holds_is_tried_again(sqlite_db_url, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    # A program that holds the file exclusively (as one does while it recovers or checkpoints
    # the WAL): even opening it to read is busy until it lets go.
    holder = sqlite3.connect(Path(make_url(sqlite_db_url).database), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("COMMIT")
    database = Database(sqlite_db_url)
    delays: list[float] = []

    def backoff(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:
            holder.close()

    database.ping(sleep=backoff)
    assert len(delays) == 2
    database.dispose()


def test_a_file_held_for_too_long_is_reported_as_busy_on_opening(
    sqlite_db_url, monkeypatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(database_module, "SQLITE_BUSY_BUDGET_S", 0.3)
    holder = sqlite3.connect(Path(make_url(sqlite_db_url).database), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("COMMIT")
    database = Database(sqlite_db_url)
    with pytest.raises(DatabaseUnavailable, match=r"kept the database .* busy for 1 s"):
        database.ping()
    holder.close()
    database.dispose()
