"""Returns: of the orders shipped in the range, how many came back, why, and what was refunded.

The cohort is the orders shipped in the range (so a rate compares like with like); a return is a
not-cancelled RMA on one of them, whenever it was raised; units are those on the RMA lines.
An order's carrier is that of its bought shipment (an order shipped with two counts under each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select

from wms_desk.db.models import Channel, Order, OrderLine, Refund, Rma, RmaLine, Shipment
from wms_desk.db.queries.reports import returns_days, rollups
from wms_desk.db.queries.reports.common import Parts, Query, in_window, order_terms, percent
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind

NO_CARRIER = "(none)"


@dataclass(frozen=True)
class Gathered:
    """The cohort's counts, however they were read (live, or closed days + live ends)."""

    shipped_by_channel: list[tuple[str, int]]
    shipped_by_carrier: list[tuple[str | None, int]]
    units_shipped: int
    returned_by_channel: list[tuple[str, int, int]]
    returned_by_carrier: list[tuple[str | None, int, int]]
    lines: list[tuple[str, str | None, int, int]]  # reason, sku, lines, units
    refunds: list[tuple[str, int, Decimal]]  # by currency
    units_by_sku: Callable[[list[str]], dict[str, int]]  # units shipped of these SKUs


def from_days(q: Query) -> bool:
    return rollups.ranged(q)


ROLLUP = rollups.Rollup[returns_days.ReturnsDay](
    report=returns_days.REPORT,
    eligible=from_days,
    live=returns_days.live,
    split=returns_days.split_days,
    empty=returns_days.ReturnsDay,
    encode=returns_days.ReturnsDay.to_json,
    decode=returns_days.ReturnsDay.from_json,
)


def build(q: Query) -> Parts:
    return _parts(_from_days(q) if from_days(q) else _live(q))


def _from_days(q: Query) -> Gathered:
    days = rollups.gather(q, ROLLUP, q.scope.window, q.scope.now).values()
    names = dict(q.rows(select(Channel.id, Channel.name)))

    def add(into: dict[Any, list[int]], key: Any, values: Any) -> None:
        row = into.setdefault(key, [0] * len(values))
        for i, v in enumerate(values):
            row[i] += v

    shipped_channel: dict[str, list[int]] = {}
    shipped_carrier: dict[str, list[int]] = {}
    units: dict[str, int] = {}
    units_get = units.get
    back_channel: dict[str, list[int]] = {}
    back_carrier: dict[str, list[int]] = {}
    lines: dict[tuple[str, str], list[int]] = {}
    refunds: dict[str, list[Any]] = {}
    for d in days:
        for cid, n in d.shipped_by_channel.items():
            add(shipped_channel, names.get(cid, str(cid)), [n])
        for carrier, n in d.shipped_by_carrier.items():
            add(shipped_carrier, carrier, [n])
        # Thousands of SKUs a day: added with a plain dict (this loop is most of a year's time).
        for sku, n in d.units_by_sku.items():
            units[sku] = units_get(sku, 0) + n
        for cid, values in d.returned_by_channel.items():
            add(back_channel, names.get(cid, str(cid)), values)
        for carrier, values in d.returned_by_carrier.items():
            add(back_carrier, carrier, values)
        for key, values in d.lines.items():
            add(lines, key, values)
        for cur, (n, total) in d.refunds.items():
            row = refunds.setdefault(cur, [0, Decimal(0)])
            row[0] += n
            row[1] += total
    return Gathered(
        shipped_by_channel=[(k, v[0]) for k, v in shipped_channel.items()],
        shipped_by_carrier=[(k, v[0]) for k, v in shipped_carrier.items()],
        units_shipped=sum(units.values()),
        returned_by_channel=[(k, v[0], v[1]) for k, v in back_channel.items()],
        returned_by_carrier=[(k, v[0], v[1]) for k, v in back_carrier.items()],
        lines=[(r, sku, v[0], v[1]) for (r, sku), v in lines.items()],
        refunds=[(cur, int(v[0]), v[1]) for cur, v in sorted(refunds.items())],
        units_by_sku=lambda skus: {s: units[s] for s in skus if s and s in units},
    )


