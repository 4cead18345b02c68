"""Filtered runs read and store closed days under their scope, and agree with the live answer
after every kind of write that changes a day or which orders a scope holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.services.reportdata import seed_history, t
from tests.services.test_report_rollups import live, shape
from wms_desk.db.models import (
    AuditEvent,
    Channel,
    LineShortage,
    Order,
    PackProgress,
    ReportRollup,
    Rma,
    RmaLine,
    Shipment,
    ShipmentLabel,
    Station,
    User,
)
from wms_desk.db.queries.reports import common, rollups
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.reports import run_report

MARCH = ReportFilters(start=date(2026, 3, 2), end=date(2026, 3, 6))
DAYS = {date(2026, 3, d) for d in range(2, 7)}
FILTERS = {
    "channel": replace(MARCH, channel="Shop"),
    "carrier": replace(MARCH, carrier="UPS"),
    "station": replace(MARCH, station="PACK-1"),
    "packer": replace(MARCH, packer="ben"),
    "channel+carrier": replace(MARCH, channel="Shop", carrier="UPS"),
    "station+packer": replace(MARCH, station="PACK-2", packer="ben"),
}
ALL = tuple(ReportName)


@pytest.fixture
def ctx(any_db_url: str):
    db = Database(any_db_url)
    seed_history(db)
    yield ServiceContext(db, system_actor(None, "rollup-scopes"))
    db.dispose()


def key(ctx: ServiceContext, filters: ReportFilters) -> str:
    with ctx.database.read_session() as session:
        return common.scope_key(common.resolve(session, filters))


def stored(ctx: ServiceContext, report: ReportName, scope: str) -> set[date]:
    """The days stored for `scope`: its rows, and for one filter kind the days a split pass
    stored it on with nothing in it (no row of its own: common.kind_marker)."""
    with ctx.database.read_session() as session:
        days = set(
            session.scalars(
                select(ReportRollup.day).where(
                    ReportRollup.report == report.value, ReportRollup.scope == scope
                )
            )
        )
        kind = next((k for k, p in common.KINDS.items() if scope.startswith(f"{p}=")), None)
        if kind == "carrier" or (kind is not None and ";" not in scope):  # one kind alone
            days |= rollups.covered(session, report.value, kind, scope, date.min, date.max)
        return days


def assert_all_live(ctx: ServiceContext, filters: ReportFilters, monkeypatch) -> None:
    for name in ALL:
        got = run_report(ctx, name, filters)
        assert shape(got) == shape(live(ctx, name, filters, monkeypatch)), name


def write(ctx: ServiceContext, change: Callable[[Session], None]) -> None:
    with ctx.database.write_session() as session, session.begin():
        change(session)


def order(session: Session, number: str) -> Order:
    return session.scalars(select(Order).where(Order.number == number)).one()


def test_the_scope_key_is_ids_in_a_fixed_order_with_the_carrier_last(ctx) -> None:
    with ctx.database.read_session() as session:
        shop = session.scalar(select(Channel.id).where(Channel.name == "Shop"))
        pack2 = session.scalar(select(Station.id).where(Station.name == "PACK-2"))
        ben = session.scalar(select(User.id).where(User.username == "ben"))
    everything = ReportFilters(
        start=MARCH.start, end=MARCH.end, channel="Shop", carrier="UPS", station="PACK-2",
        packer="ben", timezone="Europe/Berlin",
    )  # fmt: skip
    assert key(ctx, everything) == f"ch={shop};st={pack2};pk={ben};ca=UPS"
    assert key(ctx, MARCH) == key(ctx, replace(MARCH, timezone="Asia/Tokyo")) == ""
    assert key(ctx, FILTERS["carrier"]) == "ca=UPS"


@pytest.mark.parametrize("label", list(FILTERS))
@pytest.mark.parametrize("name", ALL, ids=lambda n: n.value)
def test_a_filtered_run_from_stored_days_equals_live(
    ctx: ServiceContext, name: ReportName, label: str, monkeypatch
) -> None:
    filters = FILTERS[label]
    first = run_report(ctx, name, filters)  # computes its scope's days and stores them
    scope = "" if name is ReportName.STOCK else key(ctx, filters)
    assert stored(ctx, name, scope) == DAYS
    warm = run_report(ctx, name, filters)  # reads them
    assert shape(first) == shape(warm) == shape(live(ctx, name, filters, monkeypatch))


def test_filtered_days_are_the_scopes_not_the_sites(ctx: ServiceContext, monkeypatch) -> None:
    site = {n: shape(run_report(ctx, n, MARCH)) for n in ALL}
    shop = FILTERS["channel"]
    filtered = {n: shape(run_report(ctx, n, shop)) for n in ALL}
    # The site's days and the channel's are both stored, and each run reads its own.
    for name in ALL:
        assert shape(run_report(ctx, name, MARCH)) == site[name]
        assert shape(run_report(ctx, name, shop)) == filtered[name]
        assert shape(live(ctx, name, MARCH, monkeypatch)) == site[name]
    assert site[ReportName.STATUS] != filtered[ReportName.STATUS]  # Wholesale's are left out
    assert stored(ctx, ReportName.STATUS, key(ctx, shop)) == DAYS


def test_fulfilment_time_under_a_station_or_packer_filter_live(
    ctx: ServiceContext, monkeypatch
) -> None:
    # Computed over orders joined to pack_progress: the filter's own pack_progress subquery
    # must not be correlated away (it crashed).
    for label in ("station", "packer", "station+packer"):
        report = live(ctx, ReportName.FULFILMENT_TIME, FILTERS[label], monkeypatch)
        figures = {f.key: f.value for f in report.figures}
        assert figures["shipped_orders"] == {"station": 2, "packer": 1, "station+packer": 1}[label]


def fill(ctx: ServiceContext, *filters: ReportFilters) -> None:
    for f in filters:
        for name in ALL:
            run_report(ctx, name, f)


def test_a_channel_change_forgets_the_orders_filtered_days(
    ctx: ServiceContext, monkeypatch
) -> None:
    shop, wholesale = FILTERS["channel"], replace(MARCH, channel="Wholesale")
    fill(ctx, MARCH, shop, wholesale)
    site_throughput = stored(ctx, ReportName.THROUGHPUT, "")

    def move_o1(session: Session) -> None:
        target = session.scalars(select(Channel).where(Channel.name == "Wholesale")).one()
        order(session, "O1").channel_id = target.id

    write(ctx, move_o1)
    # O1 came in, was picked, packed and shipped on 2 March: that day is forgotten under the
    # channel scopes; the site's throughput days do not depend on channels and stay.
    assert date(2026, 3, 2) not in stored(ctx, ReportName.THROUGHPUT, key(ctx, shop))
    assert stored(ctx, ReportName.THROUGHPUT, "") == site_throughput
    for filters in (shop, wholesale, MARCH):
        assert_all_live(ctx, filters, monkeypatch)


def test_a_void_takes_the_order_out_of_its_carrier(ctx: ServiceContext, monkeypatch) -> None:
    ups = FILTERS["carrier"]
    fill(ctx, MARCH, ups, FILTERS["channel+carrier"])
    before = run_report(ctx, ReportName.THROUGHPUT, ups)

    def void_o1(session: Session) -> None:
        s = session.scalars(select(Shipment).where(Shipment.order_id == order(session, "O1").id))
        shipment = s.one()
        shipment.status, shipment.voided_at = "voided", datetime.now(UTC)

    write(ctx, void_o1)
    for filters in (ups, FILTERS["channel+carrier"], MARCH):
        assert_all_live(ctx, filters, monkeypatch)
    after = run_report(ctx, ReportName.THROUGHPUT, ups)
    figures = {f.key: f.value for f in after.figures}
    assert figures["orders_packed"] == {f.key: f.value for f in before.figures}["orders_packed"] - 1


def test_a_label_bought_today_puts_an_old_order_in_its_carrier(
    ctx: ServiceContext, monkeypatch
) -> None:
    ups = FILTERS["carrier"]
    fill(ctx, MARCH, ups)

    def buy_ups_for_o2(session: Session) -> None:
        o2, now = order(session, "O2"), datetime.now(UTC)
        s = Shipment(
            order_id=o2.id, carrier="UPS", service="Ground", price=Decimal("6.00"),
            currency="USD", master_tracking="T-NEW-UPS", status="bought", ship_date=now.date(),
            bought_at=now,
        )  # fmt: skip
        s.labels = [
            ShipmentLabel(seq=1, count=1, tracking="T-NEW-UPS-0", format="zpl", data=b"",
                          weight_g=Decimal(500))
        ]  # fmt: skip
        session.add(s)

    write(ctx, buy_ups_for_o2)
    # Only today's day of carrier spend changed (not stored), but O2 (created, picked, packed
    # on 2 March, shipped on 3 March) now counts under UPS in the other reports.
    assert not {date(2026, 3, 2), date(2026, 3, 3)} & stored(ctx, ReportName.STATUS, "ca=UPS")
    assert stored(ctx, ReportName.STATUS, "") == DAYS
    assert_all_live(ctx, ups, monkeypatch)
    assert_all_live(ctx, MARCH, monkeypatch)


def test_a_packing_moved_to_another_station(ctx: ServiceContext, monkeypatch) -> None:
    pack1, pack2 = FILTERS["station"], replace(MARCH, station="PACK-2")
    fill(ctx, MARCH, pack1, pack2, FILTERS["station+packer"])

    def move(session: Session) -> None:
        station = session.scalars(select(Station).where(Station.name == "PACK-2")).one()
        progress = session.get(PackProgress, order(session, "O2").id)
        assert progress is not None
        progress.station_id = station.id

    write(ctx, move)
    for filters in (pack1, pack2, FILTERS["station+packer"], MARCH):
        assert_all_live(ctx, filters, monkeypatch)


def test_a_packing_credited_to_another_packer(ctx: ServiceContext, monkeypatch) -> None:
    ben, anna = FILTERS["packer"], replace(MARCH, packer="anna")
    fill(ctx, MARCH, ben, anna)

    def credit(session: Session) -> None:
        user = session.scalars(select(User).where(User.username == "ben")).one()
        progress = session.get(PackProgress, order(session, "O1").id)
        assert progress is not None
        progress.completed_by_id = user.id

    write(ctx, credit)
    for filters in (ben, anna, MARCH):
        assert_all_live(ctx, filters, monkeypatch)


def test_a_late_packing_of_an_old_order_enters_the_station(
    ctx: ServiceContext, monkeypatch
) -> None:
    pack2 = replace(MARCH, station="PACK-2")
    fill(ctx, pack2)

    def pack_o6_late(session: Session) -> None:
        # O6 (cancelled, Wholesale, came in on 5 March) gets a packing synced late, at PACK-2.
        station = session.scalars(select(Station).where(Station.name == "PACK-2")).one()
        session.add(
            PackProgress(order_id=order(session, "O6").id, started_at=t(5, 12),
                         completed_at=None, station_id=station.id)
        )  # fmt: skip

    write(ctx, pack_o6_late)
    assert date(2026, 3, 5) not in stored(ctx, ReportName.STATUS, key(ctx, pack2))
    assert_all_live(ctx, pack2, monkeypatch)


def test_scans_picks_and_returns_of_a_stored_day_reach_filtered_scopes(
    ctx: ServiceContext, monkeypatch
) -> None:
    scopes = (FILTERS["channel"], FILTERS["packer"], FILTERS["carrier"], FILTERS["station"])
    fill(ctx, MARCH, *scopes)

    def late(session: Session) -> None:
        o1, o3 = order(session, "O1"), order(session, "O3")
        anna = session.scalars(select(User).where(User.username == "anna")).one()
        ben = session.scalars(select(User).where(User.username == "ben")).one()
        # A wrong pack scan on O1 synced late into 2 March; a pick scan and a short pick by ben
        # on O3 on 3 March; O3 picked an hour later than recorded; a return on O1.
        session.add(
            AuditEvent(
                event_id="late-pack-scan", user_id=anna.id, created_at=t(2, 9, 45),
                action="pack.scan", subject_type="order", subject_id=str(o1.id),
                after={"outcome": "over_scan", "message": ""},
            )
        )  # fmt: skip
        session.add(
            AuditEvent(
                event_id="late-pick-scan", user_id=ben.id, created_at=t(3, 9, 55),
                action="pick.scan", subject_type="order", subject_id=str(o3.id),
                after={"outcome": "wrong_bin", "message": ""},
            )
        )  # fmt: skip
        session.add(
            LineShortage(order_line_id=o3.lines[0].id, stage="pick", qty=1, user_id=ben.id,
                         created_at=t(3, 10, 5))
        )  # fmt: skip
        assert o3.picked_at is not None
        o3.picked_at = o3.picked_at + timedelta(hours=1)
        rma = Rma(number="R-LATE", order_id=o1.id, status="resolved", created_at=t(7, 9))
        rma.lines = [RmaLine(order_line_id=o1.lines[1].id, qty=2, reason="damaged")]
        session.add(rma)

    write(ctx, late)
    for filters in (*scopes, MARCH):
        assert_all_live(ctx, filters, monkeypatch)
    figures = {
        f.key: f.value for f in run_report(ctx, ReportName.ACCURACY, FILTERS["packer"]).figures
    }
    assert (figures["wrong_pick_scans"], figures["short_pick_lines"]) == (1, 1)
