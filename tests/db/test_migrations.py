"""Migrations build an empty database to head on both backends, matching the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine, sqlite_url
from wms_desk.db.models import Base
from wms_desk.services.database import Database


def _upgrade_and_compare(url: str) -> list[object]:
    engine = create_db_engine(url)
    try:
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": schema.include_object}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_empty_sqlite_file_upgrades_to_head_and_matches_models(tmp_path: Path) -> None:
    assert _upgrade_and_compare(sqlite_url(tmp_path / "fresh.sqlite3")) == []


@pytest.mark.postgresql
def test_empty_postgresql_database_upgrades_to_head_and_matches_models(empty_pg_url: str) -> None:
    assert _upgrade_and_compare(empty_pg_url) == []


def test_schema_head_constant_is_the_alembic_head() -> None:
    assert schema.head_revision() == schema.SCHEMA_HEAD


def test_embedded_database_is_upgraded_on_start(tmp_path: Path) -> None:
    database = Database.for_file(tmp_path / "station.sqlite3")
    database.prepare()
    assert schema.current_revision(database.engine) == schema.head_revision()
    database.dispose()


@pytest.mark.postgresql
def test_shared_database_is_not_upgraded_by_a_client_and_says_what_to_run(
    empty_pg_url: str,
) -> None:
    database = Database(empty_pg_url)
    with pytest.raises(schema.SchemaMismatch, match="wms-desk db upgrade"):
        database.prepare()
    assert schema.current_revision(database.engine) is None
    database.dispose()


@pytest.mark.postgresql
def test_older_and_newer_shared_schemas_are_refused_naming_both_revisions(pg_db_url: str) -> None:
    database = Database(pg_db_url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(schema.SchemaMismatch) as newer:
        database.prepare()
    assert newer.value.newer
    assert "ffff9999" in str(newer.value) and schema.head_revision() in str(newer.value)
    assert "update wms-desk" in str(newer.value)
    database.dispose()


def test_an_embedded_file_from_a_newer_program_is_refused_not_touched(tmp_path: Path) -> None:
    database = Database.for_file(tmp_path / "newer.sqlite3")
    database.prepare()
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(schema.SchemaMismatch, match="newer than this program"):
        database.prepare()
    database.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    database = Database.for_file(tmp_path / "pragmas.sqlite3")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    database.dispose()
