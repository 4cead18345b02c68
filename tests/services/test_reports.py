"""Every report on a seeded history, on SQLite and PostgreSQL, against hand-counted answers."""

from __future__ import annotations

import threading
from dataclasses import replace
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
    assert name in report_list()
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


def test_fulfilment_time_percentiles_and_on_time_rate(history: ServiceContext) -> None:
    report = run_report(history, ReportName.FULFILMENT_TIME, MARCH)
    h = 3600
    # Shipped in range: O1, O2, O3 (O7 shipped in February).
    # placed->shipped 4 h, 24 h, 48 h; picked->packed 1 h, 0.5 h, 4 h;
    # packed->shipped 2 h, 21.5 h, 42 h. Nearest rank: median = 2nd of 3, p90 = 3rd of 3.
    assert figures(report) == {
        "shipped_orders": 3,
        "placed_to_shipped_median_s": 24 * h,
        "placed_to_shipped_p90_s": 48 * h,
        "picked_to_packed_median_s": 1 * h,
        "picked_to_packed_p90_s": 4 * h,
        "packed_to_shipped_median_s": 77400,
        "packed_to_shipped_p90_s": 42 * h,
        "on_time_percent": Decimal("66.7"),  # O2 shipped 9 h after its ship-by
    }
    bands = {r["band"]: r["placed_to_shipped"] for r in table(report, "histogram")}
    assert bands == {"< 4 h": 0, "4-8 h": 1, "8-24 h": 0, "24-48 h": 1, "48-72 h": 1, ">= 72 h": 0}
    assert [r["orders"] for r in table(report, "spans")] == [3, 3, 3]


def test_fulfilment_percentiles_on_one_and_on_ten_orders(history: ServiceContext) -> None:
    only_o1 = ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 2))
    f = figures(run_report(history, ReportName.FULFILMENT_TIME, only_o1))
    assert f["placed_to_shipped_median_s"] == f["placed_to_shipped_p90_s"] == 4 * 3600


def test_accuracy_wrong_scans_weights_and_short_picks(history: ServiceContext) -> None:
    report = run_report(history, ReportName.ACCURACY, MARCH)
    # Packed in range: O1 (2 lines), O2, O3, O4 (1 line each) = 5 lines; 3 wrong pack scans.
    # Picked in range: the same four orders, 5 lines; 1 wrong pick scan (O7's are February's).
    assert figures(report) == {
        "lines_packed": 5,
        "wrong_pack_scans": 3,
        "wrong_pack_scans_per_100_lines": Decimal("60.0"),
        "lines_picked": 5,
        "wrong_pick_scans": 1,
        "wrong_pick_scans_per_100_lines": Decimal("20.0"),
        "weight_mismatches": 2,  # O1 warned, O3's first box blocked
        "short_pick_lines": 1,
        "short_pick_units": 1,  # O2 at picking; O4's shortage was at packing
    }
    assert table(report, "by_packer") == [
        {"packer": "anna", "orders": 2, "lines": 3, "wrong_scans": 2,
         "wrong_scans_per_100_lines": Decimal("66.7"), "weight_mismatches": 1},
        {"packer": "ben", "orders": 2, "lines": 2, "wrong_scans": 1,
         "wrong_scans_per_100_lines": Decimal("50.0"), "weight_mismatches": 1},
    ]  # fmt: skip
    assert table(report, "by_picker") == [
        {"picker": "anna", "wrong_scans": 1, "short_lines": 1, "short_units": 1}
    ]
    assert table(report, "short_picks_by_sku") == [{"sku": "SKU-A", "lines": 1, "units": 1}]
    ben = run_report(history, ReportName.ACCURACY, replace(MARCH, packer="ben"))
    assert figures(ben)["wrong_pack_scans"] == 1
    assert figures(ben)["weight_mismatches"] == 1


