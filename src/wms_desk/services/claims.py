"""Claiming work as a lease held by station and user, renewed by a heartbeat.

API for the pick and pack screens (all take the ServiceContext of the user at the station):
- `claim_next(ctx, operation)` -> ClaimInfo | None: the most urgent eligible order (priority,
  then ship-by, then age) that no live lease holds, filtered by the station's WorkFilter.
  PostgreSQL picks it with `FOR UPDATE SKIP LOCKED`; SQLite writes under BEGIN IMMEDIATE.
- `claim_order(ctx, order_id, operation)` -> ClaimInfo, or HeldElsewhere naming who holds the
  order and since when (the screen then offers a supervisor `take_over`).
- `heartbeat(ctx)` renews every lease of this station and user (call it every ~30 s while the
  screen is open; every scan renews its own order's lease too).
- `release(ctx, order_id)` on cancel; `release_all(ctx)` on logout. Completion releases itself.
- `take_over(ctx, order_id, operation, reason)`: a supervisor moves the lease here, audited.
- `current_work(ctx)` -> WorkItem | None: "what is this station working on?" after a restart.
An expired lease is simply free: any station may claim the order and resume its progress.
Each call is one short transaction; nothing is held open while a person works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    Order,
    OrderLine,
    PickBatch,
    Reservation,
    Station,
    StationRule,
    User,
)
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import (
    Operation,
    StationRules,
    lease_is_live,
    lease_until,
    lease_wants_renewal,
)
from wms_desk.services.changes import Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ServiceError, ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

# Where each operation starts from, and the status the order has while it is worked on.
ELIGIBLE: dict[Operation, tuple[str, ...]] = {
    Operation.PICK: (OrderStatus.ALLOCATED.value, OrderStatus.PICKING.value),
    Operation.PACK: (OrderStatus.PICKED.value, OrderStatus.PACKING.value),
}
WORKING: dict[Operation, OrderStatus] = {
    Operation.PICK: OrderStatus.PICKING,
    Operation.PACK: OrderStatus.PACKING,
}


@dataclass(frozen=True)
class ClaimInfo:
    order_id: int
    number: str
    operation: Operation
    station_id: int | None
    user_id: int | None
    lease_until: datetime


@dataclass(frozen=True)
class Holder:
    station: str
    user: str
    since: datetime | None
    lease_until: datetime | None


class HeldElsewhere(ServiceError):
    """Another station's live lease holds the order."""

    def __init__(self, number: str, holder: Holder) -> None:
        self.number = number
        self.holder = holder
        since = f" since {holder.since:%H:%M} UTC" if holder.since else ""
        super().__init__(
            f"Order {number} is being worked on at station {holder.station} by {holder.user}"
            f"{since}. Scan another order, or ask a supervisor to take it over."
        )


class LeaseLost(ServiceError):
    """This station's lease lapsed and someone else has the order now."""


@dataclass(frozen=True)
class WorkItem:
    operation: Operation
    order_id: int | None = None
    batch_id: int | None = None


def station_rules(session: Session, station_id: int | None) -> StationRules:
    if station_id is None:
        return StationRules()
    row = session.get(StationRule, station_id)
    return StationRules.from_dict(row.rules if row else None)


def _holder(session: Session, order: Order) -> Holder:
    station = (
        session.get(Station, order.claimed_by_station_id) if order.claimed_by_station_id else None
    )
    user = session.get(User, order.claimed_by_user_id) if order.claimed_by_user_id else None
    since = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.subject_type == "order",
            AuditEvent.subject_id == str(order.id),
            AuditEvent.action.in_(("order.claimed", "order.taken_over")),
        )
    )
    return Holder(
        station.name if station else "?",
        user.display_name if user else "?",
        since,
        order.lease_until,
    )


def _mine(uow: UnitOfWork, order: Order) -> bool:
    return (
        order.claimed_by_station_id == uow.actor.station_id
        and order.claimed_by_user_id == uow.actor.user_id
    )


