"""Split passes: every value of one filter kind computed in one grouped pass stores what a run
per value would, so the first run of another value reads stored days; a stale or new day is
split again, for every value, by the kind's next run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.services.reportdata import seed_history, t
from tests.services.test_report_rollup_scopes import ALL, DAYS, MARCH, key, order, write
from tests.services.test_report_rollups import live, shape
from wms_desk.db.models import Channel, ReportRollup, Shipment, Station, User
from wms_desk.db.queries.reports import common, rollups
from wms_desk.domain.report_periods import Window
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.services import report_rollups
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.reports import run_report

SPLIT = {name: r for name, r in report_rollups.ROLLUPS.items() if r.split is not None}
WINDOW = Window(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC))


@pytest.fixture
def ctx(any_db_url: str):
    db = Database(any_db_url)
    seed_history(db)
    with db.write_session() as session, session.begin():
        # O1 bought twice more: UPS again on another day (one carrier twice must count the
        # order once) and FedEx (an order in two carriers' scopes).
        o1 = order(session, "O1")
        for carrier, at, price in (("UPS", t(4, 9, 0), "3.00"), ("FedEx", t(5, 9, 0), "4.00")):
            session.add(
                Shipment(
                    order_id=o1.id, carrier=carrier, service="Ground", price=Decimal(price),
                    currency="USD", master_tracking=f"X{carrier}", status="bought",
                    ship_date=at.date(), bought_at=at,
                )
            )  # fmt: skip
    yield ServiceContext(db, system_actor(None, "rollup-splits"))
    db.dispose()


def values(session: Session) -> dict[str, list[tuple[Any, str]]]:
    """Every value of every kind: (id or carrier, the filter's name for it)."""
    return {
        "channel": [(i, n) for i, n in session.execute(select(Channel.id, Channel.name))],
        "station": [(i, n) for i, n in session.execute(select(Station.id, Station.name))],
        "packer": [(i, n) for i, n in session.execute(select(User.id, User.username))],
        "carrier": [(c, c) for c in session.scalars(select(Shipment.carrier).distinct())],
    }


def encoded(rollup: rollups.Rollup[Any], days: dict[date, Any]) -> dict[date, str]:
    return {d: rollup.encode(p) for d, p in days.items()}


@pytest.mark.parametrize("kind", list(common.KINDS))
@pytest.mark.parametrize("name", list(SPLIT), ids=lambda n: n.value)
def test_a_split_pass_stores_what_a_run_per_value_computes(
    ctx: ServiceContext, name: ReportName, kind: str
) -> None:
    rollup = SPLIT[name]
    assert rollup.split is not None
    with ctx.database.read_session() as session:
        site = rollups.Query(session, common.resolve(session, MARCH))
        split = rollup.split(site, WINDOW, kind)
        nonempty = 0
        for value, label in values(session)[kind]:
            one = rollups.Query(session, common.resolve(session, replace(MARCH, **{kind: label})))
            scope = common.value_scope(kind, value)
            assert scope == common.scope_key(one.scope)
            alone = encoded(rollup, rollup.live(one, WINDOW))
            assert encoded(rollup, split.get(scope, {})) == alone, (kind, label)
            nonempty += bool(alone)
        assert set(split) <= {common.value_scope(kind, v) for v, _n in values(session)[kind]}
    assert nonempty >= 2  # the data has two values of every kind with something in them


def rows(ctx: ServiceContext, report: ReportName, scope: str) -> set[date]:
    with ctx.database.read_session() as session:
        return set(
            session.scalars(
                select(ReportRollup.day).where(
                    ReportRollup.report == report.value, ReportRollup.scope == scope
                )
            )
        )


def no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a run that computes any day (stored or not) instead of reading it."""

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("a day was computed")

    def no_days(_q: object, _rollup: object, days: list[date]) -> dict[date, Any]:
        assert not days, f"computed {days}"
        return {}

    monkeypatch.setattr(rollups, "compute", no_days)
    monkeypatch.setattr(report_rollups, "_store_split", refuse)
    monkeypatch.setattr(report_rollups, "_store_days", refuse)


@pytest.mark.parametrize(
    "first,second",
    [
        ({"channel": "Shop"}, {"channel": "Wholesale"}),
        ({"carrier": "UPS"}, {"carrier": "DHL"}),
        ({"station": "PACK-1"}, {"station": "PACK-2"}),
        ({"packer": "anna"}, {"packer": "ben"}),
    ],
    ids=lambda f: next(iter(f)),
)
def test_another_value_of_the_kind_reads_stored_days_on_its_first_run(
    ctx: ServiceContext, first: dict[str, str], second: dict[str, str], monkeypatch
) -> None:
    one, other = replace(MARCH, **first), replace(MARCH, **second)
    expected = {n: shape(live(ctx, n, other, monkeypatch)) for n in ALL}
    for name in ALL:
        run_report(ctx, name, one)  # splits the kind's days: every value's are stored
    kind = next(iter(first))
    for name in SPLIT:
        assert rows(ctx, name, common.kind_marker(kind)) == DAYS
    with monkeypatch.context() as m:
        no_computing(m)
        for name in SPLIT:
            assert shape(run_report(ctx, name, other)) == expected[name], name


def test_a_stale_day_of_one_channel_is_split_again_for_the_channel(
    ctx: ServiceContext, monkeypatch
) -> None:
    shop, wholesale = replace(MARCH, channel="Shop"), replace(MARCH, channel="Wholesale")
    for name in SPLIT:
        run_report(ctx, name, shop)
    shop_key, wholesale_key = key(ctx, shop), key(ctx, wholesale)
    marker = common.kind_marker("channel")

    def move_o1(session: Session) -> None:
        target = session.scalars(select(Channel).where(Channel.name == "Wholesale")).one()
        order(session, "O1").channel_id = target.id

    write(ctx, move_o1)
    # O1 came in, was picked, packed and shipped on 2 March: every channel's day is forgotten
    # with the marker, so neither channel reads it as stored (or as empty).
    for name in SPLIT:
        assert date(2026, 3, 2) not in rows(ctx, name, marker)
        assert date(2026, 3, 2) not in rows(ctx, name, shop_key)
    for name in SPLIT:
        assert shape(run_report(ctx, name, wholesale)) == shape(
            live(ctx, name, wholesale, monkeypatch)
        )
        assert rows(ctx, name, marker) == DAYS  # the day split again, for both channels
    with monkeypatch.context() as m:
        no_computing(m)
        got = {n: shape(run_report(ctx, n, shop)) for n in SPLIT}
    for name in SPLIT:
        assert got[name] == shape(live(ctx, name, shop, monkeypatch)), name
    assert wholesale_key != shop_key


def test_a_forgotten_day_is_split_by_the_kinds_next_run_not_the_sites(
    ctx: ServiceContext, monkeypatch
) -> None:
    ups, dhl = replace(MARCH, carrier="UPS"), replace(MARCH, carrier="DHL")
    run_report(ctx, ReportName.THROUGHPUT, ups)
    marker = common.kind_marker("carrier")
    with ctx.database.write_session() as session, session.begin():
        session.execute(
            ReportRollup.__table__.delete().where(ReportRollup.day == date(2026, 3, 3))
        )  # as a write to 3 March would
    run_report(ctx, ReportName.THROUGHPUT, MARCH)  # the site's refresh: its own day only
    assert rows(ctx, ReportName.THROUGHPUT, "") == DAYS
    assert rows(ctx, ReportName.THROUGHPUT, marker) == DAYS - {date(2026, 3, 3)}
    got = shape(run_report(ctx, ReportName.THROUGHPUT, dhl))  # splits 3 March for carriers
    assert got == shape(live(ctx, ReportName.THROUGHPUT, dhl, monkeypatch))
    assert rows(ctx, ReportName.THROUGHPUT, marker) == DAYS
    with monkeypatch.context() as m:
        no_computing(m)
        got = shape(run_report(ctx, ReportName.THROUGHPUT, ups))
    assert got == shape(live(ctx, ReportName.THROUGHPUT, ups, monkeypatch))


def test_a_new_station_is_not_read_as_empty_in_accuracy(ctx: ServiceContext, monkeypatch) -> None:
    # Short picks are every station's: a station added after the split is not one it listed.
    run_report(ctx, ReportName.ACCURACY, replace(MARCH, station="PACK-1"))
    with ctx.database.write_session() as session, session.begin():
        session.add(Station(name="PACK-9"))
    pack9 = replace(MARCH, station="PACK-9")
    report = run_report(ctx, ReportName.ACCURACY, pack9)
    assert shape(report) == shape(live(ctx, ReportName.ACCURACY, pack9, monkeypatch))
    figures = {f.key: f.value for f in report.figures}
    assert figures["short_pick_lines"]  # the site's short picks, as live
    # That first run split the days again, now listing PACK-9: the next one reads them.
    with monkeypatch.context() as m:
        no_computing(m)
        again = run_report(ctx, ReportName.ACCURACY, pack9)
    assert shape(again) == shape(report)


def test_combinations_are_computed_for_their_own_scope(ctx: ServiceContext, monkeypatch) -> None:
    both = ReportFilters(start=MARCH.start, end=MARCH.end, channel="Shop", carrier="UPS")
    for name in SPLIT:
        assert shape(run_report(ctx, name, both)) == shape(live(ctx, name, both, monkeypatch))
        assert rows(ctx, name, key(ctx, both)) == DAYS
        assert rows(ctx, name, common.kind_marker("channel")) == set()
