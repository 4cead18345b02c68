"""Orders by status: the orders that came in during the range, where each stands now."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select

from wms_desk.db.models import Channel, Order
from wms_desk.db.models.base import UTCDateTime
from wms_desk.db.queries.reports import rollups
from wms_desk.db.queries.reports.common import (
    DayParts,
    Parts,
    Query,
    day_text,
    in_window,
    order_terms,
    percent,
    split_by,
)
from wms_desk.domain import order_status
from wms_desk.domain.report_periods import Window
from wms_desk.domain.reports import (
    Chart,
    ChartKind,
    Column,
    Figure,
    Series,
    Table,
    ValueKind,
)

S = order_status.OrderStatus


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class StatusDay:
    """Orders created on one UTC day, by their status now and channel (by id), and the ship-by
    of those still open (microseconds since 1970): late is "open and ship-by before now", and
    now moves, so the day keeps what late is decided from."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    open_ship_by: list[int] = field(default_factory=list)

    def to_json(self) -> str:
        counts = sorted([s, c, n] for (s, c), n in self.counts.items())
        return json.dumps({"c": counts, "o": sorted(self.open_ship_by)}, separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> StatusDay:
        doc = json.loads(payload)
        return cls({(s, c): n for s, c, n in doc["c"]}, list(doc["o"]))


def _live_days(q: Query, window: Window) -> dict[date, StatusDay]:
    return _split_days(q, window, None).get("", {})


def _split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, StatusDay]]:
    """`_live_days` for every value of `kind` at once (by scope key; '' without a split)."""
    o = Order.__table__
    split = split_by(kind, o.c.id, channel_id=o.c.channel_id)
    day = day_text(q.dialect, o.c.created_at)
    came_in = [
        *in_window(o.c.created_at, window),
        *order_terms(q.scope, o.c.id, o.c.channel_id),
        *split.terms,
    ]
    parts = DayParts(StatusDay)
    keys = (*split.columns, day, o.c.status, o.c.channel_id)
    for row in q.rows(select(*keys, func.count()).where(*came_in).group_by(*keys)):
        p, (status, channel, n) = parts.part(split, row)
        p.counts[(status, int(channel))] = int(n)
    is_open = o.c.status.in_(order_status.in_order(order_status.OPEN))
    for row in q.rows(
        select(*split.columns, day, o.c.ship_by).where(is_open, o.c.ship_by.is_not(None), *came_in)
    ):
        p, (ship_by,) = parts.part(split, row)
        p.open_ship_by.append((ship_by - EPOCH) // MICROSECOND)
    for days in parts.out.values():
        for p in days.values():
            p.open_ship_by.sort()
    return parts.out


def from_days(q: Query) -> bool:
    return rollups.ranged(q)


# A day's orders change status long after it closed: every change forgets the day it was
# created on (migration 0012), so a busy recent day is computed live until it settles.
ROLLUP = rollups.Rollup[StatusDay](
    report="status",
    eligible=from_days,
    live=_live_days,
    split=_split_days,
    empty=StatusDay,
    encode=StatusDay.to_json,
    decode=StatusDay.from_json,
)


def build(q: Query) -> Parts:
    return _parts(_from_days(q) if from_days(q) else _live(q))


def _late(q: Query) -> ColumnElement[Any]:
    o = Order.__table__
    is_open = o.c.status.in_(order_status.in_order(order_status.OPEN))
    return is_open & (o.c.ship_by < literal(q.scope.now, UTCDateTime()))


def _from_days(q: Query) -> tuple[list[tuple[str, str, int]], int]:
    names = dict(q.rows(select(Channel.id, Channel.name)))
    now = (q.scope.now - EPOCH) // MICROSECOND
    counts: dict[tuple[str, str], int] = {}
    late = 0
    for part in rollups.gather(q, ROLLUP, q.scope.window, q.scope.now).values():
        for (status, channel), n in part.counts.items():
            key = (status, names.get(channel, str(channel)))
            counts[key] = counts.get(key, 0) + n
        late += bisect.bisect_left(part.open_ship_by, now)  # sorted: those before now
    return [(s, c, n) for (s, c), n in counts.items()], late


def _live(q: Query) -> tuple[list[tuple[str, str, int]], int]:
    scope = q.scope
    o = Order.__table__
    late = case((_late(q), 1), else_=0)
    rows = q.rows(
        select(o.c.status, Channel.name, func.count(), func.sum(late))
        .select_from(o.join(Channel, Channel.id == o.c.channel_id))
        .where(
            *in_window(o.c.created_at, scope.window), *order_terms(scope, o.c.id, o.c.channel_id)
        )
        .group_by(o.c.status, Channel.name)
    )
    return [(s, c, int(n)) for s, c, n, _late_n in rows], sum(int(x or 0) for *_r, x in rows)


def _parts(gathered: tuple[list[tuple[str, str, int]], int]) -> Parts:
    rows, late_total = gathered
    by_status: dict[str, int] = {}
    by_channel: dict[str, list[int]] = {}
    for status, channel, count in rows:
        by_status[status] = by_status.get(status, 0) + int(count)
        per = by_channel.setdefault(channel, [0, 0, 0, 0])
        per[0] += int(count)
        per[1] += int(count) if status in order_status.OPEN else 0
        per[2] += int(count) if status in order_status.SHIPPED_OR_LATER else 0
        per[3] += int(count) if status == S.CANCELLED else 0
    total = sum(by_status.values())
    shipped = sum(n for s, n in by_status.items() if s in order_status.SHIPPED_OR_LATER)
    open_ = sum(n for s, n in by_status.items() if s in order_status.OPEN)
    statuses = [s for s in order_status.ALL if by_status.get(s.value)]
    figures = (
        Figure("orders", "Orders", total),
        Figure("open", "Open", open_),
        Figure("late", "Open and past ship-by", late_total),
        Figure("shipped", "Shipped (incl. returned)", shipped),
        Figure("cancelled", "Cancelled", by_status.get(S.CANCELLED.value, 0)),
    )
    status_table = Table(
        "by_status",
        "Orders by status",
        (
            Column("status", "Status"),
            Column("orders", "Orders", ValueKind.COUNT),
            Column("share_percent", "Share", ValueKind.PERCENT),
        ),
        tuple((s.label, by_status[s.value], percent(by_status[s.value], total)) for s in statuses),
    )
    channel_table = Table(
        "by_channel",
        "Orders by channel",
        (
            Column("channel", "Channel"),
            Column("orders", "Orders", ValueKind.COUNT),
            Column("open", "Open", ValueKind.COUNT),
            Column("shipped", "Shipped", ValueKind.COUNT),
            Column("cancelled", "Cancelled", ValueKind.COUNT),
        ),
        tuple((name, *counts) for name, counts in sorted(by_channel.items())),
    )
    chart = Chart(
        ChartKind.BAR,
        "Orders by status",
        "Status",
        "Orders",
        (Series("Orders", tuple((s.label, Decimal(by_status[s.value])) for s in statuses)),),
    )
    notes = () if total else ("No orders came in during this range.",)
    return Parts(figures, (status_table, channel_table), chart, notes)
