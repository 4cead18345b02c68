"""One SQLAlchemy-built statement sent straight through the driver, for the hottest paths.

`claim_next` on PostgreSQL is one statement, yet SQLAlchemy's execute around it (the compiled
cache lookup, bind and result processing, the execution context and result objects) cost
about 0.4 ms of Python per claim on a station machine: more than the server's work, and under
the GIL of a process running many stations the ceiling on claims per second. Here the statement
is compiled once to the driver's SQL and its constant parameters, and each call hands that
string and the call's values to the driver connection of a pooled connection.

The connection is lent by `autocommit(engine)`: from the engine's pool and back, in autocommit
mode while lent. (Engine.connect() with an AUTOCOMMIT execution option does the same through a
Connection and its characteristics machinery: ~48 us of Python per checkout, ~18 us here.)
What SQLAlchemy would have done for us is kept: a driver error is raised as SQLAlchemy's
DBAPIError, with a dropped connection invalidated and marked, and a failure to connect raised
as Connection raises it (never marked), so services/uow.py's retry rules apply unchanged.
What it is not: values are not processed by column types. Callers pass what the driver takes
(naive UTC datetimes, as models/base.py UTCDateTime stores them; psycopg's Jsonb for JSON).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from psycopg.pq import ExecStatus
from sqlalchemy import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

TUPLES_OK = ExecStatus.TUPLES_OK


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    constants: Mapping[str, Any]  # the statement's own literals' parameters (LIMIT 1, ...)

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect) -> DriverStatement:
        # An IN (...) list is rendered now, one parameter per value, with its values among the
        # constants: SQLAlchemy would otherwise expand it on each call.
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        assert isinstance(compiled, SQLCompiler)
        constants = {
            name: value
            for name, value in (compiled.construct_params(_check=False) or {}).items()
            if value is not None  # the per-call values (not required at compile time)
        }
        return cls(str(compiled), constants)


@dataclass(frozen=True)
class DriverConnection:
    """A pooled connection lent to one autocommit call, and what errors need to be raised as
    SQLAlchemy raises them."""

    fairy: PoolProxiedConnection
    driver: Any  # the psycopg connection
    dialect: Dialect


@contextmanager
def autocommit(engine: Engine) -> Iterator[DriverConnection]:
    """A connection of the engine's pool in autocommit mode (each statement its own
    transaction); given back to the pool as it was lent, for the sessions that share it."""
    dialect = engine.dialect
    try:
        fairy = engine.raw_connection()
    except dialect.loaded_dbapi.Error as exc:
        # As Connection raises it: not `connection_invalidated` (uow.stale_connection).
        raise DBAPIError.instance(
            None, None, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc
    try:
        driver = fairy.driver_connection
        assert driver is not None  # a connection the pool lends is open
        lent = DriverConnection(fairy, driver, dialect)
        try:
            driver.autocommit = True
        except dialect.loaded_dbapi.Error as exc:
            _raise(lent, exc, "autocommit", {})
        yield lent
    finally:
        if fairy.is_valid:
            try:
                fairy.driver_connection.autocommit = False  # type: ignore[union-attr]
            except Exception:
                fairy.invalidate()  # in no state to lend again
        fairy.close()


def fetch_one(
    connection: DriverConnection, statement: DriverStatement, values: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Run `statement` on the lent connection; its first row, or None."""
    params = {**statement.constants, **values}
    try:
        cursor = connection.driver.execute(statement.sql, params)
        # The result's status, not cursor.description: that builds column objects every call.
        result = cursor.pgresult
        return cursor.fetchone() if result and result.status == TUPLES_OK else None
    except connection.dialect.loaded_dbapi.Error as exc:
        _raise(connection, exc, statement.sql, params)


def _raise(connection: DriverConnection, exc: Any, sql: str, params: Mapping[str, Any]) -> NoReturn:
    dialect = connection.dialect
    dropped = dialect.is_disconnect(exc, connection.fairy.dbapi_connection, None)
    if dropped:
        connection.fairy.invalidate(exc)
    raise DBAPIError.instance(
        sql,
        params,
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=dropped,
        dialect=dialect,
    ) from exc
