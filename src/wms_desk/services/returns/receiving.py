"""Receiving returns: find the RMA from a scan, take each unit in, refuse what is not on it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from wms_desk.db.models import (
    Order,
    OrderLine,
    PackCapture,
    Product,
    ProductBarcode,
    Rma,
    RmaLine,
    RmaUnit,
)
from wms_desk.domain.codes import ORDER_PREFIX
from wms_desk.domain.returns import (
    RECEIVING_BIN,
    RMA_PREFIX,
    Condition,
    Disposition,
    Resolution,
    ReturnRefused,
    RmaStatus,
    check_receivable,
    check_serial,
    parse_choice,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.returns.common import (
    find_rma,
    refresh_rma_status,
    returns_bin,
    update_order_status,
)
from wms_desk.services.returns.inspection import dispose_unit
from wms_desk.services.returns.rma import CreatedRma, ReturnLineRequest, load_order, open_rma
from wms_desk.services.stock import apply_move
from wms_desk.services.uow import UnitOfWork, unit_of_work

OPEN_FOR_RECEIVING = (RmaStatus.OPEN.value, RmaStatus.RECEIVING.value)


@dataclass(frozen=True)
class Received:
    rma: str
    sku: str
    unit_ids: tuple[int, ...]
    received: int
    expected: int
    rma_complete: bool


@unit_of_work(Permission.RECEIVE_RETURNS)
def find_rma_for_scan(uow: UnitOfWork, scanned: str) -> str:
    """An RMA barcode, a return label's tracking number, or the original order number."""
    text = scanned.strip()
    session = uow.session
    if text.startswith(RMA_PREFIX):
        return find_rma(session, text).number
    by_number = session.scalar(select(Rma.number).where(Rma.number == text))
    if by_number:
        return by_number
    by_tracking = session.scalar(
        select(Rma.number)
        .where(Rma.return_tracking == text, Rma.status.in_(OPEN_FOR_RECEIVING))
        .order_by(Rma.id.desc())
    )
    if by_tracking:
        return by_tracking
    try:
        order_id = resolve_order(session, text)
    except NotFound:
        raise NotFound(
            f"{text!r} is no RMA, return label or order. Scan the RMA slip, or search the "
            "order and receive the parcel as unexpected."
        ) from None
    found = session.scalar(
        select(Rma.number)
        .where(Rma.order_id == order_id, Rma.status.in_(OPEN_FOR_RECEIVING))
        .order_by(Rma.id.desc())
    )
    if found is None:
        number = text.removeprefix(ORDER_PREFIX)
        raise NotFound(
            f"Order {number} has no open return. Receive the parcel as unexpected: "
            "name the items that came back and an RMA is made on the spot."
        )
    return found


@unit_of_work(Permission.RECEIVE_RETURNS)
def receive_unexpected(
    uow: UnitOfWork,
    order_ref: str,
    lines: Sequence[ReturnLineRequest],
    resolution: Resolution = Resolution.REFUND,
    note: str = "",
) -> CreatedRma:
    """A parcel came back without an RMA: create one against the order, audited as unexpected."""
    from wms_desk.domain.returns import rma_barcode

    order = load_order(uow, order_ref)
    rma = open_rma(uow, order, lines, resolution, note or "unexpected parcel", unexpected=True)
    return CreatedRma(
        rma.number, rma_barcode(rma.number), order.number, sum(ln.qty for ln in rma.lines)
    )


def _product_for_code(uow: UnitOfWork, code: str) -> tuple[Product, int]:
    """The product a scanned barcode or typed SKU stands for, and how many units it means."""
    session = uow.session
    row = session.execute(
        select(Product, ProductBarcode.quantity)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .where(ProductBarcode.code == code)
    ).first()
    if row is not None:
        return row[0], int(row[1])
    product = session.scalar(select(Product).where(Product.sku == code))
    if product is None:
        raise NotFound(f"{code!r} is no product this warehouse knows. Put the item aside.")
    return product, 1


def _shipped_serials(uow: UnitOfWork, line: RmaLine) -> frozenset[str]:
    return frozenset(
        uow.session.scalars(
            select(PackCapture.value).where(
                PackCapture.order_line_id == line.order_line_id, PackCapture.kind == "serial"
            )
        )
    )


def _check_serial(
    uow: UnitOfWork, rma: Rma, line: RmaLine, sku: str, serial: str | None, demand: bool
) -> None:
    """A returned serial must be one packed on this order line (when packing captured any),
    and not one already received back. `demand`: a unit of a line packed with serials must
    name its serial (the returns station, one unit per scan)."""
    session = uow.session
    shipped = _shipped_serials(uow, line)
    order_number = session.scalar(select(Order.number).where(Order.id == rma.order_id)) or ""
    if not serial:
        if demand and shipped:
            raise ReturnRefused(
                f"{sku} shipped on order {order_number} with serial numbers: type this unit's "
                "serial, then scan the item again."
            )
        return
    seen = frozenset(
        s
        for s in session.scalars(
            select(RmaUnit.serial)
            .join(RmaLine, RmaLine.id == RmaUnit.rma_line_id)
            .where(RmaLine.order_line_id == line.order_line_id, RmaUnit.serial.is_not(None))
        )
        if s
    )
    # A line packed without serial capture has nothing to compare with: the serial is kept.
    check_serial(sku, serial.strip(), shipped, seen, order_number)


