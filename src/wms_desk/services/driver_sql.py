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

`fetch_all` does the same for the pack scan's reads with a row per order line
(services/packing/statements.py), on the session's own Connection, on either backend: the rows
come back with the columns' own result processing (SQLite's REAL as Decimal, ...), without
SQLAlchemy's per-row result machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

# psycopg.pq.ExecStatus.TUPLES_OK (libpq's PGRES_TUPLES_OK), an IntEnum: spelled as its value
# so that a SQLite station, which reads through fetch_all too, never imports psycopg.
TUPLES_OK = 2


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    constants: Mapping[str, Any]  # the statement's own literals' parameters (LIMIT 1, ...)
    # A positional paramstyle's (SQLite's qmark) parameter names in order; None: by name.
    positions: tuple[str, ...] | None = None

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
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(str(compiled), constants, positions)

    def parameters(self, values: Mapping[str, Any]) -> Mapping[str, Any] | tuple[Any, ...]:
        params = {**self.constants, **values}
        if self.positions is None:
            return params
        return tuple(params[name] for name in self.positions)


Processors = tuple[tuple[int, Callable[[Any], Any]], ...]


@dataclass(frozen=True)
class DriverQuery:
    """A SELECT for `fetch_all`, with what SQLAlchemy's column types make of the driver's values
    (SQLite's REAL as Decimal, its 0/1 as bool, ...): the rows are the same values a Core
    execute gives, without its per-row result machinery."""

    statement: DriverStatement
    types: tuple[TypeEngine[Any], ...]  # the dialect's own type of each column
    # [(column index, processor) for the columns whose driver value needs one], worked out from
    # the first result's column type codes (PostgreSQL's numeric processor depends on them);
    # [None] until then. Set whole in one step: threads may share the query.
    _processors: list[Processors | None] = field(default_factory=lambda: [None])

    @classmethod
    def compile(cls, query: Select[*tuple[Any, ...]], dialect: Dialect) -> DriverQuery:
        types = tuple(column.type.dialect_impl(dialect) for column in query.selected_columns)
        return cls(DriverStatement.compile(query, dialect), types)

    def processors(self, dialect: Dialect, description: Sequence[Any]) -> Processors:
        known = self._processors[0]
        if known is None:
            known = self._processors[0] = tuple(
                (index, process)
                for index, (type_, column) in enumerate(zip(self.types, description, strict=True))
                if (process := type_.result_processor(dialect, column[1])) is not None
            )
        return known


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
    driver = fairy.driver_connection
    try:
        assert driver is not None  # a connection the pool lends is open
        lent = DriverConnection(fairy, driver, dialect)
        try:
            driver.autocommit = True
        except dialect.loaded_dbapi.Error as exc:
            dbapi = fairy.dbapi_connection
            raise _error(dialect, dbapi, fairy.invalidate, "autocommit", {}, exc) from exc
        yield lent
    finally:
        if fairy.is_valid and driver is not None:
            try:
                driver.autocommit = False
            except Exception:
                fairy.invalidate()  # in no state to lend again
        fairy.close()


def fetch_one(
    connection: DriverConnection, statement: DriverStatement, values: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Run `statement` on the lent connection; its first row, or None."""
    params = statement.parameters(values)
    try:
        cursor = connection.driver.execute(statement.sql, params)
        # The result's status, not cursor.description: that builds column objects every call.
        result = cursor.pgresult
        return cursor.fetchone() if result and result.status == TUPLES_OK else None
    except connection.dialect.loaded_dbapi.Error as exc:
        fairy = connection.fairy
        raise _error(
            connection.dialect, fairy.dbapi_connection, fairy.invalidate, statement.sql, params, exc
        ) from exc


def _run(connection: Connection, statement: DriverStatement, values: Mapping[str, Any]) -> Any:
    """The driver's cursor for `statement` run on the connection's driver connection."""
    fairy = connection.connection
    driver = fairy.driver_connection
    assert driver is not None
    params = statement.parameters(values)
    try:
        return driver.execute(statement.sql, params)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _session_error(connection, statement, params, exc) from exc


def fetch_all(
    connection: Connection, query: DriverQuery, values: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """Every row of `query`, as tuples."""
    cursor = _run(connection, query.statement, values)
    try:
        rows = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _session_error(connection, query.statement, values, exc) from exc
    processors = query.processors(connection.dialect, cursor.description)
    if not processors or not rows:
        return rows
    # Column by column (map and zip loop in C): a Python loop over 200 rows of a processed
    # column cost about as much as SQLAlchemy's own result handling saved.
    columns: list[Any] = list(zip(*rows, strict=True))
    for index, process in processors:
        columns[index] = map(process, columns[index])
    return list(zip(*columns, strict=True))


def _session_error(
    connection: Connection, statement: DriverStatement, params: Any, exc: Any
) -> Exception:
    return _error(
        connection.dialect,
        connection.connection.dbapi_connection,
        connection.invalidate,
        statement.sql,
        params,
        exc,
    )


def _error(
    dialect: Dialect,
    dbapi_connection: Any,
    invalidate: Callable[[BaseException], None],
    sql: str,
    params: Any,
    exc: Any,
) -> Exception:
    """The driver's error as SQLAlchemy raises it, a dropped connection invalidated (through
    the Connection when there is one, so it is marked as SQLAlchemy marks it)."""
    dropped = dialect.is_disconnect(exc, dbapi_connection, None)
    if dropped:
        invalidate(exc)
    return DBAPIError.instance(
        sql,
        params,
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=dropped,
        dialect=dialect,
    )
