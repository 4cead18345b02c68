"""Every report on a seeded history, on SQLite and PostgreSQL, against hand-counted answers."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from tests.services.reportdata import seed_history
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.reports import Report, ReportCancelled, ReportFilters, ReportName
from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.errors import NotFound
from wms_desk.services.reports import report_list, run_report

MARCH = ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6))


@pytest.fixture
def history(any_db_url: str):
    db = Database(any_db_url)
    from wms_desk.services.context import system_actor
    from wms_desk.services.stations import ensure_station

    station = ensure_station(db, "report-desk")
    ctx = ServiceContext(db, system_actor(station.id, station.name))
    seed_history(db)
    yield ctx
    db.dispose()


def figures(report: Report) -> dict[str, object]:
    return {f.key: f.value for f in report.figures}


def table(report: Report, key: str) -> list[dict[str, object]]:
    found = next(t for t in report.tables if t.key == key)
    return [dict(zip((c.key for c in found.columns), row, strict=True)) for row in found.rows]


def test_status_counts_the_orders_that_came_in(history: ServiceContext) -> None:
    report = run_report(history, ReportName.STATUS, MARCH)
    assert figures(report) == {"orders": 6, "open": 2, "late": 1, "shipped": 3, "cancelled": 1}
    assert [(r["status"], r["orders"]) for r in table(report, "by_status")] == [
        ("New", 1),
        ("Packed", 1),
        ("Shipped", 3),
        ("Cancelled", 1),
    ]
    assert table(report, "by_channel") == [
        {"channel": "Shop", "orders": 4, "open": 2, "shipped": 2, "cancelled": 0},
        {"channel": "Wholesale", "orders": 2, "open": 0, "shipped": 1, "cancelled": 1},
    ]
    assert report.chart is not None
    assert [p[1] for p in report.chart.series[0].points] == [1, 1, 3, 1]


def test_throughput_per_packer_station_and_day(history: ServiceContext) -> None:
    report = run_report(history, ReportName.THROUGHPUT, MARCH)
    assert figures(report) == {
        "orders_packed": 4,
        "units_packed": 10,
        "active_hours": 4,
        "orders_per_hour": Decimal("1.0"),
        "units_per_hour": Decimal("2.5"),
    }
    # anna: O1 (1 + 2 units) and O2 (1) in hours 10 and 11; ben: O3 (4) and O4 (2).
    assert table(report, "by_packer") == [
        {"packer": "anna", "orders": 2, "units": 4, "active_hours": 2,
         "orders_per_hour": Decimal("1.0"), "units_per_hour": Decimal("2.0")},
        {"packer": "ben", "orders": 2, "units": 6, "active_hours": 2,
         "orders_per_hour": Decimal("1.0"), "units_per_hour": Decimal("3.0")},
    ]  # fmt: skip
    assert [(r["station"], r["orders"]) for r in table(report, "by_station")] == [
        ("PACK-1", 2),
        ("PACK-2", 2),
    ]
    assert report.chart is not None
    points = report.chart.series[0].points
    assert [label for label, _ in points] == [f"2026-03-0{d}" for d in range(2, 7)]
    assert [int(v) for _, v in points] == [2, 1, 1, 0, 0]


@pytest.mark.parametrize(
    ("filters", "orders"),
    [
        (ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6), packer="anna"), 2),
        (ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6), channel="Wholesale"), 1),
        (ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6), station="PACK-2"), 2),
        (ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6), carrier="DHL"), 1),
        (ReportFilters(), 5),  # open-ended: O7 in February counts too
    ],
)
def test_throughput_filters(history: ServiceContext, filters: ReportFilters, orders: int) -> None:
    assert figures(run_report(history, ReportName.THROUGHPUT, filters))["orders_packed"] == orders


@pytest.mark.parametrize("name", list(ReportName))
def test_an_empty_range_gives_an_empty_report(history: ServiceContext, name: ReportName) -> None:
    if name not in report_list():
        pytest.skip(f"{name} not built yet")
    report = run_report(history, name, ReportFilters(start=date(2025, 1, 1), end=date(2025, 1, 2)))
    assert report.empty or name is ReportName.STOCK
    assert report.notes


def test_unknown_filter_names_are_refused_by_name(history: ServiceContext) -> None:
    with pytest.raises(NotFound, match="'Nobody'"):
        run_report(history, ReportName.STATUS, ReportFilters(packer="Nobody"))


def test_a_packer_may_not_view_reports(history: ServiceContext, make_ctx) -> None:
    with pytest.raises(PermissionDenied):
        run_report(make_ctx(Role.PACKER), ReportName.STATUS, MARCH)


def test_a_cancelled_report_raises(history: ServiceContext) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ReportCancelled):
        run_report(history, ReportName.THROUGHPUT, MARCH, cancel)
