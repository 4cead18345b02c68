"""Throughput per UTC day: orders, units and active hours per packer and station, orders per hour.

One shape for a closed day kept in report_rollups (report "throughput") and for a live piece of
a range, so a year is read as 365 small rows plus the ends computed live, counting every order
once. Active hours stay exact because each day keeps which of its UTC hours had an order (a
24-bit mask per packer and station): hours of different days never coincide, so they add up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from wms_desk.db.models import OrderLine, PackProgress
from wms_desk.db.queries.reports import rollups
from wms_desk.db.queries.reports.common import Query, in_window
from wms_desk.domain.report_periods import Window

REPORT = "throughput"
CHUNK_DAYS = 31  # a refresh computes this many days per query
Key = tuple[int | None, int | None]  # (packer, station)


@dataclass
class Cell:
    orders: int = 0
    units: int = 0
    hours: int = 0  # bit h set: this packer at this station completed an order in UTC hour h


@dataclass
class DayPart:
    cells: dict[Key, Cell] = field(default_factory=dict)
    hourly: list[int] = field(default_factory=lambda: [0] * 24)  # orders per UTC hour

    def add(self, other: DayPart) -> None:
        for key, cell in other.cells.items():
            mine = self.cells.setdefault(key, Cell())
            mine.orders += cell.orders
            mine.units += cell.units
            mine.hours |= cell.hours
        self.hourly = [a + b for a, b in zip(self.hourly, other.hourly, strict=True)]

    def to_json(self) -> str:
        cells = [[k[0], k[1], c.orders, c.units, c.hours] for k, c in sorted(self.cells.items(),
                 key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0))]  # fmt: skip
        return json.dumps({"cells": cells, "hourly": self.hourly}, separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> DayPart:
        doc = json.loads(payload)
        cells = {(p, s): Cell(o, u, h) for p, s, o, u, h in doc["cells"]}
        return cls(cells, list(doc["hourly"]))


def hour_text(dialect: str, column: Any) -> ColumnElement[Any]:
    """The UTC hour an instant falls in as 'YYYY-MM-DD HH' on both backends."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)


def live(q: Query, window: Window) -> dict[date, DayPart]:
    """The days' parts of what completed in `window`, from pack_progress and the lines."""
    p, ol = PackProgress.__table__, OrderLine.__table__
    terms = [p.c.completed_at.is_not(None), *in_window(p.c.completed_at, window)]
    hour = hour_text(q.dialect, p.c.completed_at)
    keys = (hour, p.c.completed_by_id, p.c.station_id)
    out: dict[date, DayPart] = {}

    def cell(text: str, packer: int | None, station: int | None) -> tuple[DayPart, Cell, int]:
        at = datetime.strptime(text, "%Y-%m-%d %H")
        part = out.setdefault(at.date(), DayPart())
        return part, part.cells.setdefault((packer, station), Cell()), at.hour

    for text, packer, station, n in q.rows(
        select(*keys, func.count()).where(*terms).group_by(*keys)
    ):
        part, c, h = cell(text, packer, station)
        c.orders += int(n)
        c.hours |= 1 << h
        part.hourly[h] += int(n)
    for text, packer, station, units in q.rows(
        select(*keys, func.sum(ol.c.packed_qty))
        .select_from(p.join(ol, ol.c.order_id == p.c.order_id))
        .where(*terms)
        .group_by(*keys)
    ):
        cell(text, packer, station)[1].units += int(units or 0)
    return out


def runs(days: list[date]) -> list[list[date]]:
    """Consecutive days in runs of at most CHUNK_DAYS (one query, or one refresh, each)."""
    out: list[list[date]] = []
    for day in sorted(days):
        if out and day == out[-1][-1] + rollups.DAY and len(out[-1]) < CHUNK_DAYS:
            out[-1].append(day)
        else:
            out.append([day])
    return out


def compute(q: Query, days: list[date]) -> dict[date, DayPart]:
    """Every one of `days` (an empty part where nothing was packed)."""
    out: dict[date, DayPart] = {day: DayPart() for day in days}
    for run in runs(days):
        out.update(
            live(q, Window(rollups.midnight(run[0]), rollups.midnight(run[-1]) + rollups.DAY))
        )
    return out


def gather(q: Query, window: Window, now: datetime | None = None) -> dict[date, DayPart]:
    """`window` as day parts: stored closed days, everything else computed live."""
    days = rollups.closed_days(window, now or datetime.now(UTC))
    out: dict[date, DayPart] = {}
    if days is not None:
        q.check()
        found = rollups.stored(q.session, REPORT, *days)
        out.update({day: DayPart.from_json(payload) for day, payload in found.items()})
        out.update(compute(q, [d for d in rollups.each_day(*days) if d not in found]))
    for piece in rollups.pieces(window, days):
        for day, part in live(q, piece).items():
            out.setdefault(day, DayPart()).add(part)
    return out
