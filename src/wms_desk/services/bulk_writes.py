"""Set-based writes for imports: many rows in a few statements (COPY on PostgreSQL), audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, bindparam, column, insert, select, text, update, values
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from wms_desk.services.uow import UnitOfWork

# Rows per INSERT on SQLite (its limit is 32,766 bound values per statement).
_PAGE = 500


def audit_rows(
    uow: UnitOfWork,
    subject_type: str,
    events: Iterable[tuple[str, object, dict[str, Any] | None, dict[str, Any] | None]],
) -> list[dict[str, Any]]:
    """(action, subject_id, before, after) -> audit rows, written with bulk_insert."""
    return [
        {
            "event_id": str(uuid.uuid4()),
            "user_id": uow.actor.user_id,
            "station_id": uow.actor.station_id,
            "created_at": uow.now,
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "before": before,
            "after": after,
        }
        for action, subject_id, before, after in events
    ]


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY FROM STDIN: psycopg otherwise parses each huge multi-row statement in Python."""
    names = list(rows[0])
    # COPY applies only server defaults: fill in the models' Python-side ones, as an ORM insert
    # would, so a column added later with a Python default does not break the import.
    defaults = {}
    for col in table.columns:
        if col.name not in rows[0] and col.default is not None and not col.primary_key:
            defaults[col.name] = (
                col.default.arg(None) if col.default.is_callable else col.default.arg
            )
    if defaults:
        rows = [{**defaults, **row} for row in rows]
        names = list(rows[0])
    # Each column's own bind processing (UTC times made naive, JSON wrapped for psycopg), the
    # same a normal INSERT would apply.
    dialect = session.get_bind().dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]

    raw = session.connection().connection.driver_connection
    assert raw is not None
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    dbapi = session.get_bind().dialect.loaded_dbapi
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if proc is None else proc(value)
                        for value, proc in zip((row[n] for n in names), processors, strict=True)
                    ]
                )
    except dbapi.Error as exc:
        # The same exception classes as any statement, so a unique clash is an IntegrityError
        # and a serialization failure is retried by the unit of work.
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


def bulk_insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys; COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = model.__table__
    if _is_postgresql(session):
        _copy(session, table, rows)
    else:
        for start in range(0, len(rows), _PAGE):
            session.connection().execute(insert(table), rows[start : start + _PAGE])


def insert_returning_ids(
    session: Session, model: type[Any], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert rows and return their new ids in the rows' order."""
    if not rows:
        return []
    table = model.__table__
    if _is_postgresql(session):
        # Ids drawn from the table's own sequence first, so the rows can be COPYed with them.
        ids = list(
            session.scalars(
                select(text(f"nextval(pg_get_serial_sequence('{table.name}', 'id'))")).select_from(
                    text(f"generate_series(1, {len(rows)})")
                )
            )
        )
        _copy(session, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids
    result = session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def insert_skipping_existing(
    session: Session,
    model: type[Any],
    rows: list[dict[str, Any]],
    conflict_columns: tuple[str, ...],
    returning: tuple[str, ...],
) -> list[tuple[Any, ...]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the rows that went in (another station's
    concurrent insert of the same key waits for it and is then skipped, never a UniqueViolation).
    """
    if not rows:
        return []
    table = model.__table__
    # Dialect modules are imported on first use: a SQLite station never loads PostgreSQL's.
    dialect_insert: Any
    if _is_postgresql(session):
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    # One multi-row statement per page, inside both backends' bound-parameter limits.
    page = max(1, 30_000 // max(1, len(rows[0])) // 2)
    inserted: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), page):
        statement = (
            dialect_insert(table)
            .values(rows[start : start + page])
            .on_conflict_do_nothing(index_elements=list(conflict_columns))
            .returning(*(table.c[name] for name in returning))
        )
        inserted.extend(tuple(row) for row in session.connection().execute(statement))
    return inserted


def insert_new_returning_ids(
    session: Session, model: type[Any], rows: list[dict[str, Any]], key: str
) -> dict[Any, int]:
    """Insert rows unique by `key`; returns key -> new id for those that went in.

    The fast path (COPY) runs in a savepoint; if another station created some of the same keys
    meanwhile, it falls back to ON CONFLICT DO NOTHING and leaves theirs alone.
    """
    if not rows:
        return {}
    try:
        with session.begin_nested():
            ids = insert_returning_ids(session, model, rows)
        return {row[key]: i for row, i in zip(rows, ids, strict=True)}
    except IntegrityError:
        inserted = insert_skipping_existing(session, model, rows, (key,), (key, "id"))
        return {row[0]: row[1] for row in inserted}


def add_to_column(
    session: Session, model: type[Any], name: str, deltas: dict[tuple[int, int], int]
) -> None:
    """`name += delta` per (bin_id, product_id): one UPDATE ... FROM (VALUES ...) per page."""
    if not deltas:
        return
    table = model.__table__
    if not _is_postgresql(session):
        # SQLite runs an executemany in-process, row by row, with no round trips to save.
        session.connection().execute(
            update(table)
            .where(table.c.bin_id == bindparam("k_bin"), table.c.product_id == bindparam("k_prod"))
            .values({name: table.c[name] + bindparam("k_delta")}),
            [{"k_bin": b, "k_prod": p, "k_delta": d} for (b, p), d in deltas.items()],
        )
        return
    pairs = [(b, p, d) for (b, p), d in deltas.items()]
    for start in range(0, len(pairs), _PAGE):
        changes = values(
            column("b", Integer), column("p", Integer), column("d", Integer), name="changes"
        ).data(pairs[start : start + _PAGE])
        session.connection().execute(
            update(table)
            .where(table.c.bin_id == changes.c.b, table.c.product_id == changes.c.p)
            .values({name: table.c[name] + changes.c.d})
        )