def _live(q: Query) -> Gathered:
    o, ol, c = Order.__table__, OrderLine.__table__, Channel.__table__
    r, rl, rf = Rma.__table__, RmaLine.__table__, Refund.__table__
    scope = q.scope
    cohort = [
        o.c.shipped_at.is_not(None),
        *in_window(o.c.shipped_at, scope.window),
        *order_terms(scope, o.c.id, o.c.channel_id),
    ]
    sh = Shipment.__table__
    shipped_by_channel = q.rows(
        select(c.c.name, func.count())
        .select_from(o.join(c, c.c.id == o.c.channel_id))
        .where(*cohort)
        .group_by(c.c.name)
    )
    # An order's carrier: that of its bought shipment(s); an order shipped with two carriers
    # (rare) counts under each.
    bought = sh.c.status == "bought"
    # `order_id IN (cohort)`: each cohort order probes ix_shipments_order_id (a join let SQLite
    # walk every shipment first).
    in_cohort = sh.c.order_id.in_(select(o.c.id).where(*cohort))
    shipped_by_carrier = q.rows(
        select(sh.c.carrier, func.count(distinct(sh.c.order_id)))
        .where(bought, in_cohort)
        .group_by(sh.c.carrier)
    )
    (units_shipped,) = q.one(
        select(func.coalesce(func.sum(ol.c.qty), 0))
        .select_from(o.join(ol, ol.c.order_id == o.c.id))
        .where(*cohort)
    )
    returned_source = (
        r.join(rl, rl.c.rma_id == r.c.id)
        .join(ol, ol.c.id == rl.c.order_line_id)
        .join(o, o.c.id == r.c.order_id)
        .join(c, c.c.id == o.c.channel_id)
    )
    live = [r.c.status != "cancelled", *cohort]
    returned_by_channel = q.rows(
        select(c.c.name, func.count(distinct(r.c.order_id)), func.sum(rl.c.qty))
        .select_from(returned_source)
        .where(*live)
        .group_by(c.c.name)
    )
    returned_by_carrier = q.rows(
        select(sh.c.carrier, func.count(distinct(r.c.order_id)), func.sum(rl.c.qty))
        .select_from(r.join(rl, rl.c.rma_id == r.c.id).join(sh, sh.c.order_id == r.c.order_id))
        .where(bought, r.c.status != "cancelled", r.c.order_id.in_(select(o.c.id).where(*cohort)))
        .group_by(sh.c.carrier)
    )
    lines = q.rows(
        select(rl.c.reason, ol.c.sku, func.count(), func.sum(rl.c.qty))
        .select_from(returned_source)
        .where(*live)
        .group_by(rl.c.reason, ol.c.sku)
    )
    refunds = q.rows(
        select(rf.c.currency, func.count(), func.sum(rf.c.total))
        .select_from(rf.join(r, r.c.id == rf.c.rma_id).join(o, o.c.id == r.c.order_id))
        .where(*cohort)
        .group_by(rf.c.currency)
        .order_by(rf.c.currency)
    )

    def units_by_sku(skus: list[str]) -> dict[str, int]:
        if not skus:
            return {}
        return {
            sku or "": int(n)
            for sku, n in q.rows(
                select(ol.c.sku, func.sum(ol.c.qty))
                .select_from(o.join(ol, ol.c.order_id == o.c.id))
                .where(*cohort, ol.c.sku.in_([s for s in skus if s]))
                .group_by(ol.c.sku)
            )
        }

    return Gathered(
        shipped_by_channel=[(k, int(n)) for k, n in shipped_by_channel],
        shipped_by_carrier=[(k, int(n)) for k, n in shipped_by_carrier],
        units_shipped=int(units_shipped),
        returned_by_channel=[(k, int(n), int(u)) for k, n, u in returned_by_channel],
        returned_by_carrier=[(k, int(n), int(u)) for k, n, u in returned_by_carrier],
        lines=[(r, sku, int(n), int(u)) for r, sku, n, u in lines],
        refunds=[(cur, int(n), Decimal(t)) for cur, n, t in refunds],
        units_by_sku=units_by_sku,
    )


