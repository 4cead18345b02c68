"""Allocation: reserve bin stock for orders by pick sequence, or backorder what is missing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from wms_desk.db.models import AuditEvent, Bin, BinStock, Order, OrderLine, Product, Reservation
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.bulk_writes import add_to_column, audit_rows, bulk_insert
from wms_desk.services.changes import Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound
from wms_desk.services.stock import BinQuantity, count_bin, take_freed
from wms_desk.services.uow import UnitOfWork, read_only, run_unit_of_work, unit_of_work

WAITING = order_status.in_order(order_status.AWAITING_STOCK)
_CHUNK = 500
_NEVER = datetime.max


@dataclass(frozen=True)
class AllocationOutcome:
    allocated: int = 0
    backordered: int = 0
    # The orders that became allocated, by id (a supervisor's re-run names them).
    allocated_ids: tuple[int, ...] = ()

    def __add__(self, other: AllocationOutcome) -> AllocationOutcome:
        return AllocationOutcome(
            self.allocated + other.allocated,
            self.backordered + other.backordered,
            self.allocated_ids + other.allocated_ids,
        )


def _chunks(ids: list[int], size: int = _CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _by_priority(session: Session, ids: Iterable[int]) -> list[int]:
    """The waiting ones among `ids`, first served first: priority, then ship-by, then age."""
    rows: list[Any] = []
    for chunk in _chunks(sorted(set(ids))):
        rows.extend(
            session.execute(
                select(Order.id, Order.priority, Order.ship_by).where(
                    Order.id.in_(chunk), Order.status.in_(WAITING)
                )
            ).all()
        )
    rows.sort(key=lambda r: (-r.priority, r.ship_by is None, r.ship_by or _NEVER, r.id))
    return [row.id for row in rows]


def allocate_orders(uow: UnitOfWork, order_ids: Iterable[int]) -> AllocationOutcome:
    """Allocate each order whole from free stock in pick sequence, else backorder it.

    All or nothing per order: a backordered order holds nothing, so it never blocks an order
    that could ship complete. Orders are served by priority, then ship-by, then age. Orders
    waiting for stock that this unit of work freed (stock.note_freed) join the run.
    """
    ids = set(order_ids)
    freed = take_freed(uow)
    if freed:
        ids.update(waiting_order_ids(uow.session, freed))
    outcome = AllocationOutcome()
    # Pending ORM changes first: the bulk updates below must see (and win over) them.
    uow.session.flush()
    for chunk in _chunks(_by_priority(uow.session, ids)):
        outcome = outcome + _allocate_chunk(uow, chunk)
    return outcome


def allocate_freed(uow: UnitOfWork) -> AllocationOutcome:
    """Stock became free in this unit of work: serve the orders waiting for it."""
    return allocate_orders(uow, ())


def _allocate_chunk(uow: UnitOfWork, ids: list[int]) -> AllocationOutcome:
    session = uow.session
    # Locked, and the status read after the lock: two stations allocating the same order
    # at once must not both reserve for it (the second finds it allocated and skips it).
    orders = session.execute(
        select(Order.id, Order.status)
        .where(Order.id.in_(ids), Order.status.in_(WAITING))
        .order_by(Order.id)
        .with_for_update(of=Order)
    ).all()
    if not orders:
        return AllocationOutcome()
    rank = {order_id: n for n, order_id in enumerate(ids)}
    orders = sorted(orders, key=lambda row: rank[row.id])
    order_ids = [row.id for row in orders]
    lines = session.execute(
        select(OrderLine.id, OrderLine.order_id, OrderLine.product_id, OrderLine.qty, Product.sku)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id.in_(order_ids), OrderLine.pickable.is_(True))
        .order_by(OrderLine.order_id, OrderLine.line_no)
    ).all()
    held = dict(
        session.execute(
            select(Reservation.order_line_id, func.sum(Reservation.qty))
            .where(Reservation.order_line_id.in_([line.id for line in lines]))
            .group_by(Reservation.order_line_id)
        ).all()
    )
    by_order: dict[int, list[Any]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    free = _free_stock(session, {line.product_id for line in lines})

    new_reservations: dict[tuple[int, int], list[int]] = {}
    taken: dict[tuple[int, int], int] = defaultdict(int)
    status_rows, audits = [], []
    outcome = AllocationOutcome()
    for order in orders:
        order_lines = by_order.get(order.id, [])
        need: dict[int, int] = defaultdict(int)
        for line in order_lines:
            need[line.product_id] += line.qty - int(held.get(line.id, 0))
        missing = {
            pid: qty - sum(f for _, f in free.get(pid, [])) for pid, qty in need.items() if qty > 0
        }
        missing = {pid: qty for pid, qty in missing.items() if qty > 0}
        if missing:
            target = OrderStatus.BACKORDERED
            skus = {line.product_id: line.sku for line in order_lines}
            detail = {"missing": {skus[pid]: qty for pid, qty in sorted(missing.items())}}
            outcome = outcome + AllocationOutcome(backordered=1)
        else:
            for line in order_lines:
                _take(free, line, line.qty - int(held.get(line.id, 0)), new_reservations, taken)
            target, detail = OrderStatus.ALLOCATED, {}
            outcome = outcome + AllocationOutcome(allocated=1, allocated_ids=(order.id,))
        if target.value == order.status:
            continue  # still waiting: no new event for every stock arrival
        order_status.check_transition(order.status, target)
        status_rows.append({"b_id": order.id, "b_status": target.value})
        audits.append(
            (
                f"order.{target.value}",
                order.id,
                {"status": order.status},
                {"status": target.value, **detail},
            )
        )
    _write(uow, new_reservations, taken, status_rows, audits)
    return outcome


def _free_stock(session: Session, product_ids: set[int]) -> dict[int, list[list[int]]]:
    """Per product, [bin_id, free] in pick sequence; rows locked on PostgreSQL until commit."""
    free: dict[int, list[list[int]]] = defaultdict(list)
    if not product_ids:
        return free
    rows = session.execute(
        select(
            BinStock.bin_id,
            BinStock.product_id,
            BinStock.on_hand,
            BinStock.reserved,
            Bin.pick_sequence,
            Bin.code,
        )
        .join(Bin, Bin.id == BinStock.bin_id)
        # Every row of the products, full ones too: a station releasing stock in a full bin
        # holds that row, so this waits and sees the release instead of missing it.
        .where(BinStock.product_id.in_(product_ids), Bin.active.is_(True))
        # Locked in key order, as counts and imports lock them, so stations queue, not deadlock.
        .order_by(BinStock.bin_id, BinStock.product_id)
        .with_for_update(of=BinStock)
    ).all()
    for row in sorted(rows, key=lambda r: (r.product_id, r.pick_sequence, r.code)):
        if row.on_hand <= row.reserved:
            continue
        free[row.product_id].append([row.bin_id, row.on_hand - row.reserved])
    return free


def _take(
    free: dict[int, list[list[int]]],
    line: Any,
    qty: int,
    reservations: dict[tuple[int, int], list[int]],
    taken: dict[tuple[int, int], int],
) -> None:
    for slot in free[line.product_id]:
        if qty <= 0:
            break
        amount = min(qty, slot[1])
        if amount <= 0:
            continue
        slot[1] -= amount
        qty -= amount
        taken[slot[0], line.product_id] += amount
        entry = reservations.setdefault((line.id, slot[0]), [line.product_id, 0])
        entry[1] += amount


def _write(
    uow: UnitOfWork,
    reservations: dict[tuple[int, int], list[int]],
    taken: dict[tuple[int, int], int],
    status_rows: list[dict[str, Any]],
    audits: list[tuple[str, int, dict[str, Any], dict[str, Any]]],
) -> None:
    session = uow.session
    connection = session.connection()
    # Core statements on the connection: the change bus hears of them only from here.
    if taken:
        uow.changed(Topic.STOCK)
    if status_rows:
        uow.changed(Topic.ORDERS, *(row["b_id"] for row in status_rows))
    add_to_column(session, BinStock, "reserved", dict(taken))
    if reservations:
        existing = set(
            session.execute(
                select(Reservation.order_line_id, Reservation.bin_id).where(
                    Reservation.order_line_id.in_({line for line, _ in reservations})
                )
            ).all()
        )
        fresh = [
            {
                "order_line_id": line,
                "bin_id": bin_id,
                "product_id": pid,
                "qty": qty,
                "created_at": uow.now,
            }
            for (line, bin_id), (pid, qty) in reservations.items()
            if (line, bin_id) not in existing
        ]
        if fresh:
            bulk_insert(session, Reservation, fresh)
        for (line, bin_id), (_, qty) in reservations.items():
            if (line, bin_id) in existing:
                connection.execute(
                    update(Reservation)
                    .where(Reservation.order_line_id == line, Reservation.bin_id == bin_id)
                    .values(qty=Reservation.qty + qty)
                )
    if status_rows:
        by_status: dict[str, list[int]] = defaultdict(list)
        for row in status_rows:
            by_status[row["b_status"]].append(row["b_id"])
        for status, ids in by_status.items():
            connection.execute(
                update(Order)
                .where(Order.id.in_(ids))
                .values(status=status, version=Order.version + 1, updated_at=uow.now)
            )
        changed = {row["b_id"] for row in status_rows}
        # ORM copies of these orders are now stale: reload them on next access.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Order) and obj.id in changed:
                session.expire(obj)
    if audits:
        bulk_insert(session, AuditEvent, audit_rows(uow, "order", audits))


def waiting_order_ids(session: Session, product_ids: Collection[int] | None = None) -> list[int]:
    """Orders still to allocate (new or backordered), optionally only those needing a product."""
    query = select(Order.id).where(Order.status.in_(WAITING))
    if product_ids is not None:
        query = query.where(
            Order.id.in_(
                select(OrderLine.order_id).where(OrderLine.product_id.in_(list(product_ids)))
            )
        )
    return list(session.scalars(query))


def allocate_waiting(
    uow: UnitOfWork, product_ids: Collection[int] | None = None
) -> AllocationOutcome:
    """Stock arrived: try again every order waiting for these products (all when None)."""
    if product_ids is not None and not product_ids:
        return AllocationOutcome()
    return allocate_orders(uow, waiting_order_ids(uow.session, product_ids))


@unit_of_work(Permission.EDIT_STOCK)
def run_allocation(uow: UnitOfWork, order_ids: Collection[int] | None = None) -> AllocationOutcome:
    """Allocate the given orders, or every order that is new or backordered."""
    if order_ids is None:
        return allocate_waiting(uow)
    return allocate_orders(uow, order_ids)


@dataclass(frozen=True)
class AllocatedOrder:
    id: int
    number: str


@dataclass(frozen=True)
class Reallocation:
    """What a supervisor's re-run did: the orders it allocated, and how many still wait."""

    allocated: tuple[AllocatedOrder, ...]
    still_backordered: int


