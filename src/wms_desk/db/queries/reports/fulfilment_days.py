"""Fulfilment time per UTC day the orders shipped: every span's durations, exactly.

Nearest-rank percentiles need the values themselves, so a day keeps each span's whole-second
durations sorted (a packed array, base64 in the JSON: a year decodes in milliseconds). Adding
days up, the value at rank k is found without merging them: the smallest x with at least k
values <= x, by bisecting x and counting with bisect in each day's sorted array. Histogram
bands are counted the same way, so every figure equals the one computed over all the rows.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select

from wms_desk.db.models import Order, PackProgress
from wms_desk.db.queries.reports.common import (
    DayParts,
    Distribution,
    Query,
    day_text,
    in_window,
    order_terms,
    seconds_between,
    split_by,
)
from wms_desk.domain.report_periods import Window

REPORT = "fulfilment-time"
SPANS = 3  # placed to shipped, picked to packed, packed to shipped (fulfilment.SPANS)


@dataclass
class FulfilmentDay:
    values: list[array[int]] = field(default_factory=lambda: [array("q") for _ in range(SPANS)])
    shipped: int = 0
    with_ship_by: int = 0
    on_time: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": [base64.b64encode(v.tobytes()).decode("ascii") for v in self.values],
                "x": [self.shipped, self.with_ship_by, self.on_time],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str) -> FulfilmentDay:
        doc = json.loads(payload)
        values = []
        for text in doc["v"]:
            v = array("q")
            v.frombytes(base64.b64decode(text))
            values.append(v)
        shipped, with_ship_by, on_time = doc["x"]
        return cls(values, shipped, with_ship_by, on_time)


def spans(q: Query) -> tuple[dict[str, Any], Any, list[Any]]:
    """The three durations, the rows they come from and which rows ship in the range."""
    o, p = Order.__table__, PackProgress.__table__
    durations = {
        "placed_to_shipped": seconds_between(
            q.dialect, func.coalesce(o.c.ordered_at, o.c.created_at), o.c.shipped_at
        ),
        "picked_to_packed": seconds_between(q.dialect, o.c.picked_at, p.c.completed_at),
        "packed_to_shipped": seconds_between(q.dialect, p.c.completed_at, o.c.shipped_at),
    }
    return durations, o.outerjoin(p, p.c.order_id == o.c.id), [o.c.shipped_at.is_not(None)]


def live(q: Query, window: Window) -> dict[date, FulfilmentDay]:
    """Each UTC day's durations of the orders shipped in `window` under the run's filters."""
    return split_days(q, window, None).get("", {})


def split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, FulfilmentDay]]:
    """`live` for every value of `kind` at once (by scope key; '' without a split)."""
    o = Order.__table__
    durations, source, where = spans(q)
    split = split_by(kind, o.c.id, channel_id=o.c.channel_id)
    day = day_text(q.dialect, o.c.shipped_at)
    parts = DayParts(FulfilmentDay)
    for row in q.rows(
        select(
            *split.columns,
            day,
            *durations.values(),
            case((o.c.ship_by.is_not(None), 1), else_=0),
            case((o.c.shipped_at <= o.c.ship_by, 1), else_=0),
        )
        .select_from(source)
        .where(
            *where,
            *in_window(o.c.shipped_at, window),
            *order_terms(q.scope, o.c.id, o.c.channel_id),
            *split.terms,
        )
    ):
        part, (s0, s1, s2, with_ship_by, on_time) = parts.part(split, row)
        for i, value in enumerate((s0, s1, s2)):
            if value is not None:
                part.values[i].append(int(value))
        part.shipped += 1
        part.with_ship_by += int(with_ship_by)
        part.on_time += int(on_time)
    for days in parts.out.values():
        for part in days.values():
            part.values = [array("q", sorted(v)) for v in part.values]
    return parts.out


def kth(arrays: Sequence[array[int]], k: int) -> int:
    """The k-th smallest (1-based) of the values in the sorted arrays together."""
    lo = min(a[0] for a in arrays if a)
    hi = max(a[-1] for a in arrays if a)
    while lo < hi:  # the smallest x with at least k values <= x
        mid = (lo + hi) // 2
        if sum(bisect.bisect_right(a, mid) for a in arrays) >= k:
            hi = mid
        else:
            lo = mid + 1
    return lo


def add_up(
    days: list[FulfilmentDay], keys: Sequence[str], edges: Sequence[int]
) -> tuple[dict[str, Distribution], dict[str, int]]:
    """What common.distributions gives for the same rows: per span n, median, p90, bands."""
    out = {}
    for i, key in enumerate(keys):
        arrays = [d.values[i] for d in days if d.values[i]]
        n = sum(len(a) for a in arrays)
        bounds = [None, *edges, None]
        bins = []
        for lo, hi in itertools.pairwise(bounds):
            below_hi = n if hi is None else sum(bisect.bisect_left(a, hi) for a in arrays)
            below_lo = 0 if lo is None else sum(bisect.bisect_left(a, lo) for a in arrays)
            bins.append(below_hi - below_lo)
        out[key] = Distribution(
            n,
            kth(arrays, (n * 50 + 99) // 100) if n else None,
            kth(arrays, (n * 90 + 99) // 100) if n else None,
            tuple(bins),
        )
    sums = {
        "shipped": sum(d.shipped for d in days),
        "with_ship_by": sum(d.with_ship_by for d in days),
        "on_time": sum(d.on_time for d in days),
    }
    return out, sums
