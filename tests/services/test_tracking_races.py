"""Two webhooks for an order's two parcels recorded at the same moment (two stations): the
order still ends delivered, and a scan recorded twice at once is one row (PostgreSQL locks;
SQLite writes are serial)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from wms_desk.db.models import Order, Shipment, ShipmentEvent
from wms_desk.domain.tracking import TrackingEvent, TrackingStatus
from wms_desk.services.context import ServiceContext
from wms_desk.services.shipping import labels
from wms_desk.services.shipping import tracking as trk

ROUNDS = 3
S = TrackingStatus


def _together(ctx: ServiceContext, batches: list[list[TrackingEvent]]) -> list[object]:
    start = threading.Barrier(len(batches))
    results: list[object] = [None] * len(batches)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = trk.record_events(ctx, batches[i])
        except Exception as exc:  # kept and asserted on: a failure must show in the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parcels_delivered_at_once_still_deliver_the_order(system_ctx, database, tmp_path) -> None:
    import_nordpost(system_ctx)
    ship_from_sweden(database)
    printer = (tmp_path / "p").as_uri()
    for n in range(ROUNDS):
        order_id = packed_order(database, f"TR-{n}", (900, 1400))
        first, second = (
            lb.tracking
            for lb in labels.ship_order(system_ctx, order_id, printer_url=printer).labels
        )
        at = datetime(2026, 12, 3, 14, n, tzinfo=UTC)
        results = _together(system_ctx, [
            [TrackingEvent(first, S.DELIVERED, at)], [TrackingEvent(second, S.DELIVERED, at)]
        ])  # fmt: skip
        assert all(isinstance(r, trk.TrackingReport) for r in results), results
        assert _state(database, order_id) == (at, "delivered", 2), n
        # The same scan from two sources at once: one row, one of them sees a duplicate.
        same = TrackingEvent(first, S.IN_TRANSIT, datetime(2026, 12, 2, 8, tzinfo=UTC))
        twice = _together(system_ctx, [[same], [same]])
        assert sorted((r.recorded, r.duplicates) for r in twice) == [(0, 1), (1, 0)], twice
        assert _state(database, order_id) == (at, "delivered", 3), n


def _state(database, order_id: int) -> tuple[object, ...]:
    with database.read_session() as session:
        delivered = session.scalar(select(Order.delivered_at).where(Order.id == order_id))
        statuses = set(session.scalars(
            select(Shipment.tracking_status).where(Shipment.order_id == order_id)))  # fmt: skip
        rows = session.scalar(
            select(func.count()).select_from(ShipmentEvent).join(Shipment)
            .where(Shipment.order_id == order_id)
        )  # fmt: skip
    return delivered, ",".join(sorted(statuses)), rows