def _reallocate(uow: UnitOfWork) -> Reallocation:
    backordered = uow.session.scalars(
        select(Order.id).where(Order.status == OrderStatus.BACKORDERED.value)
    ).all()
    outcome = allocate_orders(uow, backordered)
    numbers = dict(
        uow.session.execute(
            select(Order.id, Order.number).where(Order.id.in_(outcome.allocated_ids))
        ).all()
    )
    allocated = tuple(AllocatedOrder(i, numbers[i]) for i in outcome.allocated_ids)
    return Reallocation(allocated, outcome.backordered)


def reallocate_backorders(ctx: ServiceContext) -> Reallocation:
    """Try every backordered order again now (a supervisor's button): EDIT_STOCK or HOLD_ORDERS."""
    if not ctx.actor.can(Permission.EDIT_STOCK):
        ctx.actor.require(Permission.HOLD_ORDERS)
    return run_unit_of_work(ctx, _reallocate)


@dataclass(frozen=True)
class StockAdjustment:
    bin: BinQuantity
    allocation: AllocationOutcome


def count_and_allocate(
    uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str
) -> StockAdjustment:
    """A count, then the orders waiting for what it freed, in one unit of work."""
    count_bin(uow, bin_code, sku, counted, reason)
    allocation = allocate_freed(uow)
    # Re-read: the allocation may just have reserved some of what was counted.
    on_hand, reserved = uow.session.execute(
        select(BinStock.on_hand, BinStock.reserved)
        .join(Bin, Bin.id == BinStock.bin_id)
        .join(Product, Product.id == BinStock.product_id)
        .where(Bin.code == bin_code, Product.sku == sku)
    ).one()
    return StockAdjustment(BinQuantity(bin_code, sku, on_hand, reserved), allocation)


