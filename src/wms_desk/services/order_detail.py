"""One order's whole story as a frozen snapshot: lines, packages, shipments, holds, events."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from wms_desk.db.queries import order_detail as q
from wms_desk.domain import order_status
from wms_desk.domain.codes import ORDER_ID_PREFIX, ORDER_PREFIX, order_id_of
from wms_desk.domain.money import Money
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking import TrackingEvent, current_state, delivered_words
from wms_desk.domain.weight import Weight
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import read_only

if TYPE_CHECKING:
    from wms_desk.services.packing.detail import LineBarcode

# Statuses in which the packed goods have left the building.
SHIPPED_STATUSES = order_status.SHIPPED_OR_LATER


class AmbiguousOrder(ValidationFailed):
    """Two or more channels use the same order number; the caller must name the channel."""

    def __init__(self, number: str, channels: tuple[str, ...]) -> None:
        self.number = number
        self.channels = channels
        super().__init__(
            f"Order number {number!r} is used by {len(channels)} channels: "
            f"{', '.join(channels)}. Say which channel you mean (--channel NAME on the "
            "command line), or open the order from the queue."
        )


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
    # Nothing records shipping per line yet: a shipped order shipped what it packed.
    shipped: int = 0
    # Units received back on returns (RMAs not cancelled).
    returned: int = 0
    unit_weight_g: Decimal = Decimal(0)
    # Units verified by scan at packing, and the codes that stand for this line's product.
    verified: int = 0
    barcodes: tuple[LineBarcode, ...] = ()
    # What the customer paid: unit price, and the line's own discount and tax (line totals).
    unit_price: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)

    @property
    def weight(self) -> Weight:
        """The line's goods as the catalogue weighs them (0 for an unknown product)."""
        return Weight(self.unit_weight_g) * self.qty

    @property
    def allocated(self) -> int:
        """Allocated is what reservations hold for the line."""
        return self.reserved

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
    # For pick and pack scans: what the scan was judged (verified, wrong_item, over_scan...).
    judged: str = ""

    @property
    def what(self) -> str:
        return f"{self.action}: {self.summary}" if self.summary else self.action


@dataclass(frozen=True)
class ShipTo:
    name: str
    company: str
    street1: str
    street2: str
    street3: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    email: str


SHIP_TO_FIELDS = tuple(f.name for f in fields(ShipTo))


@dataclass(frozen=True)
class PackageItem:
    sku: str
    qty: int


@dataclass(frozen=True)
class PackageDetail:
    number: int
    carton: str
    weight_g: Decimal | None
    items: tuple[PackageItem, ...]
    sscc: str
    tracking: str
    # Item weights plus the carton's tare, as packing computed them.
    expected_weight_g: Decimal | None = None


@dataclass(frozen=True)
class ShipmentEventDetail:
    at: datetime
    status: str
    where: str
    description: str = ""


