"""The database handle a process holds: one engine, its session factories, and its mode."""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from wms_desk.db import schema
from wms_desk.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    create_db_engine,
    describe_url,
    is_sqlite,
    read_only,
    sqlite_url,
)
from wms_desk.services.changes import ChangeBus
from wms_desk.services.errors import DatabaseUnavailable


@dataclass
class Database:
    """Where the data lives. Sessions come from here and never cross a thread."""

    url: str
    engine: Engine = field(init=False)
    # Every unit of work on this database publishes what it changed here, after commit.
    changes: ChangeBus = field(init=False, default_factory=ChangeBus)
    # Names this process in NOTIFY payloads, so it can tell its own commits from others'.
    origin: str = field(init=False, default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        self.engine = create_db_engine(self.url)
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(read_only(self.engine), expire_on_commit=False)

    @classmethod
    def for_file(cls, path: Path) -> Database:
        return cls(sqlite_url(path))

    @functools.cached_property
    def is_sqlite(self) -> bool:
        # Asked on every claim and unit of work; parsing the URL each time cost ~40 us.
        return is_sqlite(self.url)

    @property
    def mode(self) -> str:
        """'embedded' for a station's own SQLite file, 'shared' for PostgreSQL."""
        return "embedded" if self.is_sqlite else "shared"

    @property
    def display_url(self) -> str:
        return describe_url(self.url)

    @property
    def location(self) -> str:
        """Short, for the status bar: the file, or host/database (never the password)."""
        url = make_url(self.url)
        if self.is_sqlite:
            return url.database or "memory"
        return f"{url.host or 'localhost'}/{url.database}"

    def write_session(self) -> Session:
        return self._write()

    def read_session(self) -> Session:
        return self._read()

    def ping(
        self,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Raise DatabaseUnavailable unless a trivial query round-trips.

        A SQLite file that another process holds (opening it while the WAL is checkpointed or
        recovered) is tried again, as a busy write is, before the user is told.
        """
        started, attempt = clock(), 0
        while True:
            attempt += 1
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except DBAPIError as exc:
                if self.is_sqlite and is_busy(exc):
                    waited = clock() - started
                    if waited < SQLITE_BUSY_BUDGET_S:
                        sleep(busy_backoff(attempt))
                        continue
                    raise DatabaseUnavailable(busy_message(self, waited)) from exc
                raise DatabaseUnavailable(unavailable_message(self, exc)) from exc

    def prepare(self, upgrade_embedded: bool = True) -> None:
        """Make the schema usable: an embedded file is upgraded, a shared database only checked."""
        self.ping()
        if self.is_sqlite and upgrade_embedded:
            if not schema.schema_state(self.engine).up_to_date:
                schema.check_newer_than_known(self.engine)
                schema.upgrade(self.engine)
            return
        schema.check_schema(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


# SQLite's primary result codes for "another connection holds the lock".
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# Each try already waits busy_timeout for the lock, and SQLite's busy handler is not fair (a
# waiter can lose to newcomers again and again), so a busy file is tried again, with backoff,
# until this much time has gone by in all; only then is the user told.
SQLITE_BUSY_BUDGET_S = 60.0


def busy_backoff(attempt: int) -> float:
    """Jittered, growing, at most 1 s: stations that all waited do not collide again in step."""
    return random.uniform(0, min(1.0, 0.05 * 2**attempt))


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": a writer held the file longer than busy_timeout."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text


def busy_message(database: Database, waited_s: float) -> str:
    return (
        f"Another station or program kept the database {database.display_url} busy for "
        f"{max(1, round(waited_s))} s, so nothing was changed. Try again when it has finished "
        "(a long import or a backup copy holds the file)."
    )


def unavailable_message(database: Database, exc: BaseException) -> str:
    if database.is_sqlite and is_busy(exc):
        return busy_message(database, SQLITE_BUSY_TIMEOUT_MS / 1000)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    where = database.display_url
    if database.is_sqlite:
        todo = "Check that the file's folder exists and is writable, then retry."
    else:
        todo = "Check the network and that the database server is running, then retry."
    return f"Cannot reach the database at {where} ({detail}). {todo}"