@unit_of_work(Permission.EDIT_STOCK)
def adjust_stock(
    uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str
) -> StockAdjustment:
    """The Inventory screen's adjust: a counted quantity as a ledger move, then re-allocation."""
    return count_and_allocate(uow, bin_code, sku, counted, reason)


def allocate_released(uow: UnitOfWork, order: Order) -> None:
    """A released order that waits for stock tries again at once (called by release_orders)."""
    if order.status in WAITING:
        allocate_orders(uow, [order.id])


# --- who holds the stock an order waits for ------------------------------------------------


@dataclass(frozen=True)
class Holder:
    order_id: int
    number: str
    status: str
    priority: int
    ship_by: datetime | None
    bin_code: str
    qty: int


@dataclass(frozen=True)
class LineWait:
    line_no: int
    sku: str
    needed: int
    reserved: int
    on_hand: int
    free: int
    missing: int
    holders: tuple[Holder, ...]


@dataclass(frozen=True)
class StockWait:
    order_id: int
    number: str
    status: str
    lines: tuple[LineWait, ...]


@read_only
def _stock_wait(session: Session, order_id: int) -> StockWait:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    lines = session.execute(
        select(OrderLine.id, OrderLine.line_no, OrderLine.product_id, OrderLine.qty, Product.sku)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id, OrderLine.pickable.is_(True))
        .order_by(OrderLine.line_no)
    ).all()
    result = []
    for line in lines:
        mine = session.scalar(
            select(func.coalesce(func.sum(Reservation.qty), 0)).where(
                Reservation.order_line_id == line.id
            )
        )
        on_hand, reserved = session.execute(
            select(
                func.coalesce(func.sum(BinStock.on_hand), 0),
                func.coalesce(func.sum(BinStock.reserved), 0),
            ).where(BinStock.product_id == line.product_id)
        ).one()
        holders = session.execute(
            select(
                Order.id,
                Order.number,
                Order.status,
                Order.priority,
                Order.ship_by,
                Bin.code,
                Reservation.qty,
            )
            .join(OrderLine, OrderLine.id == Reservation.order_line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Bin, Bin.id == Reservation.bin_id)
            .where(Reservation.product_id == line.product_id, Order.id != order_id)
            .order_by(Order.priority.desc(), Order.ship_by, Order.id)
        ).all()
        mine = int(mine or 0)
        needed = line.qty - mine
        free = int(on_hand) - int(reserved)
        result.append(
            LineWait(
                line.line_no,
                line.sku,
                line.qty,
                mine,
                int(on_hand),
                free,
                max(0, needed - free),
                tuple(Holder(*row) for row in holders),
            )
        )
    return StockWait(order.id, order.number, order.status, tuple(result))


def stock_holders(ctx: ServiceContext, order_id: int) -> StockWait:
    """For each pickable line: what it needs, what is free, and which orders hold the rest."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    return _stock_wait(ctx, order_id)
