"""The dashboard's numbers on a hand-counted floor (tests/services/dashboard_seed.py), on the
run's backend, at a fixed clock: each count, and the orders each number opens."""

from __future__ import annotations

import pytest

from tests.services.dashboard_seed import FIXED_NOW, FIXED_OFFSET, Floor, seed_floor
from wms_desk.db.queries import dashboard as q
from wms_desk.db.queries import queue as queue_q
from wms_desk.domain.dashboard import Backlog, ExceptionKind, Measure, hourly_chart
from wms_desk.services.context import ServiceContext
from wms_desk.services.dashboard import (
    DashboardSnapshot,
    OrderSelection,
    dashboard,
    orders_behind,
)
from wms_desk.services.database import Database


@pytest.fixture
def floor(database: Database) -> Floor:
    return seed_floor(database, FIXED_NOW, FIXED_OFFSET)


@pytest.fixture
def snap(system_ctx: ServiceContext, floor: Floor) -> DashboardSnapshot:
    return dashboard(system_ctx, FIXED_NOW, FIXED_OFFSET)


def _queue_ids(ctx: ServiceContext, selection: OrderSelection) -> tuple[int, ...]:
    """What the queue shows for a selection (named first, as a click does), at the same clock."""
    named = orders_behind(ctx, selection)
    assert named.count == selection.count, selection.title
    request = queue_q.QueueRequest(named.filter, limit=1000).at(FIXED_NOW, FIXED_OFFSET)
    with ctx.database.read_session() as session, session.begin():
        return tuple(sorted(r.id for r in queue_q.page_rows(session, request)))


def test_orders_by_status_now(snap: DashboardSnapshot) -> None:
    counts = {t.key: t.count for t in snap.statuses}
    assert counts == {
        "new": 3, "allocated": 1, "backordered": 0, "picking": 1, "picked": 0, "packing": 0,
        "packed": 1, "shipped": 2, "cancelled": 1, "on_hold": 1, "partly_returned": 0,
        "returned": 0,
    }  # fmt: skip
    assert not any(t.capped for t in snap.statuses)


def test_closed_statuses_stop_at_the_cap_open_ones_do_not(database: Database, floor: Floor) -> None:
    with database.read_session() as session, session.begin():
        counts = q.status_counts(session, cap=1)
    assert counts["shipped"] == 2  # cap + 1: "1+"
    assert counts["new"] == 3  # open: exact whatever the cap


def test_backlog_against_ship_by(snap: DashboardSnapshot, floor: Floor, system_ctx) -> None:
    counts = {t.key: t.count for t in snap.backlog}
    assert counts == {"late": 2, "today": 2, "tomorrow": 1}
    expected = {"late": ("A1", "A2"), "today": ("A3", "A4"), "tomorrow": ("A5",)}
    for tile in snap.backlog:
        assert _queue_ids(system_ctx, tile.selection) == floor.of(*expected[tile.key]), tile.key
        with system_ctx.database.read_session() as session, session.begin():
            today = q.Today.at(FIXED_NOW, FIXED_OFFSET)
            ids = q.backlog_ids(session, Backlog(tile.key), today)
        assert tuple(ids) == floor.of(*expected[tile.key])


def test_exceptions_today_and_the_orders_behind_them(
    snap: DashboardSnapshot, floor: Floor, system_ctx
) -> None:
    expected = {
        ExceptionKind.SHORT_PICK: ("A2",),
        ExceptionKind.WRONG_SCAN: ("A4", "S1"),
        ExceptionKind.WEIGHT_MISMATCH: ("A4",),
        ExceptionKind.PRINT_FAILURE: ("A3",),
        ExceptionKind.VOIDED_LABEL: ("S1",),
    }
    tiles = {ExceptionKind(t.key): t for t in snap.exceptions}
    for kind, labels in expected.items():
        assert tiles[kind].count == len(labels), kind
        assert _queue_ids(system_ctx, tiles[kind].selection) == floor.of(*labels), kind


def test_packed_and_shipped_today_per_hour_station_and_packer(
    snap: DashboardSnapshot, floor: Floor, system_ctx
) -> None:
    assert snap.packed_today.count == 2 and snap.shipped_today.count == 2
    assert _queue_ids(system_ctx, snap.packed_today.selection) == floor.of("S1", "A4")
    assert _queue_ids(system_ctx, snap.shipped_today.selection) == floor.of("S1", "S2")
    stations = {r.name: (r.packed.count, r.shipped.count) for r in snap.stations}
    assert stations == {"pack-01": (1, 1), "pack-02": (1, 2)}
    packers = {r.name: (r.packed.count, r.shipped.count) for r in snap.packers}
    assert packers == {"Pat Packer": (1, 1), "Kim Packer": (1, 2)}
    kim = next(r for r in snap.packers if r.name == "Kim Packer")
    assert _queue_ids(system_ctx, kim.shipped) == floor.of("S1", "S2")
    # Local 16:30: the chart runs 00:00..16:00; S1 packed in hour 9, A4 in 11; S2 shipped in
    # hour 0, S1 in 4 (the voided label) and 11.
    assert snap.last_hour == 16
    chart = hourly_chart(snap.work, snap.last_hour)
    packed, shipped = ({label: int(v) for label, v in s.points if v} for s in chart.series)
    assert packed == {"09:00": 1, "11:00": 1} and shipped == {"00:00": 1, "04:00": 1, "11:00": 1}
    assert len(chart.series[0].points) == 17
    only_kim = hourly_chart(snap.work, snap.last_hour, packer="Kim Packer")
    assert sum(v for _l, v in only_kim.series[0].points) == 1
    hour = snap.hour_selection(Measure.SHIPPED, 11)
    assert _queue_ids(system_ctx, hour) == floor.of("S1")
    at_two = snap.hour_selection(Measure.PACKED, 11, station="pack-02")
    assert at_two.count == 1 and _queue_ids(system_ctx, at_two) == floor.of("A4")
    assert snap.hour_selection(Measure.PACKED, 11, station="pack-01").count == 0


def test_an_empty_selection_shows_no_orders(snap: DashboardSnapshot, system_ctx) -> None:
    tile = next(t for t in snap.backlog if t.key == "late")
    assert tile.count == 2
    empty = snap.hour_selection(Measure.PACKED, 3)
    assert empty.count == 0 and _queue_ids(system_ctx, empty) == ()
