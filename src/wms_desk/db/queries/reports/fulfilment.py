"""Fulfilment time: how long orders shipped in the range took, as distributions.

Three spans per order: placed to shipped (ordered_at, or created_at when the channel sent no
order time), picked to packed, packed to shipped. Each gives a median and a 90th percentile by the
nearest-rank method (a value that occurred, the same on both backends) and a histogram. An order
is on time when it shipped at or before its ship-by; orders without a ship-by are left out of the
rate.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, literal

from wms_desk.db.models import Order
from wms_desk.db.queries.reports import fulfilment_days, rollups
from wms_desk.db.queries.reports.common import (
    Distribution,
    Parts,
    Query,
    distributions,
    in_window,
    order_terms,
    percent,
)
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind

HOUR = 3600
# Histogram bin edges in hours: under 4 h, 4-8 h, 8-24 h, 24-48 h, 48-72 h, 72 h and more.
EDGES_H = (4, 8, 24, 48, 72)
BIN_LABELS = ("< 4 h", "4-8 h", "8-24 h", "24-48 h", "48-72 h", ">= 72 h")
SPANS = (
    ("placed_to_shipped", "Placed to shipped"),
    ("picked_to_packed", "Picked to packed"),
    ("packed_to_shipped", "Packed to shipped"),
)


def from_days(q: Query) -> bool:
    return rollups.ranged(q)


ROLLUP = rollups.Rollup[fulfilment_days.FulfilmentDay](
    report=fulfilment_days.REPORT,
    eligible=from_days,
    live=fulfilment_days.live,
    split=fulfilment_days.split_days,
    empty=fulfilment_days.FulfilmentDay,
    encode=fulfilment_days.FulfilmentDay.to_json,
    decode=fulfilment_days.FulfilmentDay.from_json,
)


def build(q: Query) -> Parts:
    edges = [h * HOUR for h in EDGES_H]
    if from_days(q):
        days = rollups.gather(q, ROLLUP, q.scope.window, q.scope.now)
        keys = [key for key, _ in SPANS]
        results, sums = fulfilment_days.add_up(list(days.values()), keys, edges)
    else:
        results, sums = _live(q, edges)
    return _parts(results, sums)


def _live(q: Query, edges: list[int]) -> tuple[dict[str, Distribution], dict[str, int]]:
    o = Order.__table__
    scope = q.scope
    spans, source, shipped = fulfilment_days.spans(q)
    where = [
        *shipped,
        *in_window(o.c.shipped_at, scope.window),
        *order_terms(scope, o.c.id, o.c.channel_id),
    ]
    return distributions(
        q,
        spans,
        source,
        edges,
        where,
        extra={
            "shipped": literal(1),
            "with_ship_by": case((o.c.ship_by.is_not(None), 1), else_=0),
            "on_time": case((o.c.shipped_at <= o.c.ship_by, 1), else_=0),
        },
    )


def _parts(results: dict[str, Distribution], sums: dict[str, int]) -> Parts:
    shipped, with_ship_by, on_time = sums["shipped"], sums["with_ship_by"], sums["on_time"]
    figures = [Figure("shipped_orders", "Orders shipped", int(shipped))]
    for key, label in SPANS:
        p50, p90 = results[key].median, results[key].p90
        figures.append(Figure(f"{key}_median_s", f"{label}, median", _dec(p50), ValueKind.SECONDS))
        figures.append(
            Figure(f"{key}_p90_s", f"{label}, 90th percentile", _dec(p90), ValueKind.SECONDS)
        )
    figures.append(
        Figure(
            "on_time_percent",
            "Shipped on time",
            percent(int(on_time), int(with_ship_by)),
            ValueKind.PERCENT,
        )
    )
    spans_table = Table(
        "spans",
        "Fulfilment time (nearest-rank percentiles)",
        (
            Column("span", "Span"),
            Column("orders", "Orders", ValueKind.COUNT),
            Column("median_s", "Median", ValueKind.SECONDS),
            Column("p90_s", "90th percentile", ValueKind.SECONDS),
        ),
        tuple(
            (label, results[key].n, _dec(results[key].median), _dec(results[key].p90))
            for key, label in SPANS
            if results[key].n
        ),
    )
    histogram = Table(
        "histogram",
        "Orders per time band",
        (Column("band", "Time band"), *(Column(k, label, ValueKind.COUNT) for k, label in SPANS)),
        tuple(
            (band, *(results[key].bins[i] for key, _ in SPANS)) for i, band in enumerate(BIN_LABELS)
        )
        if shipped
        else (),
    )
    chart = Chart(
        ChartKind.HISTOGRAM,
        "Fulfilment time distribution",
        "Hours",
        "Orders",
        tuple(
            Series(
                label,
                tuple((band, Decimal(results[key].bins[i])) for i, band in enumerate(BIN_LABELS)),
            )
            for key, label in SPANS
        )
        if shipped
        else (),
    )
    notes = () if shipped else ("No orders shipped in this range.",)
    return Parts(tuple(figures), (spans_table, histogram), chart, notes)


def _dec(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)
