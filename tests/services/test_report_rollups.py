"""Rollups and the ledger checkpoint give the same reports as computing everything live."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from tests.services.reportdata import seed_history, t
from wms_desk.db.models import (
    AuditEvent,
    BinStock,
    Channel,
    LedgerCheckpoint,
    LineShortage,
    Order,
    OrderLine,
    Package,
    PackProgress,
    Refund,
    ReportRollup,
    Rma,
    RmaLine,
    Shipment,
    ShipmentLabel,
    StockMove,
)
from wms_desk.db.queries.reports import (
    accuracy,
    carrier_spend,
    fulfilment,
    returns,
    rollups,
    status,
    stock_days,
    throughput,
)
from wms_desk.domain.report_periods import Window
from wms_desk.domain.reports import Report, ReportFilters, ReportName
from wms_desk.services import report_rollups
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.reports import run_report

MARCH = ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6))
BERLIN = "Europe/Berlin"


@pytest.fixture
def ctx(any_db_url: str):
    db = Database(any_db_url)
    seed_history(db)
    yield ServiceContext(db, system_actor(None, "rollups"))
    db.dispose()


def shape(report: Report) -> tuple[object, ...]:
    return (report.figures, report.tables, report.chart, report.notes)


def live(ctx: ServiceContext, name: ReportName, filters: ReportFilters, monkeypatch) -> Report:
    """The report with every pre-aggregate ignored: each day and the whole ledger summed."""
    with monkeypatch.context() as m:
        m.setattr(throughput, "from_days", lambda _q: False)
        m.setattr(carrier_spend, "from_days", lambda _q: False)
        m.setattr(accuracy, "from_days", lambda _q: False)
        m.setattr(returns, "from_days", lambda _q: False)
        m.setattr(status, "from_days", lambda _q: False)
        m.setattr(fulfilment, "from_days", lambda _q: False)
        m.setattr(stock_days, "eligible", lambda _q: False)
        m.setattr(report_rollups, "bring_up_to_date", lambda *_a, **_k: None)
        m.setattr("wms_desk.db.queries.reports.ledger.checkpoint", lambda _s: (0, {}))
        return run_report(ctx, name, filters)


def stored_days(ctx: ServiceContext, report: str = "throughput") -> set[date]:
    with ctx.database.read_session() as session:
        return set(session.scalars(select(ReportRollup.day).where(ReportRollup.report == report)))


def spend(report: Report) -> dict[str, object]:
    return {f.key: f.value for f in report.figures}


def test_throughput_from_closed_days_equals_live(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.THROUGHPUT, MARCH)  # fills the days
    assert stored_days(ctx) == {date(2026, 3, d) for d in range(2, 7)}
    warm = run_report(ctx, ReportName.THROUGHPUT, MARCH)  # reads them
    assert (
        shape(first) == shape(warm) == shape(live(ctx, ReportName.THROUGHPUT, MARCH, monkeypatch))
    )
    assert {f.key: f.value for f in warm.figures}["orders_packed"] == 4


def test_a_late_pack_in_a_rolled_up_day_is_counted(ctx: ServiceContext, monkeypatch) -> None:
    run_report(ctx, ReportName.THROUGHPUT, MARCH)
    with ctx.database.write_session() as session, session.begin():
        channel = session.scalars(select(Channel)).first()
        assert channel is not None
        order = Order(channel_id=channel.id, external_id="late", number="LATE", status="packed")
        order.lines = [OrderLine(line_no=1, sku="SKU-A", qty=5, packed_qty=5)]
        session.add(order)
        session.flush()
        # Packed on 3 March (a stored day), recorded only now (a station's queue, a clock).
        session.add(PackProgress(order_id=order.id, started_at=t(3, 15), completed_at=t(3, 15)))
    assert date(2026, 3, 3) not in stored_days(ctx)  # the trigger forgot that day
    report = run_report(ctx, ReportName.THROUGHPUT, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.THROUGHPUT, MARCH, monkeypatch))
    figures = {f.key: f.value for f in report.figures}
    assert (figures["orders_packed"], figures["units_packed"], figures["active_hours"]) == (
        5,
        15,
        5,
    )


def test_units_changed_on_a_packed_order_forget_its_day(ctx: ServiceContext, monkeypatch) -> None:
    run_report(ctx, ReportName.THROUGHPUT, MARCH)
    with ctx.database.write_session() as session, session.begin():
        o1 = session.scalars(select(Order).where(Order.number == "O1")).one()
        session.execute(update(OrderLine).where(OrderLine.order_id == o1.id).values(packed_qty=0))
    assert date(2026, 3, 2) not in stored_days(ctx)
    report = run_report(ctx, ReportName.THROUGHPUT, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.THROUGHPUT, MARCH, monkeypatch))
    assert {f.key: f.value for f in report.figures}["units_packed"] == 10 - 3


@pytest.mark.parametrize(
    "day",
    [date(2026, 3, 29), date(2026, 10, 25)],  # 23 and 25 hours in Berlin
)
def test_days_across_a_daylight_saving_change(ctx: ServiceContext, day: date, monkeypatch) -> None:
    with ctx.database.write_session() as session, session.begin():
        channel = session.scalars(select(Channel)).first()
        assert channel is not None
        for n, hour in enumerate((0, 1, 2, 22, 23)):
            at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC)
            order = Order(
                channel_id=channel.id, external_id=f"d{n}", number=f"D{n}", status="packed"
            )
            order.lines = [OrderLine(line_no=1, sku="SKU-A", qty=1, packed_qty=1)]
            session.add(order)
            session.flush()
            session.add(PackProgress(order_id=order.id, started_at=at, completed_at=at))
    for filters in (
        ReportFilters(start=day, end=day, timezone=BERLIN),  # hourly, both ends mid-UTC-day
        ReportFilters(start=date(day.year, day.month, 1), end=day, timezone=BERLIN),  # daily
        ReportFilters(start=date(2026, 1, 1), end=date(2026, 11, 30), timezone=BERLIN),  # monthly
    ):
        warm = run_report(ctx, ReportName.THROUGHPUT, filters)
        assert shape(warm) == shape(live(ctx, ReportName.THROUGHPUT, filters, monkeypatch))
    assert stored_days(ctx)  # the long ranges did read closed days


def test_a_half_hour_zone_is_computed_live_and_agrees(ctx: ServiceContext, monkeypatch) -> None:
    filters = ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6), timezone="Asia/Kolkata")
    report = run_report(ctx, ReportName.THROUGHPUT, filters)
    assert not stored_days(ctx)  # boundaries at :30 UTC: no day is read or stored
    assert shape(report) == shape(live(ctx, ReportName.THROUGHPUT, filters, monkeypatch))


def test_closed_days_leave_today_and_the_grace_period_live() -> None:
    now = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 9 March ended an hour ago
    window = Window(datetime(2026, 3, 7, 23, tzinfo=UTC), datetime(2026, 3, 10, 23, tzinfo=UTC))
    assert rollups.closed_days(window, now) == (date(2026, 3, 8), date(2026, 3, 8))
    later = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    days = rollups.closed_days(window, later)
    assert days == (date(2026, 3, 8), date(2026, 3, 9))
    assert rollups.pieces(window, days) == [
        Window(window.start, datetime(2026, 3, 8, tzinfo=UTC)),
        Window(datetime(2026, 3, 10, tzinfo=UTC), window.end),
    ]


def test_the_ledger_checkpoint_moves_forward_and_stays_exact(
    ctx: ServiceContext, monkeypatch
) -> None:
    db = ctx.database
    assert report_rollups.refresh_ledger(db, after_moves=1) is not None
    with db.read_session() as session:
        first = session.scalar(select(LedgerCheckpoint.through_move_id))
        assert first == session.scalar(select(func.max(StockMove.id)))
    # Moves after the checkpoint (one of them puts BIN-1's SKU-A right, one puts B wrong).
    with db.write_session() as session, session.begin():
        a_bin1 = session.scalars(select(BinStock).where(BinStock.on_hand == 10)).one()
        session.add(
            StockMove(
                product_id=a_bin1.product_id, qty=1, reason="count", from_bin_id=a_bin1.bin_id
            )
        )
        b = session.scalars(select(BinStock).where(BinStock.on_hand == 0)).one()
        session.add(StockMove(product_id=b.product_id, qty=3, reason="receive", to_bin_id=b.bin_id))
    expected = shape(live(ctx, ReportName.STOCK, MARCH, monkeypatch))
    report = run_report(ctx, ReportName.STOCK, MARCH)  # 2 moves after: checkpoint not moved
    assert shape(report) == expected
    mismatches = next(x for x in report.tables if x.key == "ledger_mismatches").rows
    assert [(r[1], r[4]) for r in mismatches] == [("SKU-B", 3)]
    assert report_rollups.refresh_ledger(db, after_moves=1) == first + 2
    assert shape(run_report(ctx, ReportName.STOCK, MARCH)) == expected


def test_carrier_spend_from_closed_days_equals_live(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.CARRIER_SPEND, MARCH)
    assert stored_days(ctx, "carrier-spend") == {date(2026, 3, d) for d in range(2, 7)}
    warm = run_report(ctx, ReportName.CARRIER_SPEND, MARCH)
    expected = live(ctx, ReportName.CARRIER_SPEND, MARCH, monkeypatch)
    assert shape(first) == shape(warm) == shape(expected)
    assert spend(warm)["spend_usd"] == Decimal("34.50")  # the hand count (test_reports.py)


def test_a_void_and_a_second_day_of_the_same_order(ctx: ServiceContext, monkeypatch) -> None:
    run_report(ctx, ReportName.CARRIER_SPEND, MARCH)
    with ctx.database.write_session() as session, session.begin():
        bought = session.scalars(
            select(Shipment)
            .where(Shipment.status == "bought", Shipment.bought_at >= t(1, 0))
            .order_by(Shipment.bought_at)
        ).all()
        first, other = bought[0], bought[1]
        voided_day = first.bought_at.date()
        first.status, first.voided_at = "voided", datetime.now(UTC)
        # The other order bought again, same carrier and service, two days later (a rolled-up
        # day): it is one order of that group, not two.
        at = other.bought_at + timedelta(days=2)
        again = Shipment(
            order_id=other.order_id, carrier=other.carrier, service=other.service,
            price=Decimal("5.00"), currency=other.currency, master_tracking="T-AGAIN",
            status="bought", ship_date=at.date(), bought_at=at,
        )  # fmt: skip
        again.labels = [
            ShipmentLabel(seq=1, count=1, tracking="T-AGAIN-0", format="zpl", data=b"",
                          weight_g=Decimal(500))
        ]  # fmt: skip
        session.add(again)
    assert voided_day not in stored_days(ctx, "carrier-spend")
    report = run_report(ctx, ReportName.CARRIER_SPEND, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.CARRIER_SPEND, MARCH, monkeypatch))
    assert spend(report)["voided"] == 2
    assert spend(report)["orders_usd"] == 2  # 3 orders, one voided; the other bought twice
    warm = run_report(ctx, ReportName.CARRIER_SPEND, MARCH)  # every day stored again
    assert shape(warm) == shape(report)
    assert stored_days(ctx, "carrier-spend") == {date(2026, 3, d) for d in range(2, 7)}


def test_accuracy_from_closed_days_equals_live(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.ACCURACY, MARCH)
    assert stored_days(ctx, "accuracy") == {date(2026, 3, d) for d in range(2, 7)}
    warm = run_report(ctx, ReportName.ACCURACY, MARCH)
    assert shape(first) == shape(warm) == shape(live(ctx, ReportName.ACCURACY, MARCH, monkeypatch))
    assert spend(warm)["wrong_pack_scans"] == 3  # the hand count (test_reports.py)


def test_late_scans_boxes_and_shorts_reach_accuracy(ctx: ServiceContext, monkeypatch) -> None:
    run_report(ctx, ReportName.ACCURACY, MARCH)
    with ctx.database.write_session() as session, session.begin():
        o3 = session.scalars(select(Order).where(Order.number == "O3")).one()
        # A wrong scan synced late into 4 March, a box re-checked on its day, a short on O3.
        session.add(
            AuditEvent(
                event_id="late-scan", user_id=None, created_at=t(4, 9), action="pack.scan",
                subject_type="order", subject_id=str(o3.id),
                after={"outcome": "wrong_item", "message": ""},
            )
        )  # fmt: skip
        box = session.scalars(select(Package).where(Package.weight_check == "warn")).first()
        assert box is not None and box.weighed_at is not None
        changed_day = box.weighed_at.date()
        box.weight_check = "ok"
        session.add(
            LineShortage(
                order_line_id=o3.lines[0].id, stage="pick", qty=2, reason="bin empty",
                created_at=t(5, 9),
            )
        )  # fmt: skip
    stale = {date(2026, 3, 4), changed_day, date(2026, 3, 5)}
    assert not stale & stored_days(ctx, "accuracy")
    report = run_report(ctx, ReportName.ACCURACY, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.ACCURACY, MARCH, monkeypatch))
    figures = spend(report)
    assert (figures["wrong_pack_scans"], figures["weight_mismatches"]) == (4, 1)
    assert (figures["short_pick_lines"], figures["short_pick_units"]) == (2, 3)


def test_returns_from_closed_days_equals_live(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.RETURNS, MARCH)
    assert stored_days(ctx, "returns") == {date(2026, 3, d) for d in range(2, 7)}
    warm = run_report(ctx, ReportName.RETURNS, MARCH)
    assert shape(first) == shape(warm) == shape(live(ctx, ReportName.RETURNS, MARCH, monkeypatch))
    assert spend(warm)["orders_returned"] == 2  # the hand count (test_reports.py)


def test_a_late_return_a_refund_and_a_void_reach_returns(ctx: ServiceContext, monkeypatch) -> None:
    run_report(ctx, ReportName.RETURNS, MARCH)
    with ctx.database.write_session() as session, session.begin():
        o2 = session.scalars(select(Order).where(Order.number == "O2")).one()
        o3 = session.scalars(select(Order).where(Order.number == "O3")).one()
        late = Rma(number="R-LATE", order_id=o2.id, status="resolved", created_at=datetime.now(UTC))
        late.lines = [RmaLine(order_line_id=o2.lines[0].id, qty=1, reason="damaged")]
        session.add(late)
        session.flush()
        session.add(
            Refund(
                rma_id=late.id, method="original", currency="USD", goods=Decimal("4.00"),
                discount=Decimal(0), tax=Decimal(0), restocking_fee=Decimal(0),
                shipping=Decimal(0), total=Decimal("4.00"), created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        days = {o2.shipped_at.date(), o3.shipped_at.date()}  # type: ignore[union-attr]
        o3.shipped_at = None  # its label voided: no longer shipped
    assert not days & stored_days(ctx, "returns")
    report = run_report(ctx, ReportName.RETURNS, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.RETURNS, MARCH, monkeypatch))
    figures = spend(report)
    assert (figures["orders_shipped"], figures["orders_returned"]) == (2, 2)  # O1, O2
    assert figures["refunded_usd"] == Decimal("13.99")  # 9.99 (O1) + 4.00 (O2)


def test_status_from_closed_days_follows_every_change(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.STATUS, MARCH)
    assert stored_days(ctx, "status") == {date(2026, 3, d) for d in range(2, 7)}
    assert shape(first) == shape(live(ctx, ReportName.STATUS, MARCH, monkeypatch))
    with ctx.database.write_session() as session, session.begin():
        new = session.scalars(select(Order).where(Order.status == "new")).one()
        day = new.created_at.date()
        new.status = "cancelled"  # weeks after the day it came in
    assert day not in stored_days(ctx, "status")
    report = run_report(ctx, ReportName.STATUS, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.STATUS, MARCH, monkeypatch))
    assert {f.key: f.value for f in report.figures}["cancelled"] == 2


def test_fulfilment_percentiles_from_closed_days_equal_live(
    ctx: ServiceContext, monkeypatch
) -> None:
    first = run_report(ctx, ReportName.FULFILMENT_TIME, MARCH)
    assert stored_days(ctx, "fulfilment-time") == {date(2026, 3, d) for d in range(2, 7)}
    expected = shape(live(ctx, ReportName.FULFILMENT_TIME, MARCH, monkeypatch))
    assert shape(first) == shape(run_report(ctx, ReportName.FULFILMENT_TIME, MARCH)) == expected
    assert spend(first)["placed_to_shipped_median_s"] == 24 * 3600  # the hand count
    with ctx.database.write_session() as session, session.begin():
        # O2 corrected: shipped two hours earlier than recorded, on the same stored day.
        o2 = session.scalars(select(Order).where(Order.number == "O2")).one()
        assert o2.shipped_at is not None
        o2.shipped_at = o2.shipped_at - timedelta(hours=2)
        day = o2.shipped_at.date()
    assert day not in stored_days(ctx, "fulfilment-time")
    report = run_report(ctx, ReportName.FULFILMENT_TIME, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.FULFILMENT_TIME, MARCH, monkeypatch))
    assert spend(report)["placed_to_shipped_median_s"] == 22 * 3600


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 99, 100, 101])
def test_kth_over_sorted_days_is_the_nearest_rank(n: int) -> None:
    from array import array

    from wms_desk.db.queries.reports.fulfilment_days import kth

    values = [(i * 7919) % 1000 - 300 for i in range(n)]  # repeats and negatives
    days = [array("q", sorted(values[i::3])) for i in range(3)]
    for p in (50, 90):
        k = (n * p + 99) // 100
        assert kth(days, k) == sorted(values)[k - 1]


def test_stock_demand_from_closed_days_and_a_late_pick(ctx: ServiceContext, monkeypatch) -> None:
    first = run_report(ctx, ReportName.STOCK, MARCH)
    assert stored_days(ctx, "stock") == {date(2026, 3, d) for d in range(2, 7)}
    assert shape(first) == shape(live(ctx, ReportName.STOCK, MARCH, monkeypatch))
    with ctx.database.write_session() as session, session.begin():
        a_bin1 = session.scalars(select(BinStock).where(BinStock.on_hand == 10)).one()
        # A pick made on 4 March, synced only now (and the cache kept in step).
        session.add(
            StockMove(product_id=a_bin1.product_id, qty=3, reason="pick",
                      from_bin_id=a_bin1.bin_id, created_at=t(4, 12))
        )  # fmt: skip
        a_bin1.on_hand -= 3
    assert date(2026, 3, 4) not in stored_days(ctx, "stock")
    report = run_report(ctx, ReportName.STOCK, MARCH)
    assert shape(report) == shape(live(ctx, ReportName.STOCK, MARCH, monkeypatch))
    cover = {r[0]: r[5] for r in next(x for x in report.tables if x.key == "days_of_cover").rows}
    assert cover["SKU-A"] == 2 + 3
