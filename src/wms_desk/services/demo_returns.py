"""Demo returns: the demo's returned orders get the RMAs that explain them, plus open ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wms_desk.db.models import Order, OrderLine
from wms_desk.domain.returns import Condition, Disposition, Reason, Resolution
from wms_desk.services.context import ServiceContext
from wms_desk.services.returns.receiving import ReceiveItem, receive_items
from wms_desk.services.returns.resolution import resolve_rma
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma

# Restocking would allocate backordered demo orders and change the queue the demo shows;
# demo units therefore go to quarantine, scrap or back to the vendor.
_FATES = (
    (Reason.DAMAGED, Condition.DAMAGED, Disposition.SCRAP),
    (Reason.NOT_AS_DESCRIBED, Condition.OPENED, Disposition.QUARANTINE),
    (Reason.WRONG_ITEM, Condition.NEW, Disposition.RETURN_TO_VENDOR),
    (Reason.NO_LONGER_NEEDED, Condition.NEW, Disposition.QUARANTINE),
)
_RESOLUTIONS = (Resolution.REFUND, Resolution.CREDIT, Resolution.REFUND, Resolution.EXCHANGE)


@dataclass(frozen=True)
class _DemoOrder:
    number: str
    status: str
    lines: tuple[tuple[str, int], ...]


def _orders(ctx: ServiceContext) -> list[_DemoOrder]:
    with ctx.database.read_session() as session:
        rows = session.execute(
            select(Order.number, Order.status, OrderLine.sku, OrderLine.packed_qty)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status.in_(("shipped", "partly_returned", "returned")))
            .order_by(Order.id, OrderLine.line_no)
        ).all()
    found: dict[str, _DemoOrder] = {}
    for number, status, sku, packed in rows:
        if sku is None or packed <= 0:
            continue
        old = found.get(number, _DemoOrder(number, status, ()))
        found[number] = _DemoOrder(number, status, (*old.lines, (sku, packed)))
    return list(found.values())


def seed_demo_returns(ctx: ServiceContext, open_rmas: int = 3) -> int:
    """RMAs for the demo: resolved for returned orders, open for a few shipped ones."""
    made = 0
    shipped_left = open_rmas
    for n, order in enumerate(_orders(ctx)):
        reason, condition, disposition = _FATES[n % len(_FATES)]
        if order.status == "returned":
            wanted = list(order.lines)
        elif order.status == "partly_returned":
            # One unit back, so the order stays partly returned.
            if sum(qty for _, qty in order.lines) < 2:
                continue
            wanted = [(order.lines[0][0], 1)]
        else:
            if shipped_left <= 0:
                continue
            shipped_left -= 1
            create_rma(ctx, order.number, [ReturnLineRequest(order.lines[0][0], 1, reason)])
            made += 1
            continue
        resolution = _RESOLUTIONS[n % len(_RESOLUTIONS)]
        created = create_rma(
            ctx,
            order.number,
            [ReturnLineRequest(sku, qty, reason) for sku, qty in wanted],
            resolution,
        )
        receive_items(
            ctx,
            created.number,
            [ReceiveItem(sku, qty, condition, disposition) for sku, qty in wanted],
        )
        resolve_rma(ctx, created.number, "original_payment", f"DEMO-{created.number}")
        made += 1
    return made