def _take(
    uow: UnitOfWork, order: Order, operation: Operation, action: str, **extra: object
) -> ClaimInfo:
    """Write the lease (and the working status) with one UPDATE; audited."""
    until = lease_until(uow.now)
    target = WORKING[operation]
    values: dict[str, object] = {
        "claimed_by_station_id": uow.actor.station_id,
        "claimed_by_user_id": uow.actor.user_id,
        "lease_until": until,
        "updated_at": uow.now,
    }
    if order.status != target.value:
        order_status.check_transition(order.status, target)
        values["status"] = target.value
        values["version"] = Order.version + 1
    uow.session.execute(update(Order).where(Order.id == order.id).values(**values))
    uow.session.expire(order)
    uow.audit(
        action,
        "order",
        order.id,
        after={"operation": operation.value, "station": uow.actor.station_name, **extra},
    )
    uow.changed(Topic.LEASES, order.id)
    return ClaimInfo(
        order.id, order.number, operation, uow.actor.station_id, uow.actor.user_id, until
    )


def acquire(uow: UnitOfWork, order: Order, operation: Operation) -> ClaimInfo:
    """Claim in the caller's unit of work: ours already (renewed), free, or HeldElsewhere."""
    if order.status not in ELIGIBLE[operation]:
        raise ValidationFailed(
            f"Order {order.number} is {OrderStatus(order.status).label.lower()}: "
            f"it cannot be {'picked' if operation is Operation.PICK else 'packed'} now."
        )
    live = lease_is_live(order.lease_until, uow.now)
    if live and not _mine(uow, order):
        raise HeldElsewhere(order.number, _holder(uow.session, order))
    if live and order.status == WORKING[operation].value:
        return renew(uow, order, operation)
    return _take(uow, order, operation, "order.claimed")


def renew(uow: UnitOfWork, order: Order, operation: Operation) -> ClaimInfo:
    until = lease_until(uow.now)
    uow.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    # The loaded order now says what the row says, without reading it back.
    set_committed_value(order, "lease_until", until)
    return ClaimInfo(
        order.id, order.number, operation, uow.actor.station_id, uow.actor.user_id, until
    )


def hold(uow: UnitOfWork, order: Order, operation: Operation, renewing: bool = True) -> bool:
    """Every scan: the lease must be ours (or lapsed and free again); it is renewed once it has
    run down a little (domain lease_wants_renewal). With `renewing` False a lease found ours is
    left as it is (the caller renews it, or releases it in this transaction: COMPLETE), and True
    says it is ours and due for renewal."""
    if _mine(uow, order) and order.status == WORKING[operation].value:
        due = lease_wants_renewal(order.lease_until, uow.now)
        if not renewing:
            return due
        if due:
            renew(uow, order, operation)
        return False
    if lease_is_live(order.lease_until, uow.now):
        holder = _holder(uow.session, order)
        raise LeaseLost(
            f"Order {order.number} was taken over by station {holder.station} ({holder.user}). "
            "Put its items aside for them and scan another order."
        )
    acquire(uow, order, operation)
    return False


def filtered(query: Select[Any], rules: StationRules, operation: Operation) -> Select[Any]:
    work = rules.work
    if work.services:
        query = query.where(Order.requested_service.in_(work.services))
    if work.single_item_only:
        units = (
            select(func.sum(OrderLine.qty))
            .where(OrderLine.order_id == Order.id, OrderLine.pickable.is_(True))
            .scalar_subquery()
        )
        query = query.where(units == 1)
    if work.zones and operation is Operation.PICK:
        elsewhere = (
            select(Reservation.id)
            .join(OrderLine, OrderLine.id == Reservation.order_line_id)
            .join(Bin, Bin.id == Reservation.bin_id)
            .where(OrderLine.order_id == Order.id, Bin.zone.not_in(work.zones))
        )
        query = query.where(~exists(elsewhere))
    return query


