"""RMAs as frozen snapshots: one RMA's lines, units, refund and timeline; lists by status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    Order,
    OrderLine,
    Refund,
    Rma,
    RmaLine,
    RmaUnit,
    User,
)
from wms_desk.domain.codes import ORDER_PREFIX
from wms_desk.domain.returns import RMA_PREFIX, RmaStatus, rma_barcode
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.order_detail import _iso
from wms_desk.services.returns.common import find_rma
from wms_desk.services.uow import read_only


@dataclass(frozen=True)
class RmaLineView:
    sku: str
    name: str
    qty: int
    received: int
    reason: str
    reason_note: str
    unit_price: Decimal


@dataclass(frozen=True)
class UnitView:
    id: int
    sku: str
    serial: str
    condition: str
    disposition: str
    bin: str
    note: str
    photo: str
    received_at: datetime


@dataclass(frozen=True)
class RefundView:
    method: str
    reference: str
    currency: str
    goods: Decimal
    discount: Decimal
    tax: Decimal
    restocking_fee: Decimal
    shipping: Decimal
    total: Decimal
    at: datetime


@dataclass(frozen=True)
class RmaEvent:
    at: datetime
    action: str
    user: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class RmaDetail:
    number: str
    barcode: str
    order_number: str
    status: str
    resolution: str
    unexpected: bool
    return_tracking: str
    created_at: datetime
    lines: tuple[RmaLineView, ...]
    units: tuple[UnitView, ...]
    refund: RefundView | None
    replacement_order: str
    timeline: tuple[RmaEvent, ...]

    def as_json(self) -> dict[str, Any]:
        """`wms-desk rma show --json`: these keys are a contract; add, never rename."""
        refund = self.refund
        return {
            "number": self.number,
            "barcode": self.barcode,
            "order": self.order_number,
            "status": self.status,
            "resolution": self.resolution,
            "unexpected": self.unexpected,
            "return_tracking": self.return_tracking or None,
            "created_at": _iso(self.created_at),
            "lines": [
                {
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": ln.qty,
                    "received": ln.received,
                    "reason": ln.reason,
                    "reason_note": ln.reason_note,
                }
                for ln in self.lines
            ],
            "received": [
                {
                    "sku": u.sku,
                    "serial": u.serial or None,
                    "condition": u.condition or None,
                    "disposition": u.disposition or None,
                    "bin": u.bin or None,
                    "note": u.note,
                    "photo": u.photo or None,
                    "received_at": _iso(u.received_at),
                }
                for u in self.units
            ],
            "dispositions": _count_dispositions(self.units),
            "refund": None
            if refund is None
            else {
                "method": refund.method,
                "reference": refund.reference,
                "currency": refund.currency,
                "goods": str(refund.goods),
                "discount": str(refund.discount),
                "tax": str(refund.tax),
                "restocking_fee": str(refund.restocking_fee),
                "shipping": str(refund.shipping),
                "total": str(refund.total),
                "at": _iso(refund.at),
            },
            "replacement_order": self.replacement_order or None,
            "events": [
                {"at": _iso(e.at), "action": e.action, "who": e.user, "detail": e.detail}
                for e in self.timeline
            ],
        }


def _count_dispositions(units: tuple[UnitView, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for unit in units:
        key = unit.disposition or "uninspected"
        counts[key] = counts.get(key, 0) + 1
    return counts


def load_rma(session: Session, rma: Rma) -> RmaDetail:
    order_number = session.scalar(select(Order.number).where(Order.id == rma.order_id)) or ""
    replacement = (
        session.scalar(select(Order.number).where(Order.id == rma.replacement_order_id))
        if rma.replacement_order_id
        else None
    )
    lines = session.execute(
        select(RmaLine, OrderLine)
        .join(OrderLine, OrderLine.id == RmaLine.order_line_id)
        .where(RmaLine.rma_id == rma.id)
        .order_by(OrderLine.line_no)
    ).all()
    units = session.execute(
        select(RmaUnit, OrderLine.sku, Bin.code)
        .join(RmaLine, RmaLine.id == RmaUnit.rma_line_id)
        .join(OrderLine, OrderLine.id == RmaLine.order_line_id)
        .outerjoin(Bin, Bin.id == RmaUnit.bin_id)
        .where(RmaLine.rma_id == rma.id)
        .order_by(RmaUnit.id)
    ).all()
    refund = session.scalar(select(Refund).where(Refund.rma_id == rma.id))
    events = session.execute(
        select(AuditEvent.created_at, AuditEvent.action, User.display_name, AuditEvent.after)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.subject_type == "rma", AuditEvent.subject_id == rma.number)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return RmaDetail(
        number=rma.number,
        barcode=rma_barcode(rma.number),
        order_number=order_number,
        status=rma.status,
        resolution=rma.resolution,
        unexpected=rma.unexpected,
        return_tracking=rma.return_tracking or "",
        created_at=rma.created_at,
        lines=tuple(
            RmaLineView(
                ol.sku or "",
                ol.name,
                rl.qty,
                rl.received_qty,
                rl.reason,
                rl.reason_note,
                ol.unit_price,
            )
            for rl, ol in lines
        ),
        units=tuple(
            UnitView(
                u.id,
                sku or "",
                u.serial or "",
                u.condition or "",
                u.disposition or "",
                code or "",
                u.note,
                u.photo_path or "",
                u.received_at,
            )
            for u, sku, code in units
        ),
        refund=None
        if refund is None
        else RefundView(
            refund.method,
            refund.reference,
            refund.currency,
            refund.goods,
            refund.discount,
            refund.tax,
            refund.restocking_fee,
            refund.shipping,
            refund.total,
            refund.created_at,
        ),
        replacement_order=replacement or "",
        timeline=tuple(
            RmaEvent(at, action, who or "System", after or {}) for at, action, who, after in events
        ),
    )


@read_only
def _show(session: Session, ref: str) -> RmaDetail:
    return load_rma(session, find_rma(session, ref))


def rma_detail(ctx: ServiceContext, ref: str) -> RmaDetail:
    """One RMA with everything that happened to it (the desk, or the returns station)."""
    if not ctx.actor.can(Permission.RECEIVE_RETURNS):
        ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return _show(ctx, ref)


class RmaFilter(StrEnum):
    """The returns list's filters, in the words the desk and the floor use."""

    ALL = "all"
    OPEN = "open"  # not resolved or cancelled yet
    WAITING = "waiting"  # waiting for (the rest of) the parcel
    INSPECTED = "inspected"  # everything in and inspected: ready to resolve
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return _FILTER_LABELS[self]


