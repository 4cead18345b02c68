"""Hour buckets in the site's time zone across a daylight-saving change: each real hour once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from wms_desk.db.models import Channel, Order, OrderLine, PackProgress
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.reports import run_report

BERLIN = "Europe/Berlin"


def packed_at(database: Database, *instants: datetime) -> None:
    with database.write_session() as session, session.begin():
        channel = Channel(name="Shop", kind="manual")
        session.add(channel)
        session.flush()
        for n, at in enumerate(instants):
            order = Order(
                channel_id=channel.id, external_id=str(n), number=f"D{n}", status="packed"
            )
            order.lines = [OrderLine(line_no=1, sku="SKU-1", qty=1, packed_qty=1)]
            session.add(order)
            session.flush()
            session.add(PackProgress(order_id=order.id, started_at=at, completed_at=at))


@pytest.fixture
def ctx(any_db_url: str):
    db = Database(any_db_url)
    yield ServiceContext(db, system_actor(None, ""))
    db.dispose()


def utc(month: int, day: int, hour: int, minute: int = 30) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_spring_forward_day_has_23_hours(ctx: ServiceContext) -> None:
    packed_at(
        ctx.database,
        utc(3, 28, 23),  # 00:30 CET on the 29th: counted
        utc(3, 29, 0),  # 01:30 CET
        utc(3, 29, 1),  # 03:30 CEST: 02:00-03:00 never happened
        utc(3, 29, 21, 59),  # 23:59 CEST: the day's last minute
        utc(3, 29, 22),  # 00:30 CEST on the 30th: not counted
    )
    day = date(2026, 3, 29)
    report = run_report(
        ctx, ReportName.THROUGHPUT, ReportFilters(start=day, end=day, timezone=BERLIN)
    )
    assert report.chart is not None
    points = report.chart.series[0].points
    assert len(points) == 23
    labels = [label for label, _ in points]
    assert "2026-03-29 02:00" not in labels
    counted = {label: int(v) for label, v in points if v}
    assert counted == {
        "2026-03-29 00:00": 1,
        "2026-03-29 01:00": 1,
        "2026-03-29 03:00": 1,
        "2026-03-29 23:00": 1,
    }
    assert {f.key: f.value for f in report.figures}["orders_packed"] == 4


def test_fall_back_day_has_25_hours_and_the_repeated_hour_twice(ctx: ServiceContext) -> None:
    packed_at(
        ctx.database,
        utc(10, 25, 0),  # 02:30 CEST
        utc(10, 25, 1),  # 02:30 CET, an hour later in real time
        utc(10, 25, 1, 45),  # 02:45 CET
    )
    day = date(2026, 10, 25)
    report = run_report(
        ctx, ReportName.THROUGHPUT, ReportFilters(start=day, end=day, timezone=BERLIN)
    )
    assert report.chart is not None
    points = report.chart.series[0].points
    assert len(points) == 25
    counted = {label: int(v) for label, v in points if v}
    assert counted == {"2026-10-25 02:00 +0200": 1, "2026-10-25 02:00 +0100": 2}
    # Per day (a 3-day range), the 25-hour day's orders are all on that day.
    week = ReportFilters(start=date(2026, 10, 24), end=date(2026, 10, 26), timezone=BERLIN)
    days = run_report(ctx, ReportName.THROUGHPUT, week).chart
    assert days is not None
    assert [(label, int(v)) for label, v in days.series[0].points] == [
        ("2026-10-24", 0),
        ("2026-10-25", 3),
        ("2026-10-26", 0),
    ]