def claim_next_in(uow: UnitOfWork, operation: Operation) -> ClaimInfo | None:
    """claim_next in the caller's unit of work."""
    operation = Operation(operation)
    session = uow.session
    candidate = select(Order.id).where(
        Order.status.in_(ELIGIBLE[operation]),
        or_(Order.lease_until.is_(None), Order.lease_until < uow.now),
    )
    if operation is Operation.PICK:
        candidate = candidate.where(Order.batch_id.is_(None))  # batches are claimed whole
    candidate = filtered(candidate, station_rules(session, uow.actor.station_id), operation)
    candidate = (
        candidate.order_by(
            Order.priority.desc(),
            Order.ship_by.is_(None),
            Order.ship_by,
            Order.created_at,
            Order.id,
        )
        .limit(1)
        .with_for_update(skip_locked=True, of=Order)
    )
    # One statement: the row SKIP LOCKED picked is updated and returned (no ORM load).
    until = lease_until(uow.now)
    claimed = session.execute(
        update(Order)
        .where(Order.id == candidate.scalar_subquery())
        .values(
            claimed_by_station_id=uow.actor.station_id,
            claimed_by_user_id=uow.actor.user_id,
            lease_until=until,
            status=WORKING[operation].value,  # every eligible status may move there
            version=Order.version + 1,
            updated_at=uow.now,
        )
        .returning(Order.id, Order.number)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    uow.audit(
        "order.claimed",
        "order",
        claimed.id,
        after={"operation": operation.value, "station": uow.actor.station_name},
    )
    uow.changed(Topic.LEASES, claimed.id)
    return ClaimInfo(
        claimed.id, claimed.number, operation, uow.actor.station_id, uow.actor.user_id, until
    )


@unit_of_work(Permission.PICK_AND_PACK)
def _claim_next_uow(uow: UnitOfWork, operation: Operation) -> ClaimInfo | None:
    return claim_next_in(uow, operation)


def claim_next(ctx: ServiceContext, operation: Operation) -> ClaimInfo | None:
    """The most urgent free order for this operation at this station, claimed; None if none.
    PostgreSQL: one statement, one round trip (claims_pg); SQLite: BEGIN IMMEDIATE + UPDATE."""
    if ctx.database.is_sqlite:
        return _claim_next_uow(ctx, operation)
    from wms_desk.services import claims_pg  # it builds on this module

    return claims_pg.claim_next(ctx, operation)


@unit_of_work(Permission.PICK_AND_PACK)
def claim_order(uow: UnitOfWork, order_id: int, operation: Operation) -> ClaimInfo:
    order = uow.session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    return acquire(uow, order, Operation(operation))


@unit_of_work(Permission.OVERRIDE_PACKING)
def take_over(uow: UnitOfWork, order_id: int, operation: Operation, reason: str) -> ClaimInfo:
    """A supervisor moves another station's live lease to this station and user, audited."""
    if not reason.strip():
        raise ValidationFailed("Say why you take the order over (e.g. 'packer went home').")
    order = uow.session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    operation = Operation(operation)
    if order.status not in ELIGIBLE[operation]:
        raise ValidationFailed(f"Order {order.number} is {order.status}: nothing to take over.")
    holder = _holder(uow.session, order)
    return _take(
        uow,
        order,
        operation,
        "order.taken_over",
        reason=reason,
        from_station=holder.station,
        from_user=holder.user,
    )


@unit_of_work(Permission.PICK_AND_PACK)
def heartbeat(uow: UnitOfWork) -> int:
    """Renew every lease this station and user hold; returns how many (0: nothing held)."""
    until = lease_until(uow.now)
    mine = and_(
        Order.claimed_by_station_id == uow.actor.station_id,
        Order.claimed_by_user_id == uow.actor.user_id,
        Order.lease_until > uow.now,
    )
    held = list(uow.session.scalars(select(Order.id).where(mine)))
    if held:
        uow.session.execute(update(Order).where(Order.id.in_(held)).values(lease_until=until))
    batch_mine = and_(
        PickBatch.claimed_by_station_id == uow.actor.station_id,
        PickBatch.claimed_by_user_id == uow.actor.user_id,
        PickBatch.lease_until > uow.now,
    )
    batches = uow.session.execute(update(PickBatch).where(batch_mine).values(lease_until=until))
    return len(held) + int(batches.rowcount or 0)  # type: ignore[attr-defined]


def _release(uow: UnitOfWork, order: Order, why: str) -> None:
    order_id = order.id
    stamp = uow.session.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(claimed_by_station_id=None, claimed_by_user_id=None, lease_until=None)
        .returning(Order.updated_at)
        .execution_options(synchronize_session=False)
    ).scalar()
    if stamp is None:  # the row is gone: the next read says so
        uow.session.expire(order)
    else:
        # The loaded order now says what the row says, without reading it back (expiring it
        # cost a SELECT of the whole order on its next read: COMPLETE reads it at once).
        for name, value in (
            ("claimed_by_station_id", None),
            ("claimed_by_user_id", None),
            ("lease_until", None),
            ("updated_at", stamp),  # set by the column's onupdate
        ):
            set_committed_value(order, name, value)
    uow.audit("order.released", "order", order_id, after={"why": why})


