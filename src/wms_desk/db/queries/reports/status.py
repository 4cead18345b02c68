"""Orders by status: the orders that came in during the range, where each stands now."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, func, literal, select

from wms_desk.db.models import Channel, Order
from wms_desk.db.models.base import UTCDateTime
from wms_desk.db.queries.reports.common import Parts, Query, in_window, order_terms, percent
from wms_desk.domain import order_status
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


def build(q: Query) -> Parts:
    scope = q.scope
    o = Order.__table__
    is_open = o.c.status.in_(order_status.in_order(order_status.OPEN))
    late = case((is_open & (o.c.ship_by < literal(scope.now, UTCDateTime())), 1), else_=0)
    rows = q.rows(
        select(o.c.status, Channel.name, func.count(), func.sum(late))
        .select_from(o.join(Channel, Channel.id == o.c.channel_id))
        .where(
            *in_window(o.c.created_at, scope.window), *order_terms(scope, o.c.id, o.c.channel_id)
        )
        .group_by(o.c.status, Channel.name)
    )
    by_status: dict[str, int] = {}
    by_channel: dict[str, list[int]] = {}
    late_total = 0
    for status, channel, count, late_count in rows:
        by_status[status] = by_status.get(status, 0) + int(count)
        per = by_channel.setdefault(channel, [0, 0, 0, 0])
        per[0] += int(count)
        per[1] += int(count) if status in order_status.OPEN else 0
        per[2] += int(count) if status in order_status.SHIPPED_OR_LATER else 0
        per[3] += int(count) if status == S.CANCELLED else 0
        late_total += int(late_count or 0)
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
