"""The order detail panel's data: lines with stock state, ship-to address, audit timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from wms_desk.db.queries import order_detail as q
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound
from wms_desk.services.uow import read_only


@dataclass(frozen=True)
class DetailLine:
    line_no: int
    sku: str
    name: str
    qty: int
    picked: int
    packed: int
    pickable: bool
    reserved: int
    on_hand: int
    free: int
    bins: tuple[str, ...]

    @property
    def stock_state(self) -> str:
        """What a supervisor needs to know about this line's stock, in words."""
        if not self.pickable:
            return "not picked (no SKU or digital)"
        if self.reserved >= self.qty:
            return "reserved in " + ", ".join(self.bins) if self.bins else "reserved"
        missing = self.qty - self.reserved
        if self.free >= missing:
            return f"{missing} to allocate ({self.free} free)"
        return f"short {missing - max(self.free, 0)} ({self.free} free)"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    user: str
    station: str
    summary: str


@dataclass(frozen=True)
class OrderDetail:
    id: int
    number: str
    channel: str
    external_id: str
    status: str
    version: int
    customer: str
    email: str
    phone: str
    address: tuple[str, ...]
    ship_by: datetime | None
    ordered_at: datetime | None
    priority: int
    service: str
    hold_reason: str
    attention: str
    station: str
    packer: str
    batch: str
    tote: str
    tags: tuple[str, ...]
    total: str
    notes: str
    gift_message: str
    lines: tuple[DetailLine, ...]
    timeline: tuple[TimelineEntry, ...]


def _summary(before: dict[str, object], after: dict[str, object]) -> str:
    parts = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old != new:
            parts.append(f"{key}: {old} → {new}")
        elif key in after:
            parts.append(f"{key}: {new}")
    return "; ".join(parts)


@read_only
def _load(session: Session, order_id: int) -> OrderDetail:
    header = q.order_header(session, order_id)
    if header is None:
        raise NotFound(f"Order id {order_id} no longer exists; refresh the queue.")
    address = tuple(
        part
        for part in (
            header["ship_name"],
            header["ship_company"],
            header["ship_street1"],
            header["ship_street2"],
            header["ship_street3"],
            " ".join(p for p in (header["ship_postal_code"], header["ship_city"]) if p),
            header["ship_region"],
            header["ship_country"],
        )
        if part
    )
    return OrderDetail(
        id=header["id"],
        number=header["number"],
        channel=header["channel"],
        external_id=header["external_id"],
        status=header["status"],
        version=header["version"],
        customer=header["customer_name"],
        email=header["ship_email"],
        phone=header["ship_phone"],
        address=address,
        ship_by=header["ship_by"],
        ordered_at=header["ordered_at"],
        priority=header["priority"],
        service=header["requested_service"],
        hold_reason=header["hold_reason"] or "",
        attention=header["attention"] or "",
        station=header["station"],
        packer=header["packer"],
        batch=header["batch"] or "",
        tote=header["tote"] or "",
        tags=header["tags"],
        total=f"{header['total']:.2f} {header['currency']}",
        notes=header["notes"],
        gift_message=header["gift_message"],
        lines=tuple(DetailLine(**line) for line in q.order_lines(session, order_id)),
        timeline=tuple(
            TimelineEntry(
                e["at"], e["action"], e["user"], e["station"], _summary(e["before"], e["after"])
            )
            for e in q.order_timeline(session, order_id)
        ),
    )


def order_detail(ctx: ServiceContext, order_id: int) -> OrderDetail:
    """Everything the detail panel shows about one order, read in one transaction."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    return _load(ctx, order_id)
