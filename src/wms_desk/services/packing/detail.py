"""Packing facts for the order detail (`orders show --json`): per line verified counts and
barcodes, per package expected weight, and every pick/pack scan with what it was judged."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import AuditEvent, OrderLine, Package, ProductBarcode, User
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import read_only


@dataclass(frozen=True)
class LineBarcode:
    code: str
    qty: int


@dataclass(frozen=True)
class LinePacking:
    line_id: int
    line_no: int
    verified: int
    barcodes: tuple[LineBarcode, ...]


@dataclass(frozen=True)
class PackageWeights:
    seq: int
    carton: str
    weight_g: Decimal | None
    expected_weight_g: Decimal | None
    weight_check: str


@dataclass(frozen=True)
class ScanEvent:
    at: datetime
    action: str  # pack.scan, pick.scan, pack.weighed, pack.complete ...
    outcome: str  # verified, wrong_item, over_scan, ...
    code: str
    message: str
    user: str


@dataclass(frozen=True)
class PackingDetail:
    order_id: int
    lines: tuple[LinePacking, ...]
    packages: tuple[PackageWeights, ...]
    scans: tuple[ScanEvent, ...]


def packing_detail_in(session: Session, order_id: int) -> PackingDetail:
    """In the caller's (read) session, for order_detail to merge into its own snapshot."""
    lines = session.execute(
        select(OrderLine.id, OrderLine.line_no, OrderLine.packed_qty, OrderLine.product_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    ).all()
    codes: dict[int, list[LineBarcode]] = defaultdict(list)
    for row in session.execute(
        select(ProductBarcode.product_id, ProductBarcode.code, ProductBarcode.quantity)
        .where(ProductBarcode.product_id.in_([ln.product_id for ln in lines]))
        .order_by(ProductBarcode.quantity, ProductBarcode.code)
    ):
        codes[row.product_id].append(LineBarcode(row.code, row.quantity))
    packages = session.execute(
        select(
            Package.seq,
            Package.carton,
            Package.weight_g,
            Package.expected_weight_g,
            Package.weight_check,
        )
        .where(Package.order_id == order_id)
        .order_by(Package.seq)
    ).all()
    events = session.execute(
        select(AuditEvent.created_at, AuditEvent.action, AuditEvent.after, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.subject_type == "order",
            AuditEvent.subject_id == str(order_id),
            AuditEvent.action.like("p%.%"),
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    scans = tuple(
        ScanEvent(
            e.created_at,
            e.action,
            str((e.after or {}).get("outcome", "")),
            str((e.after or {}).get("code", "")),
            str((e.after or {}).get("message", "")),
            e.display_name or "system",
        )
        for e in events
        if e.action.startswith(("pack.", "pick."))
    )
    return PackingDetail(
        order_id,
        tuple(
            LinePacking(ln.id, ln.line_no, ln.packed_qty, tuple(codes.get(ln.product_id, ())))
            for ln in lines
        ),
        tuple(PackageWeights(*row) for row in packages),
        scans,
    )


@read_only
def _detail(session: Session, order_id: int) -> PackingDetail:
    return packing_detail_in(session, order_id)


def packing_detail(ctx: ServiceContext, order_id: int) -> PackingDetail:
    return _detail(ctx, order_id)
