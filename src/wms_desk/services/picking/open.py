"""Starting a pick: an order or a batch by its barcode, "next order", "next batch", and resume
after a restart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from wms_desk.db.models import Order, PickBatch
from wms_desk.domain.codes import ORDER_PREFIX
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import Operation, PickPolicy
from wms_desk.services import claims, documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.picking.actions import load
from wms_desk.services.picking.session import PickRef, PickSession, build, progress_of
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work


@unit_of_work(Permission.PICK_AND_PACK)
def open_pick(uow: UnitOfWork, ref: str) -> PickSession:
    """An order number / `ORD:` slip, or a batch name: claimed for picking and shown."""
    text = ref.strip()
    batch = uow.session.scalar(select(PickBatch).where(PickBatch.name == text))
    if batch is not None:
        return load(uow, PickRef(batch_id=batch.id)).view()
    order = documents.find_order(uow.session, text.removeprefix(ORDER_PREFIX))
    claims.acquire(uow, order, Operation.PICK)
    return load(uow, PickRef(order_id=order.id)).view()


@unit_of_work(Permission.PICK_AND_PACK)
def pick_next(uow: UnitOfWork) -> PickSession | None:
    """ "Next order" at a pick station (single-order picking; batches are opened by name)."""
    claim = claims.claim_next_in(uow, Operation.PICK)
    if claim is None:
        return None
    return load(uow, PickRef(order_id=claim.order_id)).view()


def _next_batch_id(uow: UnitOfWork) -> int | None:
    """The most urgent open batch no live lease holds, whose open orders all pass this
    station's work filter. Urgency as for orders: its most urgent order's priority, then its
    earliest ship-by, then the batch's age. PostgreSQL locks it with SKIP LOCKED (a second
    station pressing Next batch at the same moment gets the next one); SQLite writes under
    BEGIN IMMEDIATE, so the unit of work is already alone."""
    eligible = claims.ELIGIBLE[Operation.PICK]
    rules = claims.station_rules(uow.session, uow.actor.station_id)

    def open_orders(query: Select[Any]) -> Select[Any]:
        return query.where(Order.batch_id == PickBatch.id, Order.status.in_(eligible))

    count = select(func.count(Order.id))
    allowed = claims.filtered(open_orders(count), rules, Operation.PICK).scalar_subquery()
    urgency = (
        select(
            Order.batch_id,
            func.max(Order.priority).label("priority"),
            func.min(Order.ship_by).label("ship_by"),
        )
        .where(Order.status.in_(eligible), Order.batch_id.is_not(None))
        .group_by(Order.batch_id)
        .subquery()
    )
    query = (
        select(PickBatch.id)
        .join(urgency, urgency.c.batch_id == PickBatch.id)
        .where(
            PickBatch.status == "open",
            or_(PickBatch.lease_until.is_(None), PickBatch.lease_until < uow.now),
            open_orders(count).scalar_subquery() == allowed,
        )
        .order_by(
            urgency.c.priority.desc(),
            urgency.c.ship_by.is_(None),
            urgency.c.ship_by,
            PickBatch.created_at,
            PickBatch.id,
        )
        .limit(1)
        .with_for_update(skip_locked=True, of=PickBatch)
    )
    return uow.session.scalar(query)


@unit_of_work(Permission.PICK_AND_PACK)
def pick_next_batch(uow: UnitOfWork) -> PickSession | None:
    """ "Next batch" (cluster picking): the most urgent open batch, claimed whole for this
    station and user (lease, audit, its orders to picking) and shown; None if none waits."""
    batch_id = _next_batch_id(uow)
    if batch_id is None:
        return None
    return load(uow, PickRef(batch_id=batch_id)).view()


@read_only
def _view(session: Session, ref: PickRef, station_id: int | None) -> PickSession:
    policy = claims.station_rules(session, station_id).pick
    return build(session, ref, policy, progress_of(session, ref))


def pick_session(ctx: ServiceContext, ref: PickRef) -> PickSession:
    return _view(ctx, ref, ctx.actor.station_id)


def current_pick_session(ctx: ServiceContext) -> PickSession | None:
    """After a restart: the order or batch this station and user were picking."""
    work = claims.current_work(ctx)
    if work is None or work.operation is not Operation.PICK:
        return None
    return pick_session(ctx, PickRef(order_id=work.order_id, batch_id=work.batch_id))


@read_only
def _policy(session: Session, station_id: int | None) -> PickPolicy:
    return claims.station_rules(session, station_id).pick


def pick_policy(ctx: ServiceContext) -> PickPolicy:
    """This station's pick rules (the pick screen shows quantity entry only where allowed)."""
    return _policy(ctx, ctx.actor.station_id)
