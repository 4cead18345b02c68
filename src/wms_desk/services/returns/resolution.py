"""Resolution: refund or store credit computed in Decimal, or an exchange as a new order."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, Order, OrderLine, Refund, Rma, RmaLine, RmaUnit
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.refunds import (
    PaidLine,
    PaidOrder,
    RefundBreakdown,
    ReturnedQty,
    compute_refund,
)
from wms_desk.domain.returns import Reason, Resolution, ReturnRefused, RmaStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.allocation import allocate_orders
from wms_desk.services.context import ServiceContext
from wms_desk.services.returns.common import find_rma, load_policy
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

# Replacement orders jump the queue by this much over the original's priority.
EXCHANGE_PRIORITY_BOOST = 10


@dataclass(frozen=True)
class Resolved:
    rma: str
    resolution: str
    refund_total: Decimal | None
    replacement_order: str | None

    @property
    def message(self) -> str:
        if self.replacement_order:
            return f"Return {self.rma} resolved: replacement order {self.replacement_order}."
        if self.refund_total is None:
            return f"Return {self.rma} resolved."
        return f"Return {self.rma} resolved: {self.resolution} of {self.refund_total}."


def refund_for(uow: UnitOfWork, rma: Rma, order: Order) -> RefundBreakdown:
    """What the received units of this RMA are worth to the customer under the policy."""
    session = uow.session
    policy = load_policy(session)
    lines = list(order.lines)
    line_tax = sum((ln.tax for ln in lines), Decimal(0))
    paid = PaidOrder(
        tuple(PaidLine(ln.id, ln.qty, ln.unit_price, ln.discount, ln.tax) for ln in lines),
        order_discount=order.discount_total,
        # Tax the channel gave for the whole order only: shared out over the lines.
        order_tax=max(Decimal(0), order.tax_total - line_tax),
        shipping=order.shipping_total,
    )
    earlier = session.execute(
        select(RmaLine.order_line_id, RmaLine.received_qty)
        .join(Rma, Rma.id == RmaLine.rma_id)
        .join(Refund, Refund.rma_id == Rma.id)
        .where(Rma.order_id == order.id, Rma.id != rma.id)
    ).all()
    before: dict[int, int] = {}
    for line_id, qty in earlier:
        before[line_id] = before.get(line_id, 0) + int(qty)
    shipping_refunded = session.scalar(
        select(Refund.id)
        .join(Rma, Rma.id == Refund.rma_id)
        .where(Rma.order_id == order.id, Refund.shipping > 0)
    )
    returned = [
        ReturnedQty(
            rl.order_line_id,
            rl.received_qty,
            before.get(rl.order_line_id, 0),
            policy.fee_pct(Reason(rl.reason)),
        )
        for rl in rma.lines
        if rl.received_qty > 0
    ]
    refund_shipping = shipping_refunded is None and any(
        Reason(rl.reason) in policy.refund_shipping_reasons for rl in rma.lines if rl.received_qty
    )
    return compute_refund(paid, returned, refund_shipping)


def _replacement(uow: UnitOfWork, rma: Rma, order: Order) -> Order:
    """The same items again, as a new order in the queue, ahead of ordinary work."""
    session = uow.session
    received = {rl.order_line_id: rl.received_qty for rl in rma.lines if rl.received_qty}
    originals = {ln.id: ln for ln in order.lines}
    replacement = Order(
        channel_id=order.channel_id,
        external_id=f"rma-{rma.number}",
        number=f"{order.number}-{rma.number}",
        status=OrderStatus.NEW.value,
        priority=order.priority + EXCHANGE_PRIORITY_BOOST,
        requested_service=order.requested_service,
        currency=order.currency,
        customer_name=order.customer_name,
        bill_to=dict(order.bill_to or {}),
        notes=f"Exchange for order {order.number}, return {rma.number}.",
        ordered_at=uow.now,
        created_at=uow.now,
        updated_at=uow.now,
        **{c: getattr(order, c) for c in _SHIP_COLUMNS},
        lines=[
            OrderLine(
                line_no=n,
                sku=originals[line_id].sku,
                product_id=originals[line_id].product_id,
                name=originals[line_id].name,
                qty=qty,
                unit_price=Decimal(0),
                pickable=True,
            )
            for n, (line_id, qty) in enumerate(sorted(received.items()), start=1)
        ],
    )
    session.add(replacement)
    session.flush()
    uow.audit(
        "order.created_as_exchange",
        "order",
        replacement.id,
        after={"rma": rma.number, "original": order.number, "priority": replacement.priority},
    )
    allocate_orders(uow, [replacement.id])
    return replacement


_SHIP_COLUMNS = (
    "ship_name",
    "ship_company",
    "ship_street1",
    "ship_street2",
    "ship_street3",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "ship_phone",
    "ship_email",
)


@unit_of_work(Permission.RESOLVE_RETURNS)
def resolve_rma(
    uow: UnitOfWork, rma_ref: str, method: str = "original_payment", reference: str = ""
) -> Resolved:
    """Close the RMA as its resolution says: refund/credit recorded, or replacement ordered."""
    session = uow.session
    rma = find_rma(session, rma_ref, lock=True)
    if rma.status in (RmaStatus.RESOLVED.value, RmaStatus.CANCELLED.value):
        raise ReturnRefused(f"Return {rma.number} is already {rma.status}.")
    units = session.scalars(
        select(RmaUnit)
        .join(RmaLine, RmaLine.id == RmaUnit.rma_line_id)
        .where(RmaLine.rma_id == rma.id)
    ).all()
    if not units:
        raise ReturnRefused(f"Nothing of return {rma.number} has arrived yet; receive it first.")
    waiting = sum(1 for u in units if u.disposition is None)
    if waiting:
        raise ReturnRefused(
            f"{waiting} unit(s) of return {rma.number} are not inspected yet; inspect them first."
        )
    order = session.get(Order, rma.order_id)
    assert order is not None
    resolution = Resolution(rma.resolution)
    total: Decimal | None = None
    replacement_number: str | None = None
    detail: dict[str, object] = {"resolution": resolution.value}
    if resolution is Resolution.EXCHANGE:
        replacement = _replacement(uow, rma, order)
        rma.replacement_order_id = replacement.id
        replacement_number = replacement.number
        detail["replacement_order"] = replacement.number
    else:
        breakdown = refund_for(uow, rma, order)
        refund = Refund(
            rma_id=rma.id,
            method="store_credit" if resolution is Resolution.CREDIT else method.strip(),
            reference=reference.strip(),
            currency=order.currency,
            goods=breakdown.goods,
            discount=breakdown.discount,
            tax=breakdown.tax,
            restocking_fee=breakdown.restocking_fee,
            shipping=breakdown.shipping,
            total=breakdown.total,
            created_by_id=uow.actor.user_id,
            created_at=uow.now,
        )
        session.add(refund)
        total = breakdown.total
        detail.update(
            method=refund.method,
            reference=refund.reference,
            total=str(total),
            restocking_fee=str(breakdown.restocking_fee),
            shipping=str(breakdown.shipping),
        )
    rma.status = RmaStatus.RESOLVED.value
    rma.updated_at = uow.now
    uow.audit("rma.resolved", "rma", rma.number, after=detail)
    uow.audit("rma.resolved", "order", order.id, after={"rma": rma.number, **detail})
    return Resolved(rma.number, resolution.value, total, replacement_number)


@dataclass(frozen=True)
class RefundRow:
    rma: str
    order: str
    channel: str
    currency: str
    method: str
    reference: str
    goods: Decimal
    discount: Decimal
    tax: Decimal
    restocking_fee: Decimal
    shipping: Decimal
    total: Decimal
    created_at: datetime


EXPORT_COLUMNS = tuple(RefundRow.__dataclass_fields__)


@read_only
def _refunds_since(session: Session, since: datetime) -> list[RefundRow]:
    rows = session.execute(
        select(Refund, Rma.number, Order.number, Channel.name)
        .join(Rma, Rma.id == Refund.rma_id)
        .join(Order, Order.id == Rma.order_id)
        .join(Channel, Channel.id == Order.channel_id)
        .where(Refund.created_at >= since)
        .order_by(Refund.created_at, Refund.id)
    ).all()
    return [
        RefundRow(
            rma,
            order,
            channel,
            r.currency,
            r.method,
            r.reference,
            r.goods,
            r.discount,
            r.tax,
            r.restocking_fee,
            r.shipping,
            r.total,
            r.created_at,
        )
        for r, rma, order, channel in rows
    ]


def export_refunds(ctx: ServiceContext, since: date, out: Path) -> int:
    """Refunds recorded since `since` (UTC) for the payment gateway: JSON for *.json, else CSV."""
    ctx.actor.require(Permission.RESOLVE_RETURNS)
    rows = _refunds_since(ctx, datetime.combine(since, time(0), tzinfo=UTC))

    def cell(row: RefundRow, name: str) -> str:
        value = getattr(row, name)
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
        return str(value)

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".json":
        records = [{name: cell(row, name) for name in EXPORT_COLUMNS} for row in rows]
        out.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                writer.writerow([cell(row, name) for name in EXPORT_COLUMNS])
    return len(rows)
