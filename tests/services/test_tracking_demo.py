"""The demo has delivered orders (tracking recorded through the real service), one still in
transit and one returned to sender with an open alert (issue 11 item 6, issue 12)."""

from __future__ import annotations

from sqlalchemy import select

from wms_desk.db.models import Order, Shipment
from wms_desk.services.demo import seed_demo
from wms_desk.services.order_detail import order_detail_by_number
from wms_desk.services.shipping.tracking import list_alerts


def test_the_demo_has_delivered_orders_and_an_alert(system_ctx, database) -> None:
    seed_demo(system_ctx, seed=3)
    with database.read_session() as session:
        delivered = session.scalars(
            select(Order.number).where(Order.delivered_at.is_not(None)).order_by(Order.id)
        ).all()
        statuses = sorted(session.scalars(select(Shipment.tracking_status)).all())
    assert len(delivered) == 4
    assert statuses == ["delivered"] * 4 + ["in_transit", "returned_to_sender"]
    shown = order_detail_by_number(system_ctx, delivered[0])
    assert shown.delivered.startswith("Delivered ") and shown.status == "shipped"
    events = shown.as_json()["shipments"][0]["events"]
    assert [e["status"] for e in events] == [
        "pre_transit", "in_transit", "out_for_delivery", "delivered"
    ]  # fmt: skip
    (alert,) = list_alerts(system_ctx)
    assert alert.kind == "tracking.returned_to_sender" and "addressee unknown" in alert.message
