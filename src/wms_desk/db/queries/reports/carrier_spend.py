"""Carrier spend: what the labels bought in the range cost, per package and per order.

A shipment counts when it was bought in the range and not voided since; its packages are its
labels. Sums are per currency (a carrier billed in two currencies shows two rows); cost per
package and per order are the sums divided, rounded half-up to the cent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select

from wms_desk.db.models import Shipment, ShipmentLabel
from wms_desk.db.queries.reports import carrier_days, rollups
from wms_desk.db.queries.reports.common import Parts, Query, ratio
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind


def from_days(q: Query) -> bool:
    return rollups.ranged(q)


ROLLUP = rollups.Rollup[carrier_days.CarrierDay](
    report=carrier_days.REPORT,
    eligible=from_days,
    live=carrier_days.live,
    split=carrier_days.split_days,
    empty=carrier_days.CarrierDay,
    encode=carrier_days.CarrierDay.to_json,
    decode=carrier_days.CarrierDay.from_json,
)


def build(q: Query) -> Parts:
    if from_days(q):
        days = rollups.gather(q, ROLLUP, q.scope.window, q.scope.now)
        return _parts(carrier_days.add_up(list(days.values())))
    return _parts(_live(q))


def _live(q: Query) -> carrier_days.Totals:
    s, lb = Shipment.__table__, ShipmentLabel.__table__
    bought = carrier_days.bought_terms(q, q.scope.window)
    keys = (s.c.carrier, s.c.service, s.c.currency)
    spent = q.rows(
        select(*keys, func.count(), func.count(distinct(s.c.order_id)), func.sum(s.c.price))
        .where(s.c.status == "bought", *bought)
        .group_by(*keys)
    )
    labelled = {
        (carrier, service, currency): int(n)
        for carrier, service, currency, n in q.rows(
            select(*keys, func.count())
            .select_from(s.join(lb, lb.c.shipment_id == s.c.id))
            .where(s.c.status == "bought", *bought)
            .group_by(*keys)
        )
    }
    (voided,) = q.one(select(func.count()).select_from(s).where(s.c.status == "voided", *bought))
    # An order shipped twice in one currency (two services) is one order of that currency.
    orders_by_currency = dict(
        q.rows(
            select(s.c.currency, func.count(distinct(s.c.order_id)))
            .where(s.c.status == "bought", *bought)
            .group_by(s.c.currency)
        )
    )
    return carrier_days.Totals(
        spent=[(c, sv, cur, int(n), int(o), Decimal(sp)) for c, sv, cur, n, o, sp in spent],
        labelled=labelled,
        voided=int(voided),
        orders_by_currency={cur: int(n) for cur, n in orders_by_currency.items()},
    )


def _parts(totals: carrier_days.Totals) -> Parts:
    # Sorted here, not by the database's collation, so both paths and both backends agree.
    rows = sorted(
        (
            (c, sv, cur, n, orders, totals.labelled.get((c, sv, cur), 0), spend)
            for c, sv, cur, n, orders, spend in totals.spent
        ),
        key=lambda r: (r[2], r[0], r[1]),
    )
    voided, orders_by_currency = totals.voided, totals.orders_by_currency
    per_currency: list[tuple[Any, ...]] = []
    for currency in sorted({r[2] for r in rows}):
        mine = [r for r in rows if r[2] == currency]
        per_currency.append(
            (
                currency,
                int(orders_by_currency.get(currency, 0)),
                sum(r[5] for r in mine),
                sum((Decimal(r[6]) for r in mine), Decimal(0)),
            )
        )
    table_rows: list[tuple[Any, ...]] = []
    for carrier, service, currency, shipments, orders, packages, spend in rows:
        spend = Decimal(spend)
        table_rows.append(
            (
                carrier,
                service,
                currency,
                int(shipments),
                int(orders),
                int(packages or 0),
                spend,
                ratio(spend, int(packages or 0), "0.01"),
                ratio(spend, int(orders), "0.01"),
            )
        )
    figures: list[Figure] = [
        Figure("shipments", "Shipments bought", sum(int(r[3]) for r in table_rows)),
        Figure("voided", "Shipments voided", int(voided)),
    ]
    for currency, orders, packages, spend in per_currency:
        cur = currency.lower()
        spend = Decimal(spend)
        figures += [
            Figure(f"spend_{cur}", f"Spend ({currency})", spend, ValueKind.MONEY),
            Figure(f"orders_{cur}", f"Orders ({currency})", int(orders)),
            Figure(f"packages_{cur}", f"Packages ({currency})", int(packages or 0)),
            Figure(
                f"cost_per_package_{cur}",
                f"Cost per package ({currency})",
                ratio(spend, int(packages or 0), "0.01"),
                ValueKind.MONEY,
            ),
            Figure(
                f"cost_per_order_{cur}",
                f"Cost per order ({currency})",
                ratio(spend, int(orders), "0.01"),
                ValueKind.MONEY,
            ),
        ]
    table = Table(
        "by_service",
        "Spend by carrier and service",
        (
            Column("carrier", "Carrier"),
            Column("service", "Service"),
            Column("currency", "Currency"),
            Column("shipments", "Shipments", ValueKind.COUNT),
            Column("orders", "Orders", ValueKind.COUNT),
            Column("packages", "Packages", ValueKind.COUNT),
            Column("spend", "Spend", ValueKind.MONEY),
            Column("cost_per_package", "Per package", ValueKind.MONEY),
            Column("cost_per_order", "Per order", ValueKind.MONEY),
        ),
        tuple(table_rows),
    )
    chart = Chart(
        ChartKind.BAR,
        "Cost per package by carrier and service",
        "Carrier and service",
        "Cost per package",
        (
            Series(
                "Cost per package",
                tuple((f"{r[0]} {r[1]} ({r[2]})", r[7]) for r in table_rows if r[7] is not None),
            ),
        ),
    )
    notes = () if table_rows else ("No labels were bought in this range.",)
    return Parts(tuple(figures), (table,), chart, notes)
