"""Throughput: orders and units packed, per packer and station, per hour they were at work.

An order counts when its packing completed in the range (pack_progress.completed_at). "Per hour"
divides by active hours: the clock hours in which the packer (or station) completed at least one
order, so a packer who worked two hours of an eight-hour range is not diluted by the other six.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, distinct, func, literal, select, union_all

from wms_desk.db.models import OrderLine, PackProgress, Station, User
from wms_desk.db.queries.reports import rollups, throughput_days
from wms_desk.db.queries.reports.common import (
    Parts,
    Query,
    chart_buckets,
    in_window,
    ratio,
    utc_hour,
)
from wms_desk.domain.report_periods import BucketSize, Window
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind

UNKNOWN = "(not recorded)"


def packed_terms(q: Query) -> list[ColumnElement[bool]]:
    """Packing completed in the range under every filter."""
    return throughput_days.packed_terms(q, q.scope.window)


def _names(q: Query, model: Any, label: Any, ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    names: dict[int | None, str] = {None: UNKNOWN}
    if wanted:
        names.update(q.rows(select(model.id, label).where(model.id.in_(wanted))))
    return names


@dataclass(frozen=True)
class Gathered:
    """What the figures are made of, however it was read (live, or closed days + live ends)."""

    counted: list[tuple[int | None, int | None, int]]  # (packer, station, orders)
    units: dict[tuple[int | None, int | None], int]
    hours_by_packer: dict[int | None, int]
    hours_by_station: dict[int | None, int]
    all_hours: int
    size: BucketSize
    series: tuple[tuple[str, Decimal], ...]


def from_days(q: Query) -> bool:
    """Whether this run can read closed days (its scope's): a range with a closed day, and every
    boundary on a whole UTC hour (a half-hour zone's day or chart bucket would split an hour)."""
    s = q.scope
    if not rollups.ranged(q):
        return False
    _size, bs = chart_buckets(q, None, None)
    edges = [s.window.start, s.window.end, *(b.start for b in bs), *(b.end for b in bs)]
    return all(e is not None and e.minute == 0 and e.second == 0 and not e.microsecond
               for e in edges)  # fmt: skip


ROLLUP = rollups.Rollup[throughput_days.DayPart](
    report=throughput_days.REPORT,
    eligible=from_days,
    live=throughput_days.live,
    split=throughput_days.split_days,
    empty=throughput_days.DayPart,
    encode=throughput_days.DayPart.to_json,
    decode=throughput_days.DayPart.from_json,
)


def build(q: Query) -> Parts:
    return _parts(q, _gather_days(q) if from_days(q) else _gather_live(q))


def _gather_days(q: Query) -> Gathered:
    parts = rollups.gather(q, ROLLUP, q.scope.window, q.scope.now)
    cells: dict[tuple[int | None, int | None], throughput_days.Cell] = {}
    by_packer: dict[int | None, int] = {}
    by_station: dict[int | None, int] = {}
    all_hours = 0
    for part in parts.values():
        packer_masks: dict[int | None, int] = {}
        station_masks: dict[int | None, int] = {}
        day_mask = 0
        for (packer, station), cell in part.cells.items():
            mine = cells.setdefault((packer, station), throughput_days.Cell())
            mine.orders += cell.orders
            mine.units += cell.units
            packer_masks[packer] = packer_masks.get(packer, 0) | cell.hours
            station_masks[station] = station_masks.get(station, 0) | cell.hours
            day_mask |= cell.hours
        for into, masks in ((by_packer, packer_masks), (by_station, station_masks)):
            for who, mask in masks.items():
                into[who] = into.get(who, 0) + mask.bit_count()
        all_hours += day_mask.bit_count()
    size, bs = chart_buckets(q, None, None)
    series: tuple[tuple[str, Decimal], ...] = ()
    if bs and any(c.orders for c in cells.values()):
        series = tuple((bk.label, Decimal(_orders_between(parts, bk.start, bk.end))) for bk in bs)
    return Gathered(
        counted=[(k[0], k[1], c.orders) for k, c in cells.items() if c.orders],
        units={k: c.units for k, c in cells.items()},
        hours_by_packer=by_packer,
        hours_by_station=by_station,
        all_hours=all_hours,
        size=size,
        series=series,
    )


def _orders_between(
    parts: dict[date, throughput_days.DayPart], start: datetime, end: datetime
) -> int:
    total, at = 0, start.astimezone(UTC)
    while at < end:
        part = parts.get(at.date())
        if part is not None:
            total += part.hourly[at.hour]
        at += timedelta(hours=1)
    return total


def _gather_live(q: Query) -> Gathered:
    p, ol = PackProgress.__table__, OrderLine.__table__
    terms = packed_terms(q)
    packed = p
    hour = utc_hour(q.dialect, p.c.completed_at)

    # Orders from the covering index alone; units from the lines (no DISTINCT: one row per line).
    counted = q.rows(
        select(p.c.completed_by_id, p.c.station_id, func.count())
        .where(*terms)
        .group_by(p.c.completed_by_id, p.c.station_id)
    )
    units = {
        (packer, station): int(n or 0)
        for packer, station, n in q.rows(
            select(p.c.completed_by_id, p.c.station_id, func.sum(ol.c.packed_qty))
            .select_from(p.join(ol, ol.c.order_id == p.c.order_id))
            .where(*terms)
            .group_by(p.c.completed_by_id, p.c.station_id)
        )
    }
    hours_by_packer = dict(
        q.rows(
            select(p.c.completed_by_id, func.count(distinct(hour)))
            .select_from(packed)
            .where(*terms)
            .group_by(p.c.completed_by_id)
        )
    )
    hours_by_station = dict(
        q.rows(
            select(p.c.station_id, func.count(distinct(hour)))
            .select_from(packed)
            .where(*terms)
            .group_by(p.c.station_id)
        )
    )
    all_hours, first, last = q.one(
        select(func.count(distinct(hour)), func.min(p.c.completed_at), func.max(p.c.completed_at))
        .select_from(packed)
        .where(*terms)
    )

    size, bs = chart_buckets(q, first, last)
    series: tuple[tuple[str, Decimal], ...] = ()
    if bs and counted:
        # One index range count per bucket: each real hour falls in exactly one bucket.
        per_bucket = dict(
            q.rows(
                union_all(
                    *(
                        select(literal(i, Integer), func.count())
                        .select_from(p)
                        .where(*terms, *in_window(p.c.completed_at, Window(bk.start, bk.end)))
                        for i, bk in enumerate(bs)
                    )
                )
            )
        )
        series = tuple((bk.label, Decimal(per_bucket.get(i, 0))) for i, bk in enumerate(bs))
    return Gathered(
        counted=[(a, b, int(n)) for a, b, n in counted],
        units=units,
        hours_by_packer={k: int(v) for k, v in hours_by_packer.items()},
        hours_by_station={k: int(v) for k, v in hours_by_station.items()},
        all_hours=int(all_hours or 0),
        size=size,
        series=series,
    )


def _parts(q: Query, g: Gathered) -> Parts:
    counted, units = g.counted, g.units
    hours_by_packer, hours_by_station, all_hours = (
        g.hours_by_packer,
        g.hours_by_station,
        g.all_hours,
    )
    size, series = g.size, g.series
    per_packer: dict[int | None, list[int]] = {}
    per_station: dict[int | None, list[int]] = {}
    for packer_id, station_id, orders in counted:
        for key, into in ((packer_id, per_packer), (station_id, per_station)):
            row = into.setdefault(key, [0, 0])
            row[0] += int(orders)
            row[1] += units.get((packer_id, station_id), 0)
    total_orders = sum(r[0] for r in per_packer.values())
    total_units = sum(r[1] for r in per_packer.values())
    packers = _names(q, User, User.username, per_packer)
    stations = _names(q, Station, Station.name, per_station)

    figures = (
        Figure("orders_packed", "Orders packed", total_orders),
        Figure("units_packed", "Units packed", total_units),
        Figure("active_hours", "Active hours", int(all_hours or 0)),
        Figure(
            "orders_per_hour",
            "Orders per active hour",
            ratio(total_orders, all_hours or 0),
            ValueKind.NUMBER,
        ),
        Figure(
            "units_per_hour",
            "Units per active hour",
            ratio(total_units, all_hours or 0),
            ValueKind.NUMBER,
        ),
    )
    tables = (
        _table("by_packer", "Per packer", "packer", "Packer", per_packer, packers, hours_by_packer),
        _table(
            "by_station",
            "Per station",
            "station",
            "Station",
            per_station,
            stations,
            hours_by_station,
        ),
    )
    chart = Chart(
        ChartKind.BAR,
        f"Orders packed per {size.value}",
        size.value.capitalize(),
        "Orders packed",
        (Series("Orders packed", series),),
    )
    notes = () if total_orders else ("No orders were packed in this range.",)
    return Parts(figures, tables, chart, notes)


def _table(
    key: str,
    title: str,
    who_key: str,
    who_title: str,
    counts: dict[int | None, list[int]],
    names: dict[int | None, str],
    hours: dict[Any, Any],
) -> Table:
    rows = []
    for who, (orders, units) in counts.items():
        active = int(hours.get(who, 0))
        rows.append(
            (
                names.get(who, UNKNOWN),
                orders,
                units,
                active,
                ratio(orders, active),
                ratio(units, active),
            )
        )
    rows.sort(key=lambda r: (-int(r[1] or 0), str(r[0])))
    return Table(
        key,
        title,
        (
            Column(who_key, who_title),
            Column("orders", "Orders", ValueKind.COUNT),
            Column("units", "Units", ValueKind.COUNT),
            Column("active_hours", "Active hours", ValueKind.COUNT),
            Column("orders_per_hour", "Orders per hour", ValueKind.NUMBER),
            Column("units_per_hour", "Units per hour", ValueKind.NUMBER),
        ),
        tuple(rows),
    )
