"""The RMA slip as PDF bytes, for printing or attaching to the customer's e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Order, OrderLine, RmaLine
from wms_desk.domain.returns import rma_barcode
from wms_desk.domain.roles import Permission
from wms_desk.printing.rma_slip import RmaSlip, RmaSlipLine, rma_slip_pdf
from wms_desk.services.context import ServiceContext
from wms_desk.services.returns.common import find_rma
from wms_desk.services.uow import read_only


def slip_data(session: Session, ref: str, company: str) -> RmaSlip:
    """What the slip says, in the caller's session (printing queues it in a unit of work)."""
    rma = find_rma(session, ref)
    order = session.get(Order, rma.order_id)
    assert order is not None
    rows = session.execute(
        select(OrderLine.sku, OrderLine.name, RmaLine.qty, RmaLine.reason)
        .join(RmaLine, RmaLine.order_line_id == OrderLine.id)
        .where(RmaLine.rma_id == rma.id)
        .order_by(OrderLine.line_no)
    ).all()
    return RmaSlip(
        rma.number,
        rma_barcode(rma.number),
        order.number,
        order.ship_name or order.customer_name,
        rma.resolution,
        company or "us",
        tuple(RmaSlipLine(sku or "", name, qty, reason) for sku, name, qty, reason in rows),
    )


_slip = read_only(slip_data)


def rma_slip(ctx: ServiceContext, ref: str, company: str = "") -> bytes:
    """The slip's PDF; the barcode reads `RMA:<number>`."""
    ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return rma_slip_pdf(_slip(ctx, ref, company))
