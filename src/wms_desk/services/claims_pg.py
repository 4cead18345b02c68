"""`claim_next` on PostgreSQL: pick, lease and audit in one statement; then a NOTIFY.

The unit-of-work path costs a session, BEGIN, a station-rules read, the UPDATE, the audit INSERT,
pg_notify and COMMIT: six or seven round trips and most of a millisecond of ORM work per claim,
which is what held 16 stations to ~180 claims/s. Here one autocommit statement claims:

    WITH claimed AS (UPDATE orders SET <lease> WHERE id = (SELECT id ... ORDER BY <urgency>
                     LIMIT 1 FOR UPDATE OF orders SKIP LOCKED) AND <rules unchanged>
                     RETURNING id, number),
         audit AS (INSERT INTO audit_events (...) SELECT ... FROM claimed)
    SELECT <rules stamp>, claimed.id, claimed.number
    FROM (SELECT 1) AS one LEFT JOIN claimed ON true

A single statement is atomic, so the lease and its audit row commit together or not at all, and
its commit is an ordinary synchronous one: when the statement returns, the claim is on disk.
The station's rules (its work filter) are read once and kept with their `updated_at`; the
statement claims only if the row still carries that stamp, and returns the stamp it saw, so a
supervisor's change is applied on the very next claim (re-read, claimed again), never late.
Only a claim that took an order then tells the other stations, in a transaction of its own
(_NOTIFY says why).

The statements are sent through the driver (services/driver_sql.py: compiled once, no per-call
SQLAlchemy work), with the code's own values written into the SQL so the server plans the
claim once (_inline). Leased orders are passed over inside the claim-queue index
(db/queries/claim_queue.py), which gives the urgency order without a sort.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Dialect,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.exc import DBAPIError

from wms_desk.db.models import AuditEvent, Order, StationRule
from wms_desk.db.models.base import utcnow
from wms_desk.db.queries import claim_queue
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import Operation, StationRules, lease_until
from wms_desk.services import claims
from wms_desk.services.changes import NOTIFY_CHANNEL, ChangeCollector, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.driver_sql import DriverConnection, DriverStatement, fetch_one
from wms_desk.services.errors import ServiceError
from wms_desk.services.uow import run_autocommit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Rules:
    stamp: datetime | None  # station_rules.updated_at as read; None: the station has no row
    rules: StationRules


# (database origin, station id) -> the rules last read. Guarded: stations are threads in tests
# and the bench, and a stale entry is harmless (the statement checks the stamp) but a torn one
# would not be.
_RULES: dict[tuple[str, int | None], _Rules] = {}
_RULES_LOCK = threading.Lock()
_STATEMENTS: dict[tuple[Operation, StationRules], DriverStatement] = {}


def _param(name: str, type_: Any = None) -> Any:
    """A value given at each call. Not "required" at compile time: the statement is compiled
    once, with its IN lists rendered, before any call's values exist (driver_sql)."""
    return bindparam(name, type_=type_, required=False)


def _inline(value: object) -> Any:
    """A value of the code's own, written into the SQL: the plan can then be a generic one
    (status IN ('picked', 'packing') proves the claim-queue index's WHERE; a parameter cannot,
    so every call was planned anew, ~0.3 ms of server CPU), and the driver adapts it never."""
    return literal(value, literal_execute=True)


def _rules_stamp() -> Any:
    return (
        select(StationRule.updated_at)
        .where(StationRule.station_id == _param("station_id"))
        .scalar_subquery()
    )


def _statement(operation: Operation, rules: StationRules, dialect: Dialect) -> DriverStatement:
    """Built and compiled once per operation and work filter; the same SQL string each time, so
    psycopg prepares it once per connection."""
    key = (operation, rules)
    known = _STATEMENTS.get(key)
    if known is not None:
        return known
    now = _param("now", type_=Order.lease_until.type)
    candidate = select(Order.id).where(
        Order.status.in_([_inline(status) for status in claims.ELIGIBLE[operation]]),
        # Spelled as the claim-queue index's last key, so a leased order is passed over inside
        # the index (db/queries/claim_queue.py).
        literal_column(claim_queue.LEASE_KEY) < now,
    )
    if operation is Operation.PICK:
        candidate = candidate.where(Order.batch_id.is_(None))  # batches are claimed whole
    candidate = (
        claims.filtered(candidate, rules, operation)
        .order_by(
            Order.priority.desc(),
            Order.ship_by.is_(None),
            Order.ship_by,
            Order.created_at,
            Order.id,
        )
        .limit(_inline(1))
        .with_for_update(skip_locked=True, of=Order)
    )
    claimed = (
        update(Order)
        .where(
            Order.id == candidate.scalar_subquery(),
            # The work filter used above is still the station's (else: re-read, claim again).
            _rules_stamp().is_not_distinct_from(_param("stamp", type_=StationRule.updated_at.type)),
        )
        .values(
            claimed_by_station_id=_param("station_id"),
            claimed_by_user_id=_param("user_id"),
            lease_until=_param("until", type_=Order.lease_until.type),
            status=_inline(claims.WORKING[operation].value),  # every eligible one may move there
            version=Order.version + _inline(1),
            updated_at=now,
        )
        .returning(Order.id, Order.number)
        .cte("claimed")
    )
    audit = (
        insert(AuditEvent)
        .from_select(
            [
                "event_id",
                "user_id",
                "station_id",
                "created_at",
                "action",
                "subject_type",
                "subject_id",
                "after",
            ],
            select(
                # Made by the server: the client never reads it, and uuid4 cost a syscall.
                cast(func.gen_random_uuid(), String),
                _param("user_id"),
                _param("station_id"),
                now,
                _inline("order.claimed"),
                _inline("order"),
                cast(claimed.c.id, String),
                _param("after", type_=AuditEvent.after.type),
            ).select_from(claimed),
        )
        .cte("audit")
    )
    one = select(_inline(1).label("one")).subquery("one")
    claim = (
        select(_rules_stamp().label("stamp"), claimed.c.id, claimed.c.number)
        .select_from(one.outerjoin(claimed, true()))
        .add_cte(audit)
    )
    built = DriverStatement.compile(claim, dialect)
    _STATEMENTS[key] = built
    return built


