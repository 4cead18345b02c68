"""The unit of work: one transaction per user action, retried on PostgreSQL concurrency errors."""

from __future__ import annotations

import functools
import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Table, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.exc import StaleDataError

from wms_desk.db.models import AuditEvent
from wms_desk.db.models.base import utcnow
from wms_desk.domain.roles import Permission
from wms_desk.services.changes import NOTIFY_CHANNEL, TOPIC_OF_TABLE, ChangeCollector, Topic
from wms_desk.services.context import Actor, ServiceContext
from wms_desk.services.database import (
    SQLITE_BUSY_BUDGET_S,
    busy_backoff,
    busy_message,
    is_busy,
    unavailable_message,
)
from wms_desk.services.driver_sql import DriverConnection, autocommit
from wms_desk.services.errors import DatabaseUnavailable, StaleData

if TYPE_CHECKING:
    from wms_desk.services.station_bindings import StationBindings

log = logging.getLogger(__name__)

MAX_TRIES = 5
# serialization_failure, deadlock_detected, lock_not_available
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})

P = ParamSpec("P")
T = TypeVar("T")


class UnitOfWork:
    """A session plus the acting user; what it writes commits or rolls back as one."""

    def __init__(
        self, session: Session, actor: Actor, bindings: StationBindings | None = None
    ) -> None:
        self.session = session
        self.actor = actor
        self.bindings = bindings
        self.now: datetime = utcnow()
        # What this transaction changed; published by run_unit_of_work after the commit.
        self.changes = ChangeCollector()
        session.info[_CHANGES_KEY] = self.changes
        self.afterwards: list[Callable[[ServiceContext, Any], Any]] = []

    def after_commit(self, step: Callable[[ServiceContext, Any], Any]) -> None:
        """Run `step(ctx, result)` once this transaction has committed; what it returns becomes
        the service's result. For work that must not hold the transaction open (an online
        carrier's network calls); it runs in its own units of work."""
        self.afterwards.append(step)

    def changed(self, topic: Topic, *ids: int | None) -> None:
        """Announce a change the session cannot see (core SQL on a table not in the map)."""
        self.changes.add(topic, ids)

    def audit(
        self,
        action: str,
        subject_type: str,
        subject_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        event_id: str | None = None,
    ) -> bool:
        """Append an audit event; False if `event_id` was recorded before (a harmless replay)."""
        values = {
            "event_id": event_id or str(uuid.uuid4()),
            "user_id": self.actor.user_id,
            "station_id": self.actor.station_id,
            "created_at": self.now,
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "before": before,
            "after": after,
        }
        # On the session's connection: the ORM's execute around a Core insert cost more than
        # the insert (every scan audits). Its change is announced here, as the ORM's listener
        # did (_collect_executed: an insert statement, whether or not a row went in).
        inserted = insert_ignoring_duplicates(
            self.session.connection(), AuditEvent, values, "event_id"
        )
        self.changes.add(Topic.AUDIT)
        return inserted


_CHANGES_KEY = "wms_changes"


def _table_topic(table_name: str | None) -> Topic | None:
    return TOPIC_OF_TABLE.get(table_name or "")


@event.listens_for(Session, "after_flush")
def _collect_flushed(session: Session, _context: UOWTransaction) -> None:
    changes = session.info.get(_CHANGES_KEY)
    if changes is None:
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(instance, "__tablename__", None)
        topic = _table_topic(table)
        if topic is not None:
            # Orders are named by id, so an open order's screen can tell its own change.
            order_id = getattr(instance, "id" if table == "orders" else "order_id", None)
            changes.add(topic, (order_id,) if topic is Topic.ORDERS else ())


@event.listens_for(Session, "do_orm_execute")
def _collect_executed(state: ORMExecuteState) -> None:
    changes = state.session.info.get(_CHANGES_KEY)
    if changes is None or not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = mapper.local_table if mapper is not None else getattr(state.statement, "table", None)
    topic = _table_topic(getattr(table, "name", None))
    if topic is not None:
        changes.add(topic)


