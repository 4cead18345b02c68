"""Demo tracking: some shipped demo orders get a Demo Post shipment and the carrier's scans,
recorded through the real tracking service, so the demo has delivered orders, one still in
transit and one returned to sender (an open supervisor alert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import Order, Shipment, ShipmentLabel
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking import TrackingEvent, TrackingStatus
from wms_desk.services.shipping.accounts import DbSerialSource, card_of, find_account
from wms_desk.services.shipping.tracking import record_in
from wms_desk.services.uow import UnitOfWork, unit_of_work

S = TrackingStatus
# How each picked order's parcel fared: its last scans (hours after it left), then its fate.
_JOURNEYS: tuple[tuple[tuple[TrackingStatus, int, str, str], ...], ...] = (
    ((S.IN_TRANSIT, 6, "Chicago IL", "Departed facility"),
     (S.OUT_FOR_DELIVERY, 40, "Springfield IL", "Out for delivery"),
     (S.DELIVERED, 46, "Springfield IL", "Delivered, front door")),
    ((S.IN_TRANSIT, 8, "Denver CO", "Arrived at facility"),
     (S.DELIVERED, 70, "Portland OR", "Delivered, mailbox")),
    ((S.IN_TRANSIT, 5, "Dallas TX", "Departed facility"),
     (S.DELIVERED, 30, "Austin TX", "Delivered, left with neighbour")),
    ((S.IN_TRANSIT, 7, "Columbus OH", "Sorted"),
     (S.OUT_FOR_DELIVERY, 50, "Cleveland OH", "Out for delivery"),
     (S.DELIVERED, 55, "Cleveland OH", "Delivered, reception")),
    ((S.IN_TRANSIT, 9, "Memphis TN", "In transit"),),
    ((S.IN_TRANSIT, 6, "Reno NV", "Departed facility"),
     (S.RETURNED_TO_SENDER, 90, "Reno NV", "Return to sender: addressee unknown")),
)  # fmt: skip


@unit_of_work(Permission.MANAGE_USERS)
def seed_demo_tracking(uow: UnitOfWork, carrier: str) -> int:
    """Give a few shipped orders without shipments a shipment and scans; how many."""
    session = uow.session
    account = find_account(session, carrier)
    card = card_of(account)
    has_shipment = select(Shipment.order_id)
    orders = session.scalars(
        select(Order)
        # Left days ago: their journeys are over, and none is on today's board or manifest.
        .where(
            Order.status == "shipped",
            Order.shipped_at < uow.now - timedelta(days=4),
            Order.id.not_in(has_shipment),
        )
        .order_by(Order.id)
        .limit(len(_JOURNEYS))
    ).all()
    if card.tracking is None or not orders:
        return 0
    serials = DbSerialSource(session).take(card.code, card.tracking, len(orders))
    items: list[tuple[str, TrackingEvent]] = []
    for order, serial, journey in zip(orders, serials, _JOURNEYS, strict=False):
        left = order.shipped_at or uow.now - timedelta(days=5)
        tracking = card.tracking.format(serial)
        shipment = Shipment(
            order_id=order.id, carrier=account.code, service="GROUND", service_name="Ground",
            price=Decimal("7.80"), currency="USD", master_tracking=tracking,
            ship_date=left.date(), bought_at=left,
        )  # fmt: skip
        # The label was made before this system printed labels: only its number is ours.
        shipment.labels.append(ShipmentLabel(seq=1, count=1, tracking=tracking, format="none",
                                             data=b"", weight_g=Decimal(900)))  # fmt: skip
        session.add(shipment)
        scans = ((S.PRE_TRANSIT, 0, "", "Label created"), *journey)
        for status, hours, where, text in scans:
            at = min(left + timedelta(hours=hours), datetime.now(UTC))
            event = TrackingEvent(tracking, status, at, where, text, "demo")
            items.append((f"demo order {order.number}", event))
    session.flush()
    record_in(uow, items, "demo")
    return len(orders)
