"""Pick batches (waves) from a selection or by rule, and assigning orders to a station or packer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from wms_desk.db.models import Order, OrderLine, PickBatch, Station, User
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, unit_of_work

WAVE_STATUSES = order_status.in_order(order_status.WAVEABLE)
MAX_WAVE = 200


@dataclass(frozen=True)
class WaveSummary:
    id: int
    name: str
    rule: str
    order_ids: tuple[int, ...]
    totes: tuple[str, ...]
    # The orders' numbers, in order_ids' order (what a supervisor reads in a confirmation).
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssignmentResult:
    order_ids: tuple[int, ...]
    station: str
    packer: str
    numbers: tuple[str, ...] = ()


def _next_name(uow: UnitOfWork) -> str:
    count = uow.session.scalar(select(func.count()).select_from(PickBatch)) or 0
    stamp = uow.now.strftime("%Y%m%d")
    name = f"W-{stamp}-{count + 1:04d}"
    while uow.session.scalar(select(PickBatch.id).where(PickBatch.name == name)) is not None:
        count += 1
        name = f"W-{stamp}-{count + 1:04d}"
    return name


def _make_wave(uow: UnitOfWork, orders: list[Order], rule: str) -> WaveSummary:
    if not orders:
        raise ValidationFailed("No orders fit this wave: nothing was created.")
    if len(orders) > MAX_WAVE:
        raise ValidationFailed(f"A wave holds at most {MAX_WAVE} orders; select fewer.")
    batch = PickBatch(name=_next_name(uow), rule=rule[:200], created_by_id=uow.actor.user_id)
    batch.created_at = uow.now
    uow.session.add(batch)
    uow.session.flush()
    totes = []
    for seq, order in enumerate(sorted(orders, key=lambda o: (o.ship_by is None, o.ship_by, o.id))):
        order.batch_id = batch.id
        # Each order gets its own tote position in the wave, printed on the pick list.
        order.tote = f"{batch.name}-{seq + 1:02d}"
        order.updated_at = uow.now
        totes.append(order.tote)
        uow.audit(
            "order.waved",
            "order",
            order.id,
            before={"batch": None},
            after={"batch": batch.name, "tote": order.tote},
        )
    uow.audit(
        "wave.created",
        "pick_batch",
        batch.id,
        after={"orders": [o.id for o in orders], "rule": rule},
    )
    uow.session.flush()
    return WaveSummary(
        batch.id,
        batch.name,
        batch.rule,
        tuple(o.id for o in orders),
        tuple(totes),
        tuple(o.number for o in orders),
    )


@unit_of_work(Permission.HOLD_ORDERS)
def create_wave(uow: UnitOfWork, order_ids: Sequence[int]) -> WaveSummary:
    """A wave of exactly the selected orders; refuses the lot if any cannot be waved."""
    if not order_ids:
        raise ValidationFailed("Select the orders to put in the wave.")
    orders = list(uow.session.scalars(select(Order).where(Order.id.in_(list(order_ids)))))
    missing = set(order_ids) - {o.id for o in orders}
    if missing:
        raise NotFound(f"Order id(s) {', '.join(map(str, sorted(missing)))} no longer exist.")
    wrong = [o.number for o in orders if o.status not in WAVE_STATUSES]
    if wrong:
        allowed = " or ".join(OrderStatus(s).label.lower() for s in WAVE_STATUSES)
        raise ValidationFailed(
            f"Only {allowed} orders can be waved; {', '.join(wrong[:5])} "
            f"{'is' if len(wrong) == 1 else 'are'} not."
        )
    taken = [o.number for o in orders if o.batch_id is not None]
    if taken:
        raise ValidationFailed(f"Already in a wave: {', '.join(taken[:5])}.")
    return _make_wave(uow, orders, "selection")


@unit_of_work(Permission.HOLD_ORDERS)
def create_wave_by_rule(
    uow: UnitOfWork, service: str = "", max_orders: int = 20, single_item: bool = False
) -> WaveSummary:
    """Up to `max_orders` unwaved orders, earliest ship-by first, optionally one service only
    and/or single-item orders only (one line of quantity one: the fastest wave to pick)."""
    if not 1 <= max_orders <= MAX_WAVE:
        raise ValidationFailed(f"A wave holds 1 to {MAX_WAVE} orders.")
    stmt = select(Order).where(Order.status.in_(WAVE_STATUSES), Order.batch_id.is_(None))
    if service:
        stmt = stmt.where(Order.requested_service == service)
    if single_item:
        units = (
            select(func.sum(OrderLine.qty))
            .where(OrderLine.order_id == Order.id, OrderLine.pickable)
            .scalar_subquery()
        )
        stmt = stmt.where(units == 1)
    stmt = stmt.order_by(Order.priority.desc(), Order.ship_by, Order.id).limit(max_orders)
    orders = list(uow.session.scalars(stmt.with_for_update(skip_locked=True)))
    rule = f"service={service or 'any'}, max={max_orders}, single_item={single_item}"
    return _make_wave(uow, orders, rule)


@unit_of_work(Permission.HOLD_ORDERS)
def assign_orders(
    uow: UnitOfWork,
    order_ids: Sequence[int],
    station_id: int | None = None,
    user_id: int | None = None,
) -> AssignmentResult:
    """Point orders at a station and/or packer (None clears that part); each change audited."""
    if not order_ids:
        raise ValidationFailed("Select the orders to assign.")
    station = uow.session.get(Station, station_id) if station_id is not None else None
    if station_id is not None and station is None:
        raise NotFound(f"Station {station_id} does not exist.")
    user = uow.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and (user is None or not user.active):
        raise NotFound(f"User {user_id} does not exist or is inactive.")
    orders = list(uow.session.scalars(select(Order).where(Order.id.in_(list(order_ids)))))
    missing = set(order_ids) - {o.id for o in orders}
    if missing:
        raise NotFound(f"Order id(s) {', '.join(map(str, sorted(missing)))} no longer exist.")
    for order in orders:
        before = {"station_id": order.assigned_station_id, "user_id": order.assigned_user_id}
        order.assigned_station_id = station_id
        order.assigned_user_id = user_id
        order.updated_at = uow.now
        uow.audit(
            "order.assigned",
            "order",
            order.id,
            before=before,
            after={
                "station_id": station_id,
                "user_id": user_id,
                "station": station.name if station else None,
                "packer": user.display_name if user else None,
            },
        )
    uow.session.flush()
    return AssignmentResult(
        tuple(o.id for o in orders),
        station.name if station else "",
        user.display_name if user else "",
        tuple(o.number for o in orders),
    )
