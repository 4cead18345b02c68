"""Carrier spend: what the labels bought in the range cost, per package and per order.

A shipment counts when it was bought in the range and not voided since; its packages are its
labels. Sums are per currency (a carrier billed in two currencies shows two rows); cost per
package and per order are the sums divided, rounded half-up to the cent.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select

from wms_desk.db.models import Order, Shipment, ShipmentLabel
from wms_desk.db.queries.reports.common import Parts, Query, in_window, order_terms, ratio
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind


def build(q: Query) -> Parts:
    s, lb, o = Shipment.__table__, ShipmentLabel.__table__, Order.__table__
    scope = q.scope
    # The carrier filter is this table's own column; the rest are the order's.
    others = replace(scope, filters=replace(scope.filters, carrier=None))
    bought = [*in_window(s.c.bought_at, scope.window), *order_terms(others, o.c.id, o.c.channel_id)]
    if scope.filters.carrier:
        bought.append(s.c.carrier == scope.filters.carrier)
    labels = (
        select(func.count()).where(lb.c.shipment_id == s.c.id).scalar_subquery().label("labels")
    )
    rows = q.rows(
        select(
            s.c.carrier,
            s.c.service,
            s.c.currency,
            func.count(),
            func.count(distinct(s.c.order_id)),
            func.sum(labels),
            func.sum(s.c.price),
        )
        .select_from(s.join(o, o.c.id == s.c.order_id))
        .where(s.c.status == "bought", *bought)
        .group_by(s.c.carrier, s.c.service, s.c.currency)
        .order_by(s.c.currency, s.c.carrier, s.c.service)
    )
    (voided,) = q.one(
        select(func.count())
        .select_from(s.join(o, o.c.id == s.c.order_id))
        .where(s.c.status == "voided", *bought)
    )
    per_currency = q.rows(
        select(
            s.c.currency,
            func.count(distinct(s.c.order_id)),
            func.sum(labels),
            func.sum(s.c.price),
        )
        .select_from(s.join(o, o.c.id == s.c.order_id))
        .where(s.c.status == "bought", *bought)
        .group_by(s.c.currency)
        .order_by(s.c.currency)
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
