"""The ledger and audit trail cannot be rewritten: by REPLACE, TRUNCATE, or the station role."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from tests.factories import add_bin, add_product
from wms_desk.db import schema
from wms_desk.db.engine import read_only
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stock import apply_move
from wms_desk.services.uow import run_unit_of_work

TABLES = ("audit_events", "stock_moves")


@pytest.fixture
def written(sqlite_db_url: str) -> Iterator[tuple[Database, str]]:
    """A database with one stock move and one audit event with a known event id."""
    database = Database(sqlite_db_url)
    ctx = ServiceContext(database, system_actor())
    product, bin_ = add_product(database), add_bin(database)
    event_id = str(uuid.uuid4())
    run_unit_of_work(ctx, lambda uow: apply_move(uow, product, 5, "receive", to_bin_id=bin_))
    run_unit_of_work(ctx, lambda uow: uow.audit("test.event", "test", 1, event_id=event_id))
    yield database, event_id
    database.dispose()


def _rows(database: Database, table: str) -> list[tuple[object, ...]]:
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.mark.parametrize("table", TABLES)
def test_replace_into_an_existing_row_is_refused_on_sqlite(written, table: str) -> None:
    database, _event_id = written
    before = _rows(database, table)
    columns = ", ".join(
        f"'{v}'" if isinstance(v, str) else ("NULL" if v is None else str(v)) for v in before[0]
    )
    for verb in ("REPLACE", "INSERT OR REPLACE"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
            c.execute(text(f"{verb} INTO {table} SELECT {columns}"))
    assert _rows(database, table) == before


def test_replace_on_the_unique_event_id_is_refused_and_replays_still_ignored(written) -> None:
    database, event_id = written
    before = _rows(database, "audit_events")
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
        c.execute(
            text(
                "REPLACE INTO audit_events (event_id, created_at, action, subject_type, "
                "subject_id) VALUES (:e, '2020-01-01 00:00:00', 'forged', 'test', '1')"
            ),
            {"e": event_id},
        )
    assert _rows(database, "audit_events") == before
    # The idempotent path the app uses (ON CONFLICT DO NOTHING) is untouched by the guard.
    ctx = ServiceContext(database, system_actor())
    assert run_unit_of_work(ctx, lambda uow: uow.audit("x", "test", 1, event_id=event_id)) is False
    assert _rows(database, "audit_events") == before


def test_every_sqlite_connection_has_recursive_triggers_on(sqlite_db_url: str) -> None:
    database = Database(sqlite_db_url)
    engine = read_only(database.engine)  # two writers would queue for SQLite's one write lock
    with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            assert connection.execute(text("PRAGMA recursive_triggers")).scalar() == 1
    database.dispose()


@pytest.mark.postgresql
@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused_on_postgresql(pg_db_url: str, table: str) -> None:
    database = Database(pg_db_url)
    ctx = ServiceContext(database, system_actor())
    run_unit_of_work(ctx, lambda uow: uow.audit("test.event", "test", 1))
    product, bin_ = add_product(database), add_bin(database)
    run_unit_of_work(ctx, lambda uow: apply_move(uow, product, 5, "receive", to_bin_id=bin_))
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as c:
        c.execute(text(f"TRUNCATE {table} CASCADE"))
    assert len(_rows(database, table)) == 1
    database.dispose()


def wms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wms_desk", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def station_role(pg_db_url: str) -> Iterator[str]:
    """A real login role in the test server, dropped (with its rights) afterwards."""
    role = f"wms_station_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield role
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.mark.postgresql
def test_station_role_may_insert_and_read_but_never_rewrite(
    pg_db_url: str, station_role: str
) -> None:
    granted = wms("--db", pg_db_url, "db", "upgrade", "--grant-to", station_role)
    assert granted.returncode == 0, granted.stderr
    assert f"granted to {station_role}" in granted.stdout
    assert "SELECT and INSERT only on audit_events, stock_moves" in granted.stdout

    station = Database(_as(pg_db_url, station_role))
    try:
        station.prepare()  # a station checks the schema: it may read alembic_version
        ctx = ServiceContext(station, system_actor())
        # What a station does all day works: stock moves and audit events go in.
        product, bin_ = add_product(station), add_bin(station)
        run_unit_of_work(ctx, lambda uow: apply_move(uow, product, 3, "receive", to_bin_id=bin_))
        assert run_unit_of_work(ctx, lambda uow: uow.audit("test.event", "test", 1)) is True
        for table in TABLES:
            before = _rows(station, table)
            assert before, table
            for statement in (
                f"UPDATE {table} SET created_at = created_at",
                f"DELETE FROM {table}",
                f"TRUNCATE {table}",
                f"DROP TRIGGER {table}_append_only ON {table}",
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            ):
                with pytest.raises(ProgrammingError) as refused, station.engine.begin() as c:
                    c.execute(text(statement))
                message = str(refused.value.orig)
                assert "permission denied" in message or "must be owner" in message, statement
            assert _rows(station, table) == before
    finally:
        station.dispose()


@pytest.mark.postgresql
def test_grant_refuses_a_missing_role_a_superuser_and_an_owner(pg_db_url: str) -> None:
    missing = wms("--db", pg_db_url, "db", "upgrade", "--grant-to", "no_such_role_here")
    assert missing.returncode == 1
    assert "no PostgreSQL role named no_such_role_here" in missing.stderr
    assert "CREATE ROLE" in missing.stderr
    owner = make_url(pg_db_url).username or "postgres"
    superuser = wms("--db", pg_db_url, "db", "upgrade", "--grant-to", owner)
    assert superuser.returncode == 1 and "superuser" in superuser.stderr


@pytest.mark.postgresql
def test_grant_refuses_a_role_that_owns_the_tables(pg_db_url: str, station_role: str) -> None:
    database = Database(pg_db_url)
    with database.engine.begin() as connection:
        connection.execute(text(f'ALTER TABLE audit_events OWNER TO "{station_role}"'))
    with pytest.raises(schema.GrantRefused, match="could drop the append-only triggers"):
        schema.grant_station_role(database.engine, station_role)
    with database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_events OWNER TO CURRENT_USER"))
    database.dispose()


def test_grant_to_on_sqlite_says_it_has_no_roles(sqlite_db_url: str) -> None:
    result = wms("--db", sqlite_db_url, "db", "upgrade", "--grant-to", "anyone")
    assert result.returncode == 1
    assert "SQLite file has no roles" in result.stderr