_RULES_READ: DriverStatement | None = None


def _rules_read(dialect: Dialect) -> DriverStatement:
    global _RULES_READ
    if _RULES_READ is None:
        _RULES_READ = DriverStatement.compile(
            select(StationRule.updated_at, StationRule.rules).where(
                StationRule.station_id == _param("station_id")
            ),
            dialect,
        )
    return _RULES_READ


# A transaction that NOTIFYs holds the server's one notification lock from its commit until
# that commit is on disk, so NOTIFYing claims with a synchronous commit reached the disk one at
# a time, each waiting on the last one's WAL flush. The claim therefore sends no NOTIFY: it
# commits synchronously (the flushes of all stations' claims are shared), and only then, if it
# took an order, this transaction tells the other stations. It alone commits without waiting
# for the disk (set_config local to it), which frees the lock at once; a NOTIFY lost to a crash
# is a screen refreshed on its next change or poll, never a lost claim. (Until now the claim
# itself committed without waiting and `SELECT pg_current_xact_id()` was to wait for it: a
# transaction that writes no WAL of its own commits without a flush, so claim_next returned
# claims that were not yet on disk.)
_NOTIFY = DriverStatement(
    f"SELECT pg_notify('{NOTIFY_CHANNEL}', %(payload)s), "
    "set_config('synchronous_commit', 'off', true)",
    {},
)


def _naive_utc(moment: datetime) -> datetime:
    """As models/base.py UTCDateTime stores a moment (the driver gets no column types here)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _changes(order_id: int | None) -> ChangeCollector:
    """What the unit-of-work path announces for a claim: its lease, and the orders table."""
    changes = ChangeCollector()
    changes.add(Topic.ORDERS)
    changes.add(Topic.LEASES, (order_id,))
    return changes


@functools.lru_cache(maxsize=256)
def _payload(station_id: int | None, origin: str) -> str:
    """The NOTIFY payload of a station's claims: the same for every claim it makes."""
    return _changes(None).freeze(station_id, origin).payload()


@functools.lru_cache(maxsize=256)
def _audit_after(operation: Operation, station_name: str) -> str:
    """The claim's audit `after`, as JSON text (the statement casts it): the same each time."""
    return json.dumps({"operation": operation.value, "station": station_name})


def _cached_rules(connection: DriverConnection, key: tuple[str, int | None]) -> _Rules:
    with _RULES_LOCK:
        known = _RULES.get(key)
    if known is not None:
        return known
    row = fetch_one(connection, _rules_read(connection.dialect), {"station_id": key[1]})
    # The stamp stays as the driver gave it (naive UTC): it goes back to the server as it is.
    fresh = _Rules(row[0], StationRules.from_dict(row[1])) if row else _Rules(None, StationRules())
    with _RULES_LOCK:
        _RULES[key] = fresh
    return fresh


def _notify(connection: DriverConnection, payload: str) -> None:
    """Tell the other stations of a committed claim. The claim stands whatever happens here:
    an error must not reach run_autocommit, whose retry would claim a second order."""
    try:
        fetch_one(connection, _NOTIFY, {"payload": payload})
    except DBAPIError:
        log.warning(
            "a claim's NOTIFY failed: other stations see it on their next refresh", exc_info=True
        )


def claim_next(ctx: ServiceContext, operation: Operation) -> claims.ClaimInfo | None:
    """The most urgent free order for this operation at this station, claimed; None if none."""
    operation = Operation(operation)
    actor = ctx.actor
    key = (ctx.database.origin, actor.station_id)
    payload = _payload(actor.station_id, ctx.database.origin)

    def attempt(
        connection: DriverConnection,
    ) -> tuple[claims.ClaimInfo | None, ChangeCollector | None]:
        for _ in range(3):  # a rules change between read and claim: read again (rarely twice)
            known = _cached_rules(connection, key)
            now = utcnow()
            until = lease_until(now)
            row = fetch_one(
                connection,
                _statement(operation, known.rules, connection.dialect),
                {
                    "now": _naive_utc(now),
                    "until": _naive_utc(until),
                    "station_id": actor.station_id,
                    "user_id": actor.user_id,
                    "stamp": known.stamp,
                    "after": _audit_after(operation, actor.station_name),
                },
            )
            assert row is not None  # one row always: the LEFT JOIN on a one-row table
            stamp, order_id, number = row[0], row[1], row[2]
            if stamp != known.stamp:
                with _RULES_LOCK:
                    _RULES.pop(key, None)
                continue
            if order_id is None:
                return None, None
            _notify(connection, payload)
            info = claims.ClaimInfo(
                order_id, number, operation, actor.station_id, actor.user_id, until
            )
            return info, _changes(order_id)
        raise ServiceError(
            f"The work rules of station {actor.station_name} changed three times while an order "
            "was being claimed. Press Next order again."
        )

    return run_autocommit(ctx, attempt, Permission.PICK_AND_PACK)
