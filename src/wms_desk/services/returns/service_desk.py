"""The service desk: find any order, read its story, add notes, amend it before packing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from wms_desk.db.models import Channel, Order, OrderNote, Package, Rma, User
from wms_desk.domain import order_status
from wms_desk.domain.codes import ORDER_PREFIX, order_id_of
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.returns import RMA_PREFIX, ReturnRefused
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.order_detail import SHIP_TO_FIELDS, OrderDetail, ShipTo, _load_detail
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

# Packing has not started: the address and a hold can still change what leaves.
BEFORE_PACKING = frozenset(
    {
        OrderStatus.NEW,
        OrderStatus.ALLOCATED,
        OrderStatus.BACKORDERED,
        OrderStatus.PICKING,
        OrderStatus.PICKED,
        OrderStatus.ON_HOLD,
    }
)


@dataclass(frozen=True)
class OrderHit:
    id: int
    number: str
    channel: str
    status: str
    customer: str
    email: str
    phone: str
    ordered_at: datetime | None


@dataclass(frozen=True)
class Note:
    at: datetime
    by: str
    text: str


@read_only
def _find(session: Session, text: str, limit: int) -> list[OrderHit]:
    raw = text.strip()
    if not raw:
        return []
    number = raw.removeprefix(ORDER_PREFIX).strip()
    like = f"%{raw.lower()}%"
    digits = "".join(ch for ch in raw if ch.isdigit())
    conditions = [
        Order.number == number,
        func.lower(Order.customer_name).like(like),
        func.lower(Order.ship_name).like(like),
        func.lower(Order.ship_email) == raw.lower(),
        Order.id.in_(select(Package.order_id).where(Package.tracking_number == raw)),
        Order.id.in_(
            select(Rma.order_id).where(
                or_(Rma.return_tracking == raw, Rma.number == raw.removeprefix(RMA_PREFIX))
            )
        ),
    ]
    scanned_id = order_id_of(raw)
    if scanned_id is not None:  # a slip's ORDID: barcode names the order by its id
        conditions.append(Order.id == scanned_id)
    if len(digits) >= 6:
        # Phones are stored as typed; compare the digits the customer reads out.
        stripped: ColumnElement[str] = Order.ship_phone.expression
        for ch in " -()+./":
            stripped = func.replace(stripped, ch, "")
        conditions.append(stripped.like(f"%{digits}%"))
    rows = session.execute(
        select(Order, Channel.name)
        .join(Channel, Channel.id == Order.channel_id)
        .where(or_(*conditions))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    ).all()
    return [
        OrderHit(
            o.id,
            o.number,
            name,
            o.status,
            o.customer_name,
            o.ship_email,
            o.ship_phone,
            o.ordered_at,
        )
        for o, name in rows
    ]


def find_orders(ctx: ServiceContext, text: str, limit: int = 50) -> list[OrderHit]:
    """Orders by number, scanned slip, customer name, e-mail, phone or tracking number."""
    ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return _find(ctx, text, limit)


_story = read_only(_load_detail)


def order_story(ctx: ServiceContext, order_id: int) -> OrderDetail:
    """The order's lines, packages and whole timeline, for the service desk."""
    ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return _story(ctx, order_id)


@read_only
def _notes(session: Session, order_id: int) -> list[Note]:
    rows = session.execute(
        select(OrderNote.created_at, User.display_name, OrderNote.text)
        .outerjoin(User, User.id == OrderNote.user_id)
        .where(OrderNote.order_id == order_id)
        .order_by(OrderNote.created_at, OrderNote.id)
    ).all()
    return [Note(at, by or "System", text) for at, by, text in rows]


def order_notes(ctx: ServiceContext, order_id: int) -> list[Note]:
    ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return _notes(ctx, order_id)


def _order(uow: UnitOfWork, order_id: int) -> Order:
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists; search again.")
    return order


@unit_of_work(Permission.ADD_NOTES)
def add_note(uow: UnitOfWork, order_id: int, text: str) -> None:
    """A note on the order (what the customer asked, what was promised), audited."""
    body = text.strip()
    if not body:
        raise ValidationFailed("Write the note first.")
    order = _order(uow, order_id)
    uow.session.add(
        OrderNote(order_id=order.id, text=body, user_id=uow.actor.user_id, created_at=uow.now)
    )
    uow.audit("order.note_added", "order", order.id, after={"note": body})


def _before_packing(order: Order, what: str) -> None:
    if OrderStatus(order.status) not in BEFORE_PACKING:
        raise ReturnRefused(
            f"Order {order.number} is {order.status.replace('_', ' ')}: packing has started, "
            f"so the service desk cannot {what}. Ask the supervisor at the pack station."
        )


@unit_of_work(Permission.AMEND_ORDERS)
def change_ship_to(uow: UnitOfWork, order_id: int, ship_to: ShipTo) -> None:
    """A new ship-to address, only while packing has not started."""
    order = _order(uow, order_id)
    _before_packing(order, "change the address")
    before = {key: getattr(order, f"ship_{key}") for key in SHIP_TO_FIELDS}
    after = {key: getattr(ship_to, key).strip() for key in SHIP_TO_FIELDS}
    if not after["street1"] or not after["city"] or not after["country"]:
        raise ValidationFailed("A ship-to address needs at least a street, a city and a country.")
    for key, value in after.items():
        setattr(order, f"ship_{key}", value)
    order.updated_at = uow.now
    changed = {k: v for k, v in after.items() if before[k] != v}
    uow.audit(
        "order.address_changed",
        "order",
        order.id,
        before={k: before[k] for k in changed},
        after=changed,
    )


@unit_of_work(Permission.AMEND_ORDERS)
def hold_order(uow: UnitOfWork, order_id: int, reason: str) -> None:
    """Put the order on hold with a reason, only while packing has not started."""
    if not reason.strip():
        raise ValidationFailed("Say why the order is held (the packer and supervisor see it).")
    order = _order(uow, order_id)
    _before_packing(order, "hold it")
    held_from = order.status
    order_status.check_transition(held_from, OrderStatus.ON_HOLD)
    order.status = OrderStatus.ON_HOLD.value
    order.held_from = held_from
    order.hold_reason = reason.strip()
    order.updated_at = uow.now
    uow.audit(
        "order.held",
        "order",
        order.id,
        before={"status": held_from},
        after={"status": OrderStatus.ON_HOLD.value, "reason": reason.strip()},
    )
