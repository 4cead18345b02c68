"""The pick session snapshot: tasks (a line's reservation in a bin) in walking order, next step."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    Bin,
    Order,
    OrderLine,
    PickBatch,
    PickProgress,
    Product,
    Reservation,
)
from wms_desk.domain import picking
from wms_desk.domain.picking import PickOutcome, PickStage, PickTask
from wms_desk.domain.station_rules import PickPolicy
from wms_desk.services.errors import NotFound

STAGING_BIN = "STAGE"


@dataclass(frozen=True)
class PickRef:
    """What is being picked: one order, or a whole batch."""

    order_id: int | None = None
    batch_id: int | None = None


@dataclass(frozen=True)
class PickSession:
    ref: PickRef
    name: str  # order number or batch name
    tasks: tuple[PickTask, ...]  # open tasks in walking order
    stage: PickStage
    current: PickTask | None
    next_action: str
    orders: tuple[tuple[int, str, str], ...]  # (order id, number, status)
    done: bool


@dataclass(frozen=True)
class PickVerdict:
    outcome: PickOutcome
    message: str
    session: PickSession

    @property
    def accepted(self) -> bool:
        return self.outcome.accepted


def tote_of(order: Order) -> tuple[str, str]:
    """(bin code, label): a batch order's own tote, else the staging area."""
    if order.tote:
        position = order.tote.rsplit("-", 1)[-1].lstrip("0") or "0"
        return order.tote, f"tote {position}"
    return STAGING_BIN, "staging"


def orders_of(session: Session, ref: PickRef) -> list[Order]:
    if ref.batch_id is not None:
        return list(
            session.scalars(
                select(Order).where(Order.batch_id == ref.batch_id).order_by(Order.tote, Order.id)
            )
        )
    order = session.get(Order, ref.order_id) if ref.order_id is not None else None
    if order is None:
        raise NotFound(f"Order id {ref.order_id} no longer exists.")
    return [order]


def progress_of(session: Session, ref: PickRef) -> PickProgress | None:
    column = PickProgress.batch_id if ref.batch_id is not None else PickProgress.order_id
    value = ref.batch_id if ref.batch_id is not None else ref.order_id
    return session.scalar(select(PickProgress).where(column == value))


def load_tasks(
    session: Session, orders: list[Order], progress: PickProgress | None
) -> list[PickTask]:
    by_id = {o.id: o for o in orders}
    skipped = dict(progress.skipped) if progress else {}
    rows = session.execute(
        select(Reservation, OrderLine, Bin, Product)
        .join(OrderLine, OrderLine.id == Reservation.order_line_id)
        .join(Bin, Bin.id == Reservation.bin_id)
        .join(Product, Product.id == Reservation.product_id)
        .where(OrderLine.order_id.in_(list(by_id)))
    ).all()
    tasks = []
    for reservation, line, bin_, product in rows:
        order = by_id[line.order_id]
        tote, label = tote_of(order)
        tasks.append(
            PickTask(
                line.id,
                order.id,
                order.number,
                tote,
                label,
                bin_.id,
                bin_.code,
                bin_.pick_sequence,
                product.id,
                product.sku,
                product.name,
                reservation.qty,
                0,
                int(skipped.get(f"{line.id}:{bin_.id}", 0)),
                line_picked=line.picked_qty,
            )
        )
    return picking.walk_order(tasks)


def build(
    session: Session, ref: PickRef, policy: PickPolicy, progress: PickProgress | None
) -> PickSession:
    orders = orders_of(session, ref)
    tasks = load_tasks(session, orders, progress)
    bin_key = None
    if progress is not None and progress.bin_line_id is not None and progress.bin_id is not None:
        bin_key = (progress.bin_line_id, progress.bin_id)
    step = picking.next_step(tasks, policy.require_bin_scan, bin_key, None)
    if progress is not None and progress.tote_line_id is not None:
        # Goods in hand wait for their tote (the task itself may be finished already).
        line = session.get(OrderLine, progress.tote_line_id)
        owner = next((o for o in orders if line is not None and o.id == line.order_id), None)
        if owner is not None:
            label = tote_of(owner)[1]
            step = picking.PickStep(PickStage.TOTE, None, f"Put in {label} and scan it")
    if ref.batch_id is not None:
        batch = session.get(PickBatch, ref.batch_id)
        name = batch.name if batch else str(ref.batch_id)
    else:
        name = orders[0].number
    return PickSession(
        ref,
        name,
        tuple(tasks),
        step.stage,
        step.task,
        step.instruction,
        tuple((o.id, o.number, o.status) for o in orders),
        step.stage is PickStage.DONE,
    )