def insert_ignoring_duplicates(
    target: Session | Connection,
    model: type[Any],
    values: dict[str, Any],
    *conflict_columns: str,
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on either backend; True if the row was inserted.
    On a Connection the session's change collector does not see it (see insert_or_add)."""
    statement = _ignoring_duplicates(_dialect_of(target), model.__table__, conflict_columns)
    return target.execute(statement, values).first() is not None


def insert_or_add(
    target: Session | Connection,
    model: type[Any],
    values: dict[str, Any],
    conflict_columns: tuple[str, ...],
    counter: str,
) -> None:
    """INSERT the row, or add `values[counter]` to the existing row's counter, in one statement
    (ON CONFLICT DO UPDATE on either backend). Bypasses the identity map: for rows the session
    never loads as entities. On the session's Connection (a hot path: no ORM execute around
    it) the change is the caller's to announce (UnitOfWork.changed)."""
    statement = _inserting_or_adding(
        _dialect_of(target), model.__table__, conflict_columns, counter
    )
    target.execute(statement, values)


def _dialect_of(target: Session | Connection) -> str:
    return (target.dialect if isinstance(target, Connection) else target.get_bind().dialect).name


# The upsert statements are built once per shape (every scan audits itself through one, and
# building an insert costs more than running it on SQLite). No .values(): the columns come from
# the parameters at execution, compiled once per set.
@functools.cache
def _ignoring_duplicates(dialect: str, table: Table, conflict_columns: tuple[str, ...]) -> Any:
    # RETURNING tells reliably whether a row went in (rowcount is -1 on PostgreSQL here).
    return (
        _dialect_insert(dialect, table)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*table.primary_key.columns)
    )


@functools.cache
def _inserting_or_adding(
    dialect: str, table: Table, conflict_columns: tuple[str, ...], counter: str
) -> Any:
    statement = _dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={counter: table.c[counter] + statement.excluded[counter]},
    )


def _dialect_insert(dialect: str, table: Table) -> Any:
    # Dialect modules are imported on first use: a SQLite station never loads PostgreSQL's.
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")  # pragma: no cover


def is_retryable(exc: BaseException) -> bool:
    """A concurrency failure worth another try: PostgreSQL's, or SQLite's busy file."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES or is_busy(exc)


def is_connection_lost(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    text = str(exc.orig).lower() if exc.orig is not None else ""
    return any(
        marker in text
        for marker in (
            "connection refused",
            "server closed the connection",
            "could not connect",
            "connection is closed",
            "terminating connection",
            "unable to open database",
            "consuming input failed",
        )
    )


def stale_connection(exc: DBAPIError, attempt: int) -> bool:
    """A pooled connection the server dropped while it sat idle (a restart, a failover, an idle
    timeout): worth exactly one more try on a fresh one. The pool has no pre-ping (it cost a
    round trip on every checkout); SQLAlchemy marks the error `connection_invalidated` and
    recycles every older pooled connection, so the retry connects anew. A failure to connect
    at all is never invalidated: that is a lost database, reported at once."""
    return attempt == 1 and exc.connection_invalidated


def run_unit_of_work(
    ctx: ServiceContext,
    work: Callable[[UnitOfWork], T],
    permission: Permission | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `work` in one transaction; retry on concurrency errors (PostgreSQL: up to MAX_TRIES;
    a busy SQLite file: for up to SQLITE_BUSY_BUDGET_S), then raise."""
    if permission is not None:
        ctx.actor.require(permission)
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        session = ctx.database.write_session()
        committing = False
        try:
            with session.begin():
                uow = UnitOfWork(session, ctx.actor, ctx.bindings)
                result = work(uow)
                session.flush()  # let the flush listener see the last writes
                if uow.changes and not ctx.database.is_sqlite:
                    # NOTIFY is transactional: other stations hear it only if this commits.
                    changes = uow.changes.freeze(ctx.actor.station_id, ctx.database.origin)
                    payload = changes.payload()
                    session.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": NOTIFY_CHANNEL, "payload": payload},
                    )
                # A connection lost from here on may have committed: never retried blindly.
                committing = True
            if uow.changes:
                ctx.database.changes.publish(
                    uow.changes.freeze(ctx.actor.station_id, ctx.database.origin)
                )
            for step in uow.afterwards:
                result = step(ctx, result)
            return result
        except StaleDataError as exc:
            raise StaleData(
                "Someone else changed this record at the same time. Reload and try again."
            ) from exc
        except IntegrityError:
            raise
        except DBAPIError as exc:
            if ctx.database.is_sqlite and is_busy(exc):
                waited = clock() - started
                if waited < SQLITE_BUSY_BUDGET_S:
                    log.info("database busy (attempt %d, %.1fs so far)", attempt, waited)
                    sleep(busy_backoff(attempt))
                    continue
                raise DatabaseUnavailable(busy_message(ctx.database, waited)) from exc
            if is_retryable(exc) and attempt < MAX_TRIES:
                # Jittered, growing backoff so competing stations do not collide again in step.
                delay = random.uniform(0, 0.02 * 2**attempt)
                log.info("retrying after %s (attempt %d): %.3fs", exc.orig, attempt, delay)
                sleep(delay)
                continue
            if not committing and stale_connection(exc, attempt):
                log.info("pooled connection was dropped by the server; trying a fresh one")
                continue
            if is_connection_lost(exc):
                raise DatabaseUnavailable(unavailable_message(ctx.database, exc)) from exc
            raise
        finally:
            session.close()