def _parts(g: Gathered) -> Parts:
    shipped_by_channel, shipped_by_carrier = g.shipped_by_channel, g.shipped_by_carrier
    returned_by_channel, returned_by_carrier = g.returned_by_channel, g.returned_by_carrier
    lines, refunds, units_shipped = g.lines, g.refunds, g.units_shipped
    by_channel: dict[str, list[int]] = {}
    by_carrier: dict[str, list[int]] = {}
    for into, counts in ((by_channel, shipped_by_channel), (by_carrier, shipped_by_carrier)):
        for key, n in counts:
            into.setdefault(key or NO_CARRIER, [0, 0, 0])[0] += int(n)
    for into, back in ((by_channel, returned_by_channel), (by_carrier, returned_by_carrier)):
        for key, n, units in back:
            row = into.setdefault(key or NO_CARRIER, [0, 0, 0])
            row[1] += int(n)
            row[2] += int(units)
    by_reason: dict[str, list[int]] = {}
    by_sku: dict[str, list[int]] = {}
    for reason, sku, n, units in lines:
        for key, into in ((reason, by_reason), (sku or "", by_sku)):
            row = into.setdefault(key, [0, 0])
            row[0] += int(n)
            row[1] += int(units)
    sku_shipped = g.units_by_sku(list(by_sku))
    orders_shipped = sum(v[0] for v in by_channel.values())
    orders_returned = sum(v[1] for v in by_channel.values())
    units_returned = sum(v[2] for v in by_channel.values())
    figures = [
        Figure("orders_shipped", "Orders shipped", orders_shipped),
        Figure("orders_returned", "Orders with a return", orders_returned),
        Figure(
            "return_rate_percent",
            "Order return rate",
            percent(orders_returned, orders_shipped),
            ValueKind.PERCENT,
        ),
        Figure("units_shipped", "Units shipped", int(units_shipped)),
        Figure("units_returned", "Units returned", units_returned),
        Figure(
            "unit_return_rate_percent",
            "Unit return rate",
            percent(units_returned, int(units_shipped)),
            ValueKind.PERCENT,
        ),
        Figure("refunds", "Refunds", sum(int(n) for _, n, _ in refunds)),
    ]
    figures += [
        Figure(f"refunded_{cur.lower()}", f"Refunded ({cur})", Decimal(total), ValueKind.MONEY)
        for cur, _n, total in refunds
    ]
    rate_columns = (
        Column("orders_shipped", "Orders shipped", ValueKind.COUNT),
        Column("orders_returned", "Orders returned", ValueKind.COUNT),
        Column("units_returned", "Units returned", ValueKind.COUNT),
        Column("return_rate_percent", "Return rate", ValueKind.PERCENT),
    )

    def rate_rows(d: dict[str, list[int]]) -> tuple[tuple[Any, ...], ...]:
        return tuple((k, v[0], v[1], v[2], percent(v[1], v[0])) for k, v in sorted(d.items()))

    tables = (
        Table(
            "by_reason",
            "Returns by reason",
            (
                Column("reason", "Reason"),
                Column("lines", "Lines", ValueKind.COUNT),
                Column("units", "Units", ValueKind.COUNT),
            ),
            tuple(
                (k.replace("_", " "), v[0], v[1])
                for k, v in sorted(by_reason.items(), key=lambda kv: (-kv[1][1], kv[0]))
            ),
        ),
        Table(
            "by_sku",
            "Returns by SKU",
            (
                Column("sku", "SKU"),
                Column("units_shipped", "Units shipped", ValueKind.COUNT),
                Column("units_returned", "Units returned", ValueKind.COUNT),
                Column("return_rate_percent", "Return rate", ValueKind.PERCENT),
            ),
            tuple(
                (sku, sku_shipped.get(sku, 0), v[1], percent(v[1], sku_shipped.get(sku, 0)))
                for sku, v in sorted(by_sku.items(), key=lambda kv: (-kv[1][1], kv[0]))
            ),
        ),
        Table(
            "by_channel",
            "Returns by channel",
            (Column("channel", "Channel"), *rate_columns),
            rate_rows(by_channel) if orders_returned else (),
        ),
        Table(
            "by_carrier",
            "Returns by carrier",
            (Column("carrier", "Carrier"), *rate_columns),
            rate_rows(by_carrier) if orders_returned else (),
        ),
        Table(
            "refunds",
            "Refunds",
            (
                Column("currency", "Currency"),
                Column("refunds", "Refunds", ValueKind.COUNT),
                Column("total", "Total", ValueKind.MONEY),
            ),
            tuple((cur, int(n), Decimal(total)) for cur, n, total in refunds),
        ),
    )
    chart = Chart(
        ChartKind.BAR,
        "Returned units by reason",
        "Reason",
        "Units returned",
        (
            Series(
                "Units returned",
                tuple((k.replace("_", " "), Decimal(v[1])) for k, v in sorted(by_reason.items())),
            ),
        ),
    )
    notes = () if orders_returned else ("No returns on the orders shipped in this range.",)
    return Parts(tuple(figures), tables, chart, notes)
