"""`claim_next` on PostgreSQL in one round trip: pick, lease, audit and NOTIFY in one statement.

The unit-of-work path costs a session, BEGIN, a station-rules read, the UPDATE, the audit INSERT,
pg_notify and COMMIT: six or seven round trips and most of a millisecond of ORM work per claim,
which is what held 16 stations to ~180 claims/s. Here one autocommit statement does it all:

    WITH claimed AS (UPDATE orders SET <lease> WHERE id = (SELECT id ... ORDER BY <urgency>
                     LIMIT 1 FOR UPDATE OF orders SKIP LOCKED) AND <rules unchanged>
                     RETURNING id, number),
         audit AS (INSERT INTO audit_events (...) SELECT ... FROM claimed)
    SELECT <rules stamp>, claimed.id, claimed.number,
           CASE WHEN claimed.id IS NOT NULL THEN pg_notify(...) END
    FROM (SELECT 1) AS one LEFT JOIN claimed ON true

A single statement is atomic, so the lease, its audit row and the NOTIFY commit together or not
at all. The station's rules (its work filter) are read once and kept with their `updated_at`;
the statement claims only if the row still carries that stamp, and returns the stamp it saw,
so a supervisor's change is applied on the very next claim (re-read, claimed again), never late.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)

from wms_desk.db.models import AuditEvent, Order, StationRule
from wms_desk.db.models.base import utcnow
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import Operation, StationRules, lease_until
from wms_desk.services import claims
from wms_desk.services.changes import NOTIFY_CHANNEL, ChangeCollector, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ServiceError
from wms_desk.services.uow import run_autocommit


@dataclass(frozen=True)
class _Rules:
    stamp: datetime | None  # station_rules.updated_at as read; None: the station has no row
    rules: StationRules


# (database origin, station id) -> the rules last read. Guarded: stations are threads in tests
# and the bench, and a stale entry is harmless (the statement checks the stamp) but a torn one
# would not be.
_RULES: dict[tuple[str, int | None], _Rules] = {}
_RULES_LOCK = threading.Lock()
_STATEMENTS: dict[tuple[Operation, StationRules], Select[Any]] = {}


def _rules_stamp() -> Any:
    return (
        select(StationRule.updated_at)
        .where(StationRule.station_id == bindparam("station_id"))
        .scalar_subquery()
    )


def _statement(operation: Operation, rules: StationRules) -> Select[Any]:
    """Built once per operation and work filter; the same object each time, so SQLAlchemy's
    compiled cache (and psycopg's prepared statement) are hit without rebuilding anything."""
    key = (operation, rules)
    built = _STATEMENTS.get(key)
    if built is not None:
        return built
    now = bindparam("now", type_=Order.lease_until.type)
    candidate = select(Order.id).where(
        Order.status.in_(claims.ELIGIBLE[operation]),
        or_(Order.lease_until.is_(None), Order.lease_until < now),
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
        .limit(1)
        .with_for_update(skip_locked=True, of=Order)
    )
    claimed = (
        update(Order)
        .where(
            Order.id == candidate.scalar_subquery(),
            # The work filter used above is still the station's (else: re-read, claim again).
            _rules_stamp().is_not_distinct_from(
                bindparam("stamp", type_=StationRule.updated_at.type)
            ),
        )
        .values(
            claimed_by_station_id=bindparam("station_id"),
            claimed_by_user_id=bindparam("user_id"),
            lease_until=bindparam("until", type_=Order.lease_until.type),
            status=claims.WORKING[operation].value,  # every eligible status may move there
            version=Order.version + 1,
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
                bindparam("event_id", type_=String),
                bindparam("user_id"),
                bindparam("station_id"),
                now,
                literal("order.claimed"),
                literal("order"),
                cast(claimed.c.id, String),
                bindparam("after", type_=AuditEvent.after.type),
            ).select_from(claimed),
        )
        .cte("audit")
    )
    one = select(literal(1).label("one")).subquery("one")
    notify = func.pg_notify(literal(NOTIFY_CHANNEL), bindparam("payload", type_=String))
    built = (
        select(
            _rules_stamp().label("stamp"),
            claimed.c.id,
            claimed.c.number,
            case((claimed.c.id.is_not(None), notify), else_=None).label("notified"),
        )
        .select_from(one.outerjoin(claimed, true()))
        .add_cte(audit)
    )
    _STATEMENTS[key] = built
    return built


def _changes(order_id: int | None) -> ChangeCollector:
    """What the unit-of-work path announces for a claim: its lease, and the orders table."""
    changes = ChangeCollector()
    changes.add(Topic.ORDERS)
    changes.add(Topic.LEASES, (order_id,))
    return changes


def _cached_rules(connection: Connection, key: tuple[str, int | None]) -> _Rules:
    with _RULES_LOCK:
        known = _RULES.get(key)
    if known is not None:
        return known
    row = connection.execute(
        select(StationRule.updated_at, StationRule.rules).where(StationRule.station_id == key[1])
    ).first()
    fresh = (
        _Rules(row.updated_at, StationRules.from_dict(row.rules))
        if row
        else _Rules(None, StationRules())
    )
    with _RULES_LOCK:
        _RULES[key] = fresh
    return fresh


def claim_next(ctx: ServiceContext, operation: Operation) -> claims.ClaimInfo | None:
    """The most urgent free order for this operation at this station, claimed; None if none."""
    operation = Operation(operation)
    actor = ctx.actor
    key = (ctx.database.origin, actor.station_id)
    payload = _changes(None).freeze(actor.station_id, ctx.database.origin).payload()

    def attempt(connection: Connection) -> tuple[claims.ClaimInfo | None, ChangeCollector | None]:
        for _ in range(3):  # a rules change between read and claim: read again (rarely twice)
            known = _cached_rules(connection, key)
            now = utcnow()
            until = lease_until(now)
            row = connection.execute(
                _statement(operation, known.rules),
                {
                    "now": now,
                    "until": until,
                    "station_id": actor.station_id,
                    "user_id": actor.user_id,
                    "stamp": known.stamp,
                    "event_id": str(uuid.uuid4()),
                    "after": {"operation": operation.value, "station": actor.station_name},
                    "payload": payload,
                },
            ).one()
            if row.stamp != known.stamp:
                with _RULES_LOCK:
                    _RULES.pop(key, None)
                continue
            if row.id is None:
                return None, None
            info = claims.ClaimInfo(
                row.id, row.number, operation, actor.station_id, actor.user_id, until
            )
            return info, _changes(row.id)
        raise ServiceError(
            f"The work rules of station {actor.station_name} changed three times while an order "
            "was being claimed. Press Next order again."
        )

    return run_autocommit(ctx, attempt, Permission.PICK_AND_PACK)
