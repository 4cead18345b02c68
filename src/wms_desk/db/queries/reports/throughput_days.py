"""Throughput per UTC day: orders, units and active hours per packer and station, orders per hour.

One shape for a closed day kept in report_rollups (report "throughput") and for a live piece of
a range, so a year is read as 365 small rows plus the ends computed live, counting every order
once. Active hours stay exact because each day keeps which of its UTC hours had an order (a
24-bit mask per packer and station): hours of different days never coincide, so they add up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select

from wms_desk.db.models import OrderLine, PackProgress
from wms_desk.db.queries.reports.common import (
    Query,
    day_of,
    in_window,
    order_in_scope,
    people_terms,
    split_by,
    without_people,
)
from wms_desk.domain.report_periods import Window

REPORT = "throughput"
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


def packed_terms(q: Query, window: Window) -> list[ColumnElement[bool]]:
    """Packing completed in `window` under every filter (the order's as conditions on
    pack_progress.order_id, so no join to orders is needed)."""
    scope = q.scope
    p = PackProgress.__table__
    terms = [
        p.c.completed_at.is_not(None),
        *in_window(p.c.completed_at, window),
        *people_terms(scope, p.c.station_id, p.c.completed_by_id),
    ]
    # Station and packer are this table's own columns; channel and carrier come from the order.
    return [*terms, *order_in_scope(without_people(scope), p.c.order_id)]


def live(q: Query, window: Window) -> dict[date, DayPart]:
    """The days' parts of what completed in `window` under the run's filters, from
    pack_progress and the lines."""
    return split_days(q, window, None).get("", {})


def split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, DayPart]]:
    """`live` for every value of `kind` at once (by scope key; '' without a split)."""
    p, ol = PackProgress.__table__, OrderLine.__table__
    split = split_by(kind, p.c.order_id, station_id=p.c.station_id, packer_id=p.c.completed_by_id)
    terms = [*packed_terms(q, window), *split.terms]
    hour = hour_text(q.dialect, p.c.completed_at)
    keys = (*split.columns, hour, p.c.completed_by_id, p.c.station_id)
    out: dict[str, dict[date, DayPart]] = {}
    at = len(split.columns)  # where the hour is in a row
    hours: dict[tuple[Any, ...], tuple[DayPart, int]] = {}  # (value, hour text): part, hour

    def cell(row: Any) -> tuple[DayPart, Cell, int]:
        # A split month is 100,000 rows: each value's hour is parsed once (sliced: strptime
        # was most of the time), and the rest of the row read by position.
        key = tuple(row[: at + 1])
        found = hours.get(key)
        if found is None:
            text = row[at]
            days = out.setdefault(split.scope(row), {})
            found = hours[key] = (days.setdefault(day_of(text[:10]), DayPart()), int(text[11:13]))
        part, hour = found
        return part, part.cells.setdefault((row[at + 1], row[at + 2]), Cell()), hour

    for row in q.rows(select(*keys, func.count()).where(*terms).group_by(*keys)):
        part, c, h = cell(row)
        n = int(row[-1])
        c.orders += n
        c.hours |= 1 << h
        part.hourly[h] += n
    for row in q.rows(
        select(*keys, func.sum(ol.c.packed_qty))
        .select_from(p.join(ol, ol.c.order_id == p.c.order_id))
        .where(*terms)
        .group_by(*keys)
    ):
        cell(row)[1].units += int(row[-1] or 0)
    return out