_FILTER_LABELS = {
    RmaFilter.ALL: "All returns",
    RmaFilter.OPEN: "Open",
    RmaFilter.WAITING: "Waiting for receipt",
    RmaFilter.INSPECTED: "Inspected, to resolve",
    RmaFilter.RESOLVED: "Resolved",
}
_FILTER_STATUSES: dict[RmaFilter, tuple[str, ...]] = {
    RmaFilter.OPEN: (RmaStatus.OPEN, RmaStatus.RECEIVING, RmaStatus.RECEIVED),
    RmaFilter.WAITING: (RmaStatus.OPEN, RmaStatus.RECEIVING),
    RmaFilter.INSPECTED: (RmaStatus.RECEIVED,),
    RmaFilter.RESOLVED: (RmaStatus.RESOLVED,),
}


@dataclass(frozen=True)
class RmaSummary:
    number: str
    order_number: str
    status: str
    resolution: str
    units: int
    received: int
    created_at: datetime
    inspected: int = 0
    customer: str = ""
    return_tracking: str = ""


def _inspected(session: Session, rma_ids: list[int]) -> dict[int, int]:
    if not rma_ids:
        return {}
    rows = session.execute(
        select(RmaLine.rma_id, func.count(RmaUnit.id))
        .join(RmaUnit, RmaUnit.rma_line_id == RmaLine.id)
        .where(RmaLine.rma_id.in_(rma_ids), RmaUnit.disposition.is_not(None))
        .group_by(RmaLine.rma_id)
    ).all()
    return {rma_id: int(n) for rma_id, n in rows}


@read_only
def _list(
    session: Session,
    status: RmaStatus | None,
    limit: int,
    which: RmaFilter = RmaFilter.ALL,
    text: str = "",
    order_id: int | None = None,
) -> list[RmaSummary]:
    query = (
        select(Rma, Order.number, Order.customer_name)
        .join(Order, Order.id == Rma.order_id)
        .order_by(Rma.created_at.desc(), Rma.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Rma.status == status.value)
    if which in _FILTER_STATUSES:
        query = query.where(Rma.status.in_([str(s) for s in _FILTER_STATUSES[which]]))
    if order_id is not None:
        query = query.where(Rma.order_id == order_id)
    raw = text.strip()
    if raw:
        number = raw.removeprefix(RMA_PREFIX).removeprefix(ORDER_PREFIX).strip()
        like = f"%{number.lower()}%"
        query = query.where(
            or_(
                func.lower(Rma.number).like(like),
                func.lower(Order.number).like(like),
                Rma.return_tracking == raw,
                func.lower(Order.customer_name).like(like),
            )
        )
    found = session.execute(query).all()
    inspected = _inspected(session, [rma.id for rma, _, _ in found])
    out = []
    for rma, number, customer in found:
        summary = RmaSummary(
            rma.number,
            number,
            rma.status,
            rma.resolution,
            sum(ln.qty for ln in rma.lines),
            sum(ln.received_qty for ln in rma.lines),
            rma.created_at,
            inspected.get(rma.id, 0),
            customer,
            rma.return_tracking or "",
        )
        if which is RmaFilter.INSPECTED and summary.inspected < summary.received:
            continue  # in, but someone still has to decide where some units go
        out.append(summary)
    return out


def _may_list(ctx: ServiceContext) -> None:
    if not ctx.actor.can(Permission.RECEIVE_RETURNS):
        ctx.actor.require(Permission.LOOK_UP_ORDERS)


def list_rmas(
    ctx: ServiceContext,
    status: RmaStatus | None = None,
    limit: int = 500,
    which: RmaFilter = RmaFilter.ALL,
    text: str = "",
) -> list[RmaSummary]:
    """Returns, newest first: by status (the CLI), or the list's filter and search text."""
    _may_list(ctx)
    return _list(ctx, status, limit, which, text)


def rmas_of_order(ctx: ServiceContext, order_id: int) -> list[RmaSummary]:
    """Every return of one order (the service desk's order view)."""
    ctx.actor.require(Permission.LOOK_UP_ORDERS)
    return _list(ctx, None, 100, RmaFilter.ALL, "", order_id)
