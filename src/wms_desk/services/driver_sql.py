"""One SQLAlchemy-built statement sent straight through the driver, for the hottest paths.

`claim_next` on PostgreSQL is one statement, yet SQLAlchemy's execute around it (the compiled
cache lookup, bind and result processing, the execution context and result objects) cost
about 0.4 ms of Python per claim on a station machine: more than the server's work, and under
the GIL of a process running many stations the ceiling on claims per second. Here the statement
is compiled once to the driver's SQL and its constant parameters, and each call hands that
string and the call's values to the driver connection of a pooled SQLAlchemy Connection.

What SQLAlchemy would have done for us is kept: the connection comes from, and goes back to,
the engine's pool; a driver error is raised as SQLAlchemy's DBAPIError, with a dropped
connection invalidated and marked, so services/uow.py's retry rules apply unchanged.
What it is not: values are not processed by column types. Callers pass what the driver takes
(naive UTC datetimes, as models/base.py UTCDateTime stores them; psycopg's Jsonb for JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


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


def fetch_one(
    connection: Connection, statement: DriverStatement, values: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Run `statement` on the connection's driver connection; its first row, or None."""
    fairy = connection.connection
    driver = fairy.driver_connection
    assert driver is not None
    params = {**statement.constants, **values}
    try:
        cursor = driver.execute(statement.sql, params)
        return cursor.fetchone() if cursor.description else None
    except connection.dialect.loaded_dbapi.Error as exc:
        dialect = connection.dialect
        dropped = dialect.is_disconnect(exc, fairy.dbapi_connection, None)
        if dropped:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            statement.sql,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=dropped,
            dialect=dialect,
        ) from exc