def release_order(uow: UnitOfWork, order: Order, why: str) -> None:
    """In the caller's unit of work (completion, cancel)."""
    _release(uow, order, why)


def release_with_change(uow: UnitOfWork, order: Order, why: str) -> None:
    """`release_order` for an order the caller is changing itself (COMPLETE sets its status):
    the lease is cleared on the loaded order, so the caller's flush writes both in one UPDATE
    (the release's own UPDATE was a second round trip). Audited the same way."""
    order.claimed_by_station_id = None
    order.claimed_by_user_id = None
    order.lease_until = None
    uow.audit("order.released", "order", order.id, after={"why": why})


@unit_of_work(Permission.PICK_AND_PACK)
def release(uow: UnitOfWork, order_id: int) -> None:
    order = uow.session.get(Order, order_id)
    if order is not None and _mine(uow, order):
        _release(uow, order, "cancel")


@unit_of_work(Permission.PICK_AND_PACK)
def release_all(uow: UnitOfWork) -> int:
    """Logout: give back everything this station and user hold (progress stays for resume)."""
    held = list(
        uow.session.scalars(
            select(Order).where(
                Order.claimed_by_station_id == uow.actor.station_id,
                Order.claimed_by_user_id == uow.actor.user_id,
            )
        )
    )
    for order in held:
        _release(uow, order, "logout")
    uow.session.execute(
        update(PickBatch)
        .where(
            PickBatch.claimed_by_station_id == uow.actor.station_id,
            PickBatch.claimed_by_user_id == uow.actor.user_id,
        )
        .values(claimed_by_station_id=None, claimed_by_user_id=None, lease_until=None)
    )
    return len(held)


@read_only
def _current(session: Session, station_id: int | None, user_id: int | None) -> WorkItem | None:
    batch_id = session.scalar(
        select(PickBatch.id).where(
            PickBatch.claimed_by_station_id == station_id,
            PickBatch.claimed_by_user_id == user_id,
        )
    )
    if batch_id is not None:
        return WorkItem(Operation.PICK, batch_id=batch_id)
    row = session.execute(
        select(Order.id, Order.status)
        .where(
            Order.claimed_by_station_id == station_id,
            Order.claimed_by_user_id == user_id,
            Order.status.in_((OrderStatus.PICKING.value, OrderStatus.PACKING.value)),
        )
        .order_by(Order.lease_until.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    operation = Operation.PICK if row.status == OrderStatus.PICKING.value else Operation.PACK
    return WorkItem(operation, order_id=row.id)


def current_work(ctx: ServiceContext) -> WorkItem | None:
    """What this station and user were working on (lapsed leases included: resume them)."""
    return _current(ctx, ctx.actor.station_id, ctx.actor.user_id)