@dataclass(frozen=True)
class ShipmentDetail:
    """One label: its shipment's carrier, service and price, and where it stands."""

    carrier: str
    service: str
    tracking: str
    status: str  # bought | voided | manifested
    price: str = ""
    manifest: str = ""
    # The carrier's scans of this parcel, oldest first, and where that leaves it.
    events: tuple[ShipmentEventDetail, ...] = ()
    tracking_status: str = ""  # domain.tracking.TrackingStatus value; "" before any scan
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class HoldDetail:
    reason: str
    at: datetime | None
    by: str
    released_at: datetime | None
    released_by: str

    @property
    def active(self) -> bool:
        return self.released_at is None


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
    total: Money
    notes: str
    gift_message: str
    lines: tuple[DetailLine, ...]
    timeline: tuple[TimelineEntry, ...]
    ship_to: ShipTo
    packages: tuple[PackageDetail, ...] = ()
    shipments: tuple[ShipmentDetail, ...] = ()
    holds: tuple[HoldDetail, ...] = ()
    currency: str = ""
    shipping_paid: Decimal = Decimal(0)
    # Every live shipment delivered (tracking): when the last parcel arrived.
    delivered_at: datetime | None = None

    @property
    def delivered(self) -> str:
        """'Delivered 3 Dec 2026' (local date), or "" while not delivered."""
        if self.delivered_at is None:
            return ""
        return delivered_words(self.delivered_at.astimezone())

    @property
    def goods_weight(self) -> Weight:
        """What the items weigh by the catalogue, before the carton (what a scale should
        show at least)."""
        return sum((line.weight for line in self.lines), Weight.zero())

    def as_json(self) -> dict[str, Any]:
        """`wms-desk orders show --json`: these keys are a contract; add, never rename."""
        return {
            "number": self.number,
            "channel": self.channel,
            "status": self.status,
            "delivered_at": _iso(self.delivered_at),
            "priority": self.priority,
            "ship_by": _iso(self.ship_by),
            "ship_to": asdict(self.ship_to),
            "currency": self.currency,
            "shipping_paid": str(self.shipping_paid),
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "ordered": line.qty,
                    "allocated": line.allocated,
                    "picked": line.picked,
                    "packed": line.packed,
                    "shipped": line.shipped,
                    "returned": line.returned,
                    "verified": line.verified,
                    "barcodes": [{"code": b.code, "qty": b.qty} for b in line.barcodes],
                    "unit_price": str(line.unit_price),
                    "discount": str(line.discount),
                    "tax": str(line.tax),
                }
                for line in self.lines
            ],
            "packages": [
                {
                    "number": p.number,
                    "carton": p.carton,
                    "weight_g": None if p.weight_g is None else str(p.weight_g),
                    "expected_weight_g": (
                        None if p.expected_weight_g is None else str(p.expected_weight_g)
                    ),
                    "items": [{"sku": i.sku, "qty": i.qty} for i in p.items],
                    "sscc": p.sscc or None,
                    "tracking": p.tracking or None,
                }
                for p in self.packages
            ],
            "shipments": [
                {
                    "carrier": s.carrier,
                    "service": s.service,
                    "tracking": s.tracking,
                    "status": s.status,
                    "price": s.price,
                    "manifest": s.manifest or None,
                    "tracking_status": s.tracking_status or None,
                    "delivered_at": _iso(s.delivered_at),
                    "events": [
                        {"at": _iso(e.at), "status": e.status, "where": e.where} for e in s.events
                    ],
                }
                for s in self.shipments
            ],
            "holds": [
                {
                    "reason": h.reason,
                    "at": _iso(h.at),
                    "by": h.by,
                    "released_at": _iso(h.released_at),
                    "active": h.active,
                }
                for h in self.holds
            ],
            "events": [
                {
                    "at": _iso(e.at),
                    "what": e.what,
                    "who": e.user,
                    "station": e.station,
                    "judged": e.judged or None,
                }
                for e in self.timeline
            ],
        }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _summary(before: dict[str, object], after: dict[str, object]) -> str:
    parts = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old != new:
            parts.append(f"{key}: {old} → {new}")
        elif key in after:
            parts.append(f"{key}: {new}")
    return "; ".join(parts)


def _holds(events: list[dict[str, Any]], status: str, hold_reason: str) -> tuple[HoldDetail, ...]:
    """Each hold from the audit trail, paired with its release; an untracked current hold too."""
    holds: list[HoldDetail] = []
    for event in events:
        if event["action"] == "order.held":
            reason = str(event["after"].get("reason") or "")
            holds.append(HoldDetail(reason, event["at"], event["user"], None, ""))
        elif event["action"] == "order.released" and holds and holds[-1].active:
            last = holds[-1]
            holds[-1] = HoldDetail(last.reason, last.at, last.by, event["at"], event["user"])
    if status == "on_hold" and not (holds and holds[-1].active):
        # Put on hold without an audited hold action (e.g. imported on hold).
        holds.append(HoldDetail(hold_reason, None, "", None, ""))
    return tuple(holds)


def _channel_of(session: Session, order_id: int) -> str | None:
    from sqlalchemy import select

    from wms_desk.db.models import Channel, Order

    return session.scalar(
        select(Channel.name).join(Order, Order.channel_id == Channel.id).where(Order.id == order_id)
    )


def resolve_order(session: Session, ref: str, channel: str | None = None) -> int:
    """The order id for a number, or a barcode as scanned (`ORD:<number>`, `ORDID:<id>`),
    in `channel` if given."""
    order_id = order_id_of(ref.strip())
    if order_id is not None:
        channel_name = _channel_of(session, order_id)
        if channel_name is None:
            raise NotFound(
                f"The barcode {ref.strip()!r} names order id {order_id}, which does not exist "
                "(deleted, or a slip from another database). Type the order number instead."
            )
        if channel is not None and channel_name != channel.strip():
            raise NotFound(
                f"The barcode {ref.strip()!r} is an order of channel {channel_name!r}, "
                f"not {channel!r}."
            )
        return order_id
    if ref.strip().startswith(ORDER_ID_PREFIX):
        raise NotFound(f"{ref.strip()!r} is not a whole order barcode; scan it again.")
    number = ref.strip().removeprefix(ORDER_PREFIX).strip()
    found = q.orders_numbered(session, number)
    if channel is not None:
        mine = [order_id for order_id, name in found if name == channel.strip()]
        if mine:
            return mine[0]
        if found:
            elsewhere = ", ".join(sorted({name for _, name in found}))
            raise NotFound(
                f"There is no order {number!r} in channel {channel!r}; "
                f"that number exists in: {elsewhere}."
            )
        raise NotFound(
            f"There is no order {number!r} in channel {channel!r}. Check the number on the slip."
        )
    if not found:
        raise NotFound(f"There is no order {number!r}. Check the number on the slip.")
    if len(found) > 1:
        raise AmbiguousOrder(number, tuple(name for _, name in found))
    return found[0][0]


