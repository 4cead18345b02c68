"""The demo database has returns that explain its returned orders, and shipped orders to return."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from wms_desk.db.models import Order
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.services.order_detail import order_detail
from wms_desk.services.returns.views import list_rmas
from wms_desk.services.stock import reconcile


def test_demo_returns_match_the_orders_they_belong_to(system_ctx: ServiceContext) -> None:
    seed_demo(system_ctx, orders=300, seed=7)
    rmas = list_rmas(system_ctx)
    statuses = Counter(r.status for r in rmas)
    assert statuses["open"] == 3 and statuses["resolved"] >= 8
    with system_ctx.database.read_session() as session:
        orders = session.execute(
            select(Order.id, Order.status).where(
                Order.status.in_(("shipped", "partly_returned", "returned"))
            )
        ).all()
        assert reconcile(session) == []
    by_status = Counter(status for _, status in orders)
    # The demo's mix of statuses is unchanged: returns explain orders, they do not move them.
    assert (by_status["partly_returned"], by_status["returned"]) == (8, 8)
    for order_id, status in orders:
        lines = order_detail(system_ctx, order_id).lines
        back, shipped = sum(ln.returned for ln in lines), sum(ln.shipped for ln in lines)
        if status == "returned":
            assert back == shipped > 0
        elif status == "shipped":
            assert back == 0
