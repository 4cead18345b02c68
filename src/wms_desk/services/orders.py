"""Order actions a supervisor takes: hold, release, cancel, set priority; each audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wms_desk.db.models import Channel, Order, OrderLine
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.stock import release_reservations
from wms_desk.services.uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class OrderSummary:
    id: int
    number: str
    channel: str
    external_id: str
    status: OrderStatus
    customer: str
    ship_by: datetime | None
    priority: int
    hold_reason: str | None
    version: int


def summarize(order: Order, channel_name: str) -> OrderSummary:
    return OrderSummary(
        order.id,
        order.number,
        channel_name,
        order.external_id,
        OrderStatus(order.status),
        order.customer_name,
        order.ship_by,
        order.priority,
        order.hold_reason,
        order.version,
    )


def change_status(
    uow: UnitOfWork, order: Order, target: OrderStatus, action: str, **detail: object
) -> None:
    """Move an order through the state machine, bump its version, and audit the change."""
    before = order.status
    order_status.check_transition(before, target)
    order.status = target.value
    order.updated_at = uow.now
    uow.audit(
        action,
        "order",
        order.id,
        before={"status": before},
        after={"status": target.value, **detail},
    )


def _load(uow: UnitOfWork, order_ids: Sequence[int]) -> list[tuple[Order, str]]:
    if not order_ids:
        raise ValidationFailed("Select at least one order.")
    rows = uow.session.execute(
        select(Order, Channel.name)
        .join(Channel, Channel.id == Order.channel_id)
        .where(Order.id.in_(list(order_ids)))
        .order_by(Order.id)
    ).all()
    found = {order.id for order, _ in rows}
    missing = sorted(set(order_ids) - found)
    if missing:
        raise NotFound(f"Order id(s) {', '.join(map(str, missing))} no longer exist.")
    return [(order, name) for order, name in rows]


def _each(
    uow: UnitOfWork, order_ids: Sequence[int], act: Callable[[Order], None]
) -> list[OrderSummary]:
    results = []
    for order, channel in _load(uow, order_ids):
        act(order)
        results.append(summarize(order, channel))
    uow.session.flush()
    return results


def _require_reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(f"Give a reason to {what}; it is kept in the order's history.")
    return reason[:200]


@unit_of_work(Permission.HOLD_ORDERS)
def hold_orders(uow: UnitOfWork, order_ids: Sequence[int], reason: str) -> list[OrderSummary]:
    reason = _require_reason(reason, "hold an order")

    def hold(order: Order) -> None:
        held_from = order.status
        change_status(uow, order, OrderStatus.ON_HOLD, "order.held", reason=reason)
        order.held_from = held_from
        order.hold_reason = reason

    return _each(uow, order_ids, hold)


@unit_of_work(Permission.HOLD_ORDERS)
def release_orders(
    uow: UnitOfWork, order_ids: Sequence[int], reason: str = ""
) -> list[OrderSummary]:
    def release(order: Order) -> None:
        target = order_status.release_from_hold(order.status, order.held_from or "new")
        before = order.status
        order.status = target.value
        order.held_from = None
        order.hold_reason = None
        order.updated_at = uow.now
        uow.audit(
            "order.released",
            "order",
            order.id,
            before={"status": before},
            after={"status": target.value, "reason": reason.strip()},
        )
        # Imported here: allocation builds on this module's actions.
        from wms_desk.services.allocation import allocate_released

        allocate_released(uow, order)

    return _each(uow, order_ids, release)


@unit_of_work(Permission.CANCEL_ORDERS)
def cancel_orders(uow: UnitOfWork, order_ids: Sequence[int], reason: str) -> list[OrderSummary]:
    """Cancel and give back any stock reserved for the orders."""
    reason = _require_reason(reason, "cancel an order")

    def cancel(order: Order) -> None:
        change_status(uow, order, OrderStatus.CANCELLED, "order.cancelled", reason=reason)
        order.held_from = None
        line_ids = list(
            uow.session.scalars(select(OrderLine.id).where(OrderLine.order_id == order.id))
        )
        release_reservations(uow, line_ids)

    summaries = _each(uow, order_ids, cancel)
    # The stock given back goes to the orders waiting for it, in this same transaction.
    from wms_desk.services.allocation import allocate_freed

    allocate_freed(uow)
    return summaries


@unit_of_work(Permission.HOLD_ORDERS)
def set_priority(uow: UnitOfWork, order_ids: Sequence[int], priority: int) -> list[OrderSummary]:
    if not -9 <= priority <= 9:
        raise ValidationFailed("Priority runs from -9 (last) to 9 (first).")

    def prioritise(order: Order) -> None:
        before = order.priority
        order.priority = priority
        order.updated_at = uow.now
        uow.audit(
            "order.priority_set",
            "order",
            order.id,
            before={"priority": before},
            after={"priority": priority},
        )

    return _each(uow, order_ids, prioritise)
