"""A small floor whose dashboard numbers are counted by hand (see the comments for each number).

Times are placed by fraction of today so far (the local day at `now` / `offset`), so the same
seed works at a fixed clock (the query tests) and at the real one (the screen tests).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import (
    AuditEvent,
    Channel,
    LineShortage,
    Order,
    OrderLine,
    PackProgress,
    PrintJob,
    Shipment,
    Station,
    User,
)
from wms_desk.domain.due import day_bounds
from wms_desk.services.database import Database

# 14:30 UTC at UTC+2: local 16:30; today is 2026-06-09 22:00Z .. 2026-06-10 22:00Z (16.5 h so far).
FIXED_NOW = datetime(2026, 6, 10, 14, 30, tzinfo=UTC)
FIXED_OFFSET = timedelta(hours=2)


@dataclass(frozen=True)
class Floor:
    ids: dict[str, int]  # order label -> id
    stations: tuple[str, str]
    packers: tuple[str, str]

    def of(self, *labels: str) -> tuple[int, ...]:
        return tuple(sorted(self.ids[label] for label in labels))


def seed_floor(database: Database, now: datetime, offset: timedelta) -> Floor:
    start, _end = day_bounds(now.astimezone(UTC), offset)
    span = now.astimezone(UTC) - start

    def today(fraction: float) -> datetime:
        return start + span * fraction

    yesterday = start - timedelta(hours=1)
    tomorrow_noon = start + timedelta(days=1, hours=12)
    with database.write_session() as session, session.begin():
        channel = Channel(name="Dash shop", kind="shopify", settings={})
        session.add(channel)
        for name in ("pack-01", "pack-02"):
            if session.scalar(select(Station.id).where(Station.name == name)) is None:
                session.add(Station(name=name, description="", bindings={}, active=True))
        session.add_all(
            [
                User(username="dash-pat", display_name="Pat Packer", role="packer"),
                User(username="dash-kim", display_name="Kim Packer", role="packer"),
            ]
        )
        session.flush()
        station = {n: session.scalar(select(Station.id).where(Station.name == n)) for n in
                   ("pack-01", "pack-02")}  # fmt: skip
        user = {u: session.scalar(select(User.id).where(User.username == u)) for u in
                ("dash-pat", "dash-kim")}  # fmt: skip
        # label: (status, ship_by)
        plan: dict[str, tuple[str, datetime | None]] = {
            "A1": ("new", now - timedelta(hours=1)),  # late
            "A2": ("allocated", now - timedelta(days=3)),  # late
            "A3": (
                "on_hold",
                min(now + timedelta(minutes=20), start + timedelta(days=1) - timedelta(minutes=1)),
            ),  # today
            "A4": ("packed", start + timedelta(days=1) - timedelta(seconds=1)),  # today
            "A5": ("picking", tomorrow_noon),  # tomorrow
            "A6": ("new", start + timedelta(days=2, hours=3)),  # later, not tomorrow
            "A7": ("new", None),  # no ship-by: in no window
            "S1": ("shipped", now - timedelta(days=1)),  # shipped: never late
            "S2": ("shipped", None),
            "C1": ("cancelled", now - timedelta(hours=2)),  # cancelled: never late
        }
        ids: dict[str, int] = {}
        lines: dict[str, int] = {}
        for label, (status, ship_by) in plan.items():
            order = Order(
                channel_id=channel.id,
                external_id=f"dash-{label}",
                number=f"D-{label}",
                status=status,
                ship_by=ship_by,
                customer_name=f"Customer {label}",
            )
            order.lines.append(OrderLine(line_no=1, sku="MUG", name="Mug", qty=2))
            session.add(order)
            session.flush()
            ids[label] = order.id
            lines[label] = order.lines[0].id

        def audit(
            action: str, label: str, at: datetime, who: str, where: str, **after: str
        ) -> None:
            session.add(
                AuditEvent(
                    event_id=str(uuid.uuid4()),
                    user_id=user[who],
                    station_id=station[where],
                    created_at=at,
                    action=action,
                    subject_type="order",
                    subject_id=str(ids[label]),
                    after=after,
                )
            )

        # Packed today: S1 (pack-01, Pat) and A4 (pack-02, Kim); a refused COMPLETE and
        # yesterday's pack do not count.
        audit("pack.complete", "S1", today(0.6), "dash-pat", "pack-01", outcome="completed")
        audit("pack.complete", "A4", today(0.7), "dash-kim", "pack-02", outcome="completed")
        audit("pack.complete", "A5", today(0.5), "dash-pat", "pack-01", outcome="not_complete")
        audit("pack.complete", "S2", yesterday, "dash-pat", "pack-01", outcome="completed")
        for label, at, who, where in (
            ("S1", today(0.6), "dash-pat", "pack-01"),
            ("A4", today(0.7), "dash-kim", "pack-02"),
            ("S2", yesterday, "dash-pat", "pack-01"),
        ):  # what COMPLETE leaves behind besides its audit row
            row = PackProgress(order_id=ids[label], completed_at=at, started_at=at)
            row.station_id, row.completed_by_id = station[where], user[who]
            session.add(row)
        session.add(PackProgress(order_id=ids["A5"], started_at=today(0.5)))  # still packing
        # Shipped today: S1 (pack-01, Pat) and S2 (pack-02, Kim).
        audit("ship.buy", "S1", today(0.7), "dash-pat", "pack-01", status="shipped")
        audit("ship.buy", "S2", today(0.05), "dash-kim", "pack-02", status="shipped")
        # S1's first label, bought at pack-02 by Kim and voided later: S1 is in two hours'
        # bars and at both stations, but one order in the day's total.
        audit("ship.buy", "S1", today(0.3), "dash-kim", "pack-02", status="shipped")
        # Wrong scans today: A4 (wrong item), S1 (over-scan); a good scan and yesterday's no.
        audit("pack.scan", "A4", today(0.5), "dash-kim", "pack-02", outcome="wrong_item")
        audit("pack.scan", "S1", today(0.5), "dash-pat", "pack-01", outcome="over_scan")
        audit("pack.scan", "A5", today(0.5), "dash-pat", "pack-01", outcome="verified")
        audit("pack.scan", "A5", yesterday, "dash-pat", "pack-01", outcome="unknown_code")
        # Weight mismatches today: A4 (warn); an ok weight and yesterday's block do not count.
        audit("pack.weighed", "A4", today(0.5), "dash-kim", "pack-02", check="warn")
        audit("pack.weighed", "A5", today(0.5), "dash-pat", "pack-01", check="ok")
        audit("pack.weighed", "S1", yesterday, "dash-pat", "pack-01", check="block")
        # Short picks today: A2; A5's was yesterday.
        session.add(
            LineShortage(order_line_id=lines["A2"], stage="pick", qty=1, created_at=today(0.5))
        )
        session.add(
            LineShortage(order_line_id=lines["A5"], stage="pick", qty=1, created_at=yesterday)
        )

        def job(label: str | None, status: str, at: datetime) -> None:
            session.add(
                PrintJob(
                    id=str(uuid.uuid4()),
                    document="label",
                    format="zpl",
                    printer_url="file:///tmp",
                    payload=b"^XA^XZ",
                    status=status,
                    order_id=ids[label] if label else None,
                    created_at=at,
                )
            )

        # Print failures today: A3; yesterday's failure, a sent job, an order-less test label no.
        job("A3", "failed", today(0.5))
        job("A1", "failed", yesterday)
        job("A4", "sent", today(0.5))
        job(None, "failed", today(0.5))

        def shipment(label: str, voided_at: datetime | None) -> None:
            session.add(
                Shipment(
                    order_id=ids[label],
                    carrier="manual",
                    service="ground",
                    price=Decimal("5.00"),
                    currency="EUR",
                    master_tracking=f"T-{label}",
                    status="voided" if voided_at else "bought",
                    ship_date=date(2026, 6, 10),
                    voided_at=voided_at,
                )
            )

        # Voided labels today: S1 (as the void service writes it: the shipment and its audit
        # row); S2's label stands.
        shipment("S1", today(0.5))
        shipment("S2", None)
        audit("ship.void", "S1", today(0.5), "dash-pat", "pack-01", status="packed")
    return Floor(ids, ("pack-01", "pack-02"), ("Pat Packer", "Kim Packer"))