def test_returns_rate_reasons_and_refunds(history: ServiceContext) -> None:
    report = run_report(history, ReportName.RETURNS, MARCH)
    # Cohort O1, O2, O3 (8 units); R1 (O1, 1 damaged) and R2 (O3, 2 wrong items); R3 cancelled.
    assert figures(report) == {
        "orders_shipped": 3,
        "orders_returned": 2,
        "return_rate_percent": Decimal("66.7"),
        "units_shipped": 8,
        "units_returned": 3,
        "unit_return_rate_percent": Decimal("37.5"),
        "refunds": 2,
        "refunded_usd": Decimal("34.99"),
    }
    assert table(report, "by_reason") == [
        {"reason": "wrong item", "lines": 1, "units": 2},
        {"reason": "damaged", "lines": 1, "units": 1},
    ]
    assert table(report, "by_sku") == [
        {"sku": "SKU-C", "units_shipped": 4, "units_returned": 2,
         "return_rate_percent": Decimal("50.0")},
        {"sku": "SKU-A", "units_shipped": 2, "units_returned": 1,
         "return_rate_percent": Decimal("50.0")},
    ]  # fmt: skip
    assert [(r["channel"], r["orders_shipped"], r["orders_returned"]) for r in
            table(report, "by_channel")] == [("Shop", 2, 1), ("Wholesale", 1, 1)]  # fmt: skip
    assert [(r["carrier"], r["orders_shipped"], r["orders_returned"], r["return_rate_percent"])
            for r in table(report, "by_carrier")] == [
        ("DHL", 1, 0, Decimal("0.0")), ("UPS", 2, 2, Decimal("100.0"))]  # fmt: skip
    assert table(report, "refunds") == [
        {"currency": "USD", "refunds": 2, "total": Decimal("34.99")}
    ]


def test_carrier_spend_per_package_and_order(history: ServiceContext) -> None:
    report = run_report(history, ReportName.CARRIER_SPEND, MARCH)
    assert figures(report) == {
        "shipments": 3,
        "voided": 1,
        "spend_usd": Decimal("34.50"),
        "orders_usd": 3,
        "packages_usd": 4,
        "cost_per_package_usd": Decimal("8.63"),  # 34.50 / 4 = 8.625, half up
        "cost_per_order_usd": Decimal("11.50"),
    }
    assert table(report, "by_service") == [
        {"carrier": "DHL", "service": "Express", "currency": "USD", "shipments": 1, "orders": 1,
         "packages": 1, "spend": Decimal("12.00"), "cost_per_package": Decimal("12.00"),
         "cost_per_order": Decimal("12.00")},
        {"carrier": "UPS", "service": "Ground", "currency": "USD", "shipments": 2, "orders": 2,
         "packages": 3, "spend": Decimal("22.50"), "cost_per_package": Decimal("7.50"),
         "cost_per_order": Decimal("11.25")},
    ]  # fmt: skip
    ups = run_report(history, ReportName.CARRIER_SPEND, replace(MARCH, carrier="UPS"))
    assert figures(ups)["spend_usd"] == Decimal("22.50")


def test_stock_cover_low_stock_and_reconciliation(history: ServiceContext) -> None:
    report = run_report(history, ReportName.STOCK, MARCH)
    # Picked in the 5 days: A 2, B 2, C 4. Available (storage bins): A 10-2, B 0, C 100.
    assert figures(report) == {
        "demand_days": 5,
        "products_with_demand": 3,
        "low_stock_products": 1,
        "ledger_mismatches": 1,
    }
    cover = [(r["sku"], r["available"], r["demand_units"], r["days_of_cover"])
             for r in table(report, "days_of_cover")]  # fmt: skip
    assert cover == [
        ("SKU-B", 0, 2, Decimal("0.0")),
        ("SKU-A", 8, 2, Decimal("20.0")),
        ("SKU-C", 100, 4, Decimal("125.0")),
    ]
    assert [r["sku"] for r in table(report, "low_stock")] == ["SKU-B"]
    assert table(report, "ledger_mismatches") == [
        {"bin": "BIN-1", "sku": "SKU-A", "on_hand": 10, "ledger": 11, "difference": 1}
    ]


def test_cancel_mid_way_stops_between_statements(history: ServiceContext) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    cancel = threading.Event()
    statements: list[str] = []

    def after(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)
        if len(statements) == 3:
            # As the screen's Cancel button does, from another thread, while the report runs.
            setter = threading.Thread(target=cancel.set)
            setter.start()
            setter.join()

    event.listen(Engine, "after_cursor_execute", after)
    try:
        with pytest.raises(ReportCancelled):
            run_report(history, ReportName.ACCURACY, MARCH, cancel)
    finally:
        event.remove(Engine, "after_cursor_execute", after)
    assert 3 <= len(statements) < 8  # accuracy runs eight queries when not cancelled
