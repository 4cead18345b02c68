"""Starting a pick: an order or a batch by its barcode, "next order", and resume after a restart."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import PickBatch
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