def receive_units(
    uow: UnitOfWork,
    rma: Rma,
    product: Product,
    qty: int,
    event_id: str,
    serial: str | None = None,
    demand_serial: bool = False,
) -> tuple[RmaUnit, ...]:
    """Take `qty` units in against the RMA line for `product`, into the receiving bin."""
    session = uow.session
    if rma.status not in (*OPEN_FOR_RECEIVING, RmaStatus.RECEIVED.value):
        raise ReturnRefused(f"Return {rma.number} is {rma.status}; nothing more can be received.")
    line_row = session.execute(
        select(RmaLine, OrderLine)
        .join(OrderLine, OrderLine.id == RmaLine.order_line_id)
        .where(RmaLine.rma_id == rma.id, OrderLine.product_id == product.id)
    ).first()
    expected = line_row[0].qty if line_row else 0
    received = line_row[0].received_qty if line_row else 0
    check_receivable(rma.number, product.sku, expected, received, qty)
    assert line_row is not None
    line: RmaLine = line_row[0]
    _check_serial(uow, rma, line, product.sku, serial, demand_serial and qty == 1)
    receiving = returns_bin(session, RECEIVING_BIN)
    units = []
    for n in range(qty):
        unit = RmaUnit(
            rma_line_id=line.id,
            event_id=event_id if n == 0 else f"{event_id}#{n}",
            serial=serial.strip() if serial else None,
            received_at=uow.now,
            received_by_id=uow.actor.user_id,
        )
        session.add(unit)
        units.append(unit)
    line.received_qty += qty
    apply_move(uow, product.id, qty, "return_received", None, receiving.id, rma.number)
    session.flush()
    refresh_rma_status(rma)
    rma.updated_at = uow.now
    uow.audit(
        "rma.received",
        "rma",
        rma.number,
        after={"sku": product.sku, "qty": qty, "serial": serial, "received": line.received_qty},
        event_id=event_id,
    )
    order = session.get(Order, rma.order_id)
    assert order is not None
    update_order_status(uow, order)
    return tuple(units)


@unit_of_work(Permission.RECEIVE_RETURNS)
def receive_scan(
    uow: UnitOfWork,
    rma_ref: str,
    code: str,
    event_id: str | None = None,
    serial: str | None = None,
) -> Received:
    """One item scanned at the returns station; a replayed scan (same event id) adds nothing."""
    session = uow.session
    rma = find_rma(session, rma_ref, lock=True)
    event_id = event_id or str(uuid.uuid4())
    product, qty = _product_for_code(uow, code.strip())
    replay = session.scalars(select(RmaUnit).where(RmaUnit.event_id == event_id)).all()
    # One unit per scan at the station: a serialised unit names its serial there.
    units = tuple(replay) or receive_units(
        uow, rma, product, qty, event_id, serial, demand_serial=True
    )
    line = session.get(RmaLine, units[0].rma_line_id)
    assert line is not None
    return Received(
        rma.number,
        product.sku,
        tuple(u.id for u in units),
        line.received_qty,
        line.qty,
        rma.status == RmaStatus.RECEIVED.value,
    )


@dataclass(frozen=True)
class ReceiveItem:
    sku: str
    qty: int
    condition: Condition
    disposition: Disposition
    bin_code: str | None = None


def parse_item(spec: str) -> ReceiveItem:
    """`SKU:QTY:CONDITION:DISPOSITION[:BIN]` as typed on the command line."""
    parts = spec.split(":")
    if len(parts) not in (4, 5) or not parts[1].strip().isdigit() or int(parts[1]) <= 0:
        raise ReturnRefused(
            f"{spec!r} is not SKU:QTY:CONDITION:DISPOSITION[:BIN] "
            "(e.g. MUG-1:1:opened:restock:A-01-02)."
        )
    condition = Condition(parse_choice(Condition, parts[2], "condition"))
    disposition = Disposition(parse_choice(Disposition, parts[3], "disposition"))
    bin_code = parts[4].strip() if len(parts) == 5 and parts[4].strip() else None
    if disposition is Disposition.RESTOCK and bin_code is None:
        raise ReturnRefused(f"{spec!r}: restock needs the bin (SKU:QTY:CONDITION:restock:BIN).")
    return ReceiveItem(parts[0].strip(), int(parts[1]), condition, disposition, bin_code)


@unit_of_work(Permission.RECEIVE_RETURNS)
def receive_items(uow: UnitOfWork, rma_ref: str, items: Sequence[ReceiveItem]) -> int:
    """Back-office receiving: each item received and inspected at once; all or nothing."""
    if not items:
        raise ReturnRefused("Name the items received (SKU:QTY:CONDITION:DISPOSITION[:BIN]).")
    session = uow.session
    rma = find_rma(session, rma_ref, lock=True)
    total = 0
    for item in items:
        product = session.scalar(select(Product).where(Product.sku == item.sku))
        if product is None:
            raise NotFound(f"There is no product with SKU {item.sku}.")
        units = receive_units(uow, rma, product, item.qty, str(uuid.uuid4()))
        for unit in units:
            dispose_unit(
                uow, unit, item.condition, item.disposition, item.bin_code, rma_number=rma.number
            )
        total += len(units)
    return total