def _load_detail(session: Session, order_id: int) -> OrderDetail:
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
    ship_to = ShipTo(**{key: str(header[f"ship_{key}"] or "") for key in SHIP_TO_FIELDS})
    # Imported here: the packing package reaches documents and printing, which need this one.
    from wms_desk.services.packing.detail import packing_detail_in

    shipped = header["status"] in SHIPPED_STATUSES
    packing = packing_detail_in(session, order_id)
    by_line_no = {line.line_no: line for line in packing.lines}
    lines = tuple(
        DetailLine(
            **line,
            shipped=line["packed"] if shipped else 0,
            verified=line["packed"],
            barcodes=by_line_no[line["line_no"]].barcodes if line["line_no"] in by_line_no else (),
        )
        for line in q.order_lines(session, order_id)
    )
    weights = {p.seq: p for p in packing.packages}
    packages = tuple(
        PackageDetail(
            p.seq,
            p.carton,
            p.weight_g,
            tuple(PackageItem(sku, qty) for sku, qty in packing.items.get(p.seq, ())),
            p.sscc or "",
            p.tracking_number or "",
            weights[p.seq].expected_weight_g if p.seq in weights else None,
        )
        for p in q.order_packages(session, order_id)
    )
    events = q.order_timeline(session, order_id)
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
        total=Money(header["total"], header["currency"]),
        notes=header["notes"],
        gift_message=header["gift_message"],
        lines=lines,
        timeline=tuple(
            TimelineEntry(
                e["at"],
                e["action"],
                e["user"],
                e["station"],
                _summary(e["before"], e["after"]),
                str(e["after"].get("outcome") or "") if e["action"].endswith(".scan") else "",
            )
            for e in events
        ),
        ship_to=ship_to,
        packages=packages,
        holds=_holds(events, header["status"], header["hold_reason"] or ""),
        shipments=_shipments(session, order_id),
        currency=header["currency"],
        shipping_paid=header["shipping_total"],
        delivered_at=header.get("delivered_at"),
    )


def _shipments(session: Session, order_id: int) -> tuple[ShipmentDetail, ...]:
    from sqlalchemy import select

    from wms_desk.db.models import Shipment, ShipmentEvent, ShipmentLabel, ShippingManifest
    from wms_desk.services.shipping.tracking import event_of

    rows = session.execute(
        select(Shipment, ShipmentLabel.id, ShipmentLabel.tracking, ShippingManifest.reference)
        .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        .outerjoin(ShippingManifest, ShippingManifest.id == Shipment.manifest_id)
        .where(Shipment.order_id == order_id)
        .order_by(Shipment.id, ShipmentLabel.seq)
    ).all()
    scans: dict[int, list[TrackingEvent]] = {}
    for event in session.scalars(
        select(ShipmentEvent)
        .join(Shipment, Shipment.id == ShipmentEvent.shipment_id)
        .where(Shipment.order_id == order_id)
        .order_by(ShipmentEvent.at, ShipmentEvent.id)
    ):
        scans.setdefault(event.label_id, []).append(event_of(event))
    details = []
    for s, label_id, tracking, ref in rows:
        mine = scans.get(label_id, [])
        state = current_state(mine)
        details.append(
            ShipmentDetail(
                s.carrier,
                s.service,
                tracking,
                "voided" if s.status == "voided" else ("manifested" if ref else s.status),
                str(s.price),
                ref or "",
                tuple(
                    ShipmentEventDetail(e.at, e.status.value, e.where, e.description) for e in mine
                ),
                state.status.value if mine else "",
                state.delivered_at,
            )
        )
    return tuple(details)


_load = read_only(_load_detail)


@read_only
def _find_and_load(session: Session, ref: str, channel: str | None) -> OrderDetail:
    return _load_detail(session, resolve_order(session, ref, channel))


def order_detail(ctx: ServiceContext, order_id: int) -> OrderDetail:
    """Everything the detail panel shows about one order, read in one transaction."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    return _load(ctx, order_id)


def order_detail_by_number(
    ctx: ServiceContext, ref: str, channel: str | None = None
) -> OrderDetail:
    """The same, for an order number or scanned `ORD:` barcode; ambiguous -> AmbiguousOrder."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    return _find_and_load(ctx, ref, channel)