def run_autocommit(
    ctx: ServiceContext,
    work: Callable[[DriverConnection], tuple[T, ChangeCollector | None]],
    permission: Permission | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """One statement that is its own transaction (PostgreSQL autocommit), for hot paths whose
    whole unit of work fits one atomic statement (claims_pg): no BEGIN/COMMIT round trips, no
    ORM session. `work` returns its result and what it changed (published after it returns,
    i.e. after the statement committed); its NOTIFY must be inside the statement itself.
    Retried as run_unit_of_work retries; a stale pooled connection gets one fresh try (the
    statement cannot have run: the server had dropped the connection before it was sent)."""
    if permission is not None:
        ctx.actor.require(permission)
    attempt = 0
    while True:
        attempt += 1
        try:
            with autocommit(ctx.database.engine) as connection:
                result, changes = work(connection)
        except DBAPIError as exc:
            if is_retryable(exc) and attempt < MAX_TRIES:
                sleep(random.uniform(0, 0.02 * 2**attempt))
                continue
            if stale_connection(exc, attempt):
                continue
            if is_connection_lost(exc):
                raise DatabaseUnavailable(unavailable_message(ctx.database, exc)) from exc
            raise
        if changes:
            ctx.database.changes.publish(changes.freeze(ctx.actor.station_id, ctx.database.origin))
        return result


def unit_of_work(
    permission: Permission | None = None,
) -> Callable[
    [Callable[Concatenate[UnitOfWork, P], T]], Callable[Concatenate[ServiceContext, P], T]
]:
    """Decorator: `def f(uow, ...)` becomes `f(ctx, ...)` running in its own retried transaction."""

    def decorate(
        body: Callable[Concatenate[UnitOfWork, P], T],
    ) -> Callable[Concatenate[ServiceContext, P], T]:
        @functools.wraps(body)
        def service(ctx: ServiceContext, *args: P.args, **kwargs: P.kwargs) -> T:
            return run_unit_of_work(ctx, lambda uow: body(uow, *args, **kwargs), permission)

        return service

    return decorate


def read_only(
    body: Callable[Concatenate[Session, P], T],
) -> Callable[Concatenate[ServiceContext, P], T]:
    """Decorator for queries: a read session, closed afterwards; a busy SQLite file tried again
    (as writes are), lost connections reported."""

    @functools.wraps(body)
    def query(ctx: ServiceContext, *args: P.args, **kwargs: P.kwargs) -> T:
        started, attempt = time.monotonic(), 0
        while True:
            attempt += 1
            session = ctx.database.read_session()
            try:
                with session.begin():
                    return body(session, *args, **kwargs)
            except DBAPIError as exc:
                if ctx.database.is_sqlite and is_busy(exc):
                    waited = time.monotonic() - started
                    if waited < SQLITE_BUSY_BUDGET_S:
                        time.sleep(busy_backoff(attempt))
                        continue
                    raise DatabaseUnavailable(busy_message(ctx.database, waited)) from exc
                if stale_connection(exc, attempt):
                    continue  # a read is always safe to repeat
                if is_connection_lost(exc):
                    raise DatabaseUnavailable(unavailable_message(ctx.database, exc)) from exc
                raise
            finally:
                session.close()

    return query
