"""Creating RMAs: lines within what shipped and is not yet returned, a reason each, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from wms_desk.db.models import Order, OrderLine, Rma, RmaLine
from wms_desk.domain.returns import (
    Reason,
    Resolution,
    ReturnPolicy,
    ReturnRefused,
    RmaStatus,
    check_returnable,
    rma_barcode,
    rma_number,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.returns.common import load_policy, on_returns, shipped_qty
from wms_desk.services.sscc import increment
from wms_desk.services.uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class ReturnLineRequest:
    sku: str
    qty: int
    reason: Reason
    note: str = ""


@dataclass(frozen=True)
class CreatedRma:
    number: str
    barcode: str
    order_number: str
    units: int
    resolution: str = ""


def parse_line(spec: str) -> ReturnLineRequest:
    """`SKU:QTY:REASON[:NOTE]` as typed on the command line."""
    from wms_desk.domain.returns import parse_choice

    parts = spec.split(":", 3)
    if len(parts) < 3 or not parts[0].strip() or not parts[1].strip().isdigit():
        raise ReturnRefused(
            f"{spec!r} is not SKU:QTY:REASON (e.g. MUG-1:2:damaged, or other:NOTE at the end)."
        )
    reason = parse_choice(Reason, parts[2], "return reason")
    note = parts[3].strip() if len(parts) == 4 else ""
    return ReturnLineRequest(parts[0].strip(), int(parts[1]), Reason(reason), note)


def open_rma(
    uow: UnitOfWork,
    order: Order,
    lines: Sequence[ReturnLineRequest],
    resolution: Resolution,
    note: str = "",
    unexpected: bool = False,
) -> Rma:
    """The RMA in the caller's unit of work; refuses what did not ship or is already returned."""
    if not lines:
        raise ReturnRefused(f"Say which items of order {order.number} come back (SKU:QTY:REASON).")
    session = uow.session
    policy = load_policy(session)
    if not unexpected:
        # A parcel already at the door is received whatever the window says; a supervisor decides.
        policy.check_window(order.shipped_at, uow.now, order.number)
    by_sku: dict[str, OrderLine] = {}
    for order_line in order.lines:
        if order_line.sku and order_line.pickable:
            by_sku.setdefault(order_line.sku, order_line)
    already = on_returns(session, [ol.id for ol in order.lines])
    wanted: dict[int, RmaLine] = {}
    for request in lines:
        line = by_sku.get(request.sku)
        if line is None:
            raise ReturnRefused(
                f"Order {order.number} has no item {request.sku}. Check the SKU on the slip."
            )
        if request.reason is Reason.OTHER and not request.note:
            raise ReturnRefused(f"Reason 'other' for {request.sku} needs a note saying what.")
        earlier = wanted[line.id].qty if line.id in wanted else 0
        check_returnable(
            order.number,
            request.sku,
            earlier + request.qty,
            shipped_qty(order, line),
            already.get(line.id, 0),
        )
        if line.id in wanted:
            wanted[line.id].qty += request.qty
        else:
            wanted[line.id] = RmaLine(
                order_line_id=line.id,
                qty=request.qty,
                reason=request.reason.value,
                reason_note=request.note,
            )
    rma = Rma(
        number=rma_number(increment(session, "rma")),
        order_id=order.id,
        status=RmaStatus.OPEN.value,
        resolution=resolution.value,
        unexpected=unexpected,
        note=note,
        created_by_id=uow.actor.user_id,
        created_at=uow.now,
        updated_at=uow.now,
        lines=list(wanted.values()),
    )
    session.add(rma)
    session.flush()
    detail = {
        "rma": rma.number,
        "resolution": resolution.value,
        "unexpected": unexpected,
        "lines": {
            next(s for s, ln in by_sku.items() if ln.id == r.order_line_id): [r.qty, r.reason]
            for r in rma.lines
        },
    }
    action = "rma.created_unexpected" if unexpected else "rma.created"
    uow.audit(action, "rma", rma.number, after=detail)
    uow.audit(action, "order", order.id, after=detail)
    return rma


def load_order(uow: UnitOfWork, order_ref: str, channel: str | None = None) -> Order:
    order = uow.session.get(Order, resolve_order(uow.session, order_ref, channel))
    if order is None:  # pragma: no cover - resolve_order found it in this transaction
        raise NotFound(f"Order {order_ref} no longer exists.")
    return order


@unit_of_work(Permission.CREATE_RMAS)
def create_rma(
    uow: UnitOfWork,
    order_ref: str,
    lines: Sequence[ReturnLineRequest],
    resolution: Resolution = Resolution.REFUND,
    note: str = "",
    channel: str | None = None,
) -> CreatedRma:
    """A supervisor or the service desk authorises a return of shipped items."""
    order = load_order(uow, order_ref, channel)
    rma = open_rma(uow, order, lines, resolution, note)
    units = sum(ln.qty for ln in rma.lines)
    return CreatedRma(rma.number, rma_barcode(rma.number), order.number, units, rma.resolution)


@unit_of_work(Permission.CREATE_RMAS)
def set_return_tracking(uow: UnitOfWork, rma_ref: str, tracking: str) -> None:
    """The return label's tracking number, once the carrier interface has issued one."""
    from wms_desk.services.returns.common import find_rma

    rma = find_rma(uow.session, rma_ref)
    before = rma.return_tracking
    rma.return_tracking = tracking.strip() or None
    uow.audit(
        "rma.return_label",
        "rma",
        rma.number,
        before={"tracking": before},
        after={"tracking": rma.return_tracking},
    )


def rmas_of_order(uow: UnitOfWork, order_id: int) -> list[Rma]:
    return list(uow.session.scalars(select(Rma).where(Rma.order_id == order_id).order_by(Rma.id)))


@unit_of_work(Permission.CHANGE_SETTINGS)
def set_return_policy(uow: UnitOfWork, policy: ReturnPolicy) -> None:
    """A supervisor's return policy for every station: window, fees per reason, shipping."""
    from wms_desk.services.returns.common import store_policy

    if policy.window_days < 0:
        raise ReturnRefused("The return window cannot be negative.")
    if any(not 0 <= pct <= 100 for pct in policy.restocking_fee_pct.values()):
        raise ReturnRefused("A restocking fee is a percentage between 0 and 100.")
    before = load_policy(uow.session)
    store_policy(uow.session, policy)
    uow.audit(
        "returns.policy_changed",
        "settings",
        "returns_policy",
        before={"window_days": before.window_days},
        after={
            "window_days": policy.window_days,
            "restocking_fee_pct": {k.value: str(v) for k, v in policy.restocking_fee_pct.items()},
            "refund_shipping_reasons": sorted(r.value for r in policy.refund_shipping_reasons),
        },
    )
