"""Engine factory: SQLite pragmas and BEGIN IMMEDIATE for writes, or a pooled PostgreSQL engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_TIMEOUT_MS = 5000
# Marks an engine whose transactions only read: SQLite then opens them with a plain BEGIN,
# so a screen refresh never queues behind the writer lock.
READ_ONLY = "wms_read_only"


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def is_sqlite(url: str | URL) -> bool:
    return make_url(str(url)).get_backend_name() == "sqlite"


def describe_url(url: str | URL) -> str:
    """The URL as it is safe to show: the password hidden."""
    return make_url(str(url)).render_as_string(hide_password=True)


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url, **kwargs)
    from wms_desk.db.models import Base
    from wms_desk.db.models.postgresql_options import add_postgresql_options

    add_postgresql_options(Base.metadata)
    # No pre-ping: it was one extra round trip on every checkout (every unit of work). A server
    # that dropped a pooled connection is handled where the error surfaces: the unit of work
    # retries once on a fresh connection when nothing can have been committed (services/uow.py).
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event below emit BEGIN itself (pysqlite's own would be DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # REPLACE deletes the row it conflicts with; only with recursive triggers does that
        # delete fire the append-only guards, so `REPLACE INTO audit_events` is refused.
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MB page cache: the queue's searches over a million orders read ~30% faster.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY despite
        # busy_timeout; IMMEDIATE takes the write lock up front and waits for it properly.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def read_only(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions only read."""
    return engine.execution_options(**{READ_ONLY: True})
