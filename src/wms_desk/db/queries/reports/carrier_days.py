"""Carrier spend per UTC day the labels were bought: shipments, orders, labels and spend per
carrier, service and currency, and the shipments voided.

Orders are counted distinct, which days do not simply add up for: an order bought twice in one
group (or currency) on two days would count on both. So each day also lists the orders it
counted that have a bought shipment of the same group (currency) on another day; adding days
up, such an order is counted once however many of the days in the range list it (an order whose
other day lies outside the range is listed by one day only, and counts once, as live).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, distinct, exists, func, select

from wms_desk.db.models import Shipment, ShipmentLabel
from wms_desk.db.queries.reports.common import (
    DayParts,
    Query,
    day_text,
    in_window,
    not_indexed_text,
    order_in_scope,
    split_by,
)
from wms_desk.domain.report_periods import Window

REPORT = "carrier-spend"
Group = tuple[str, str, str]  # (carrier, service, currency)


@dataclass
class GroupDay:
    shipments: int = 0
    orders: int = 0
    labels: int = 0
    spend: Decimal = Decimal(0)
    elsewhere: list[int] = field(default_factory=list)  # orders also bought on another day


@dataclass
class CarrierDay:
    groups: dict[Group, GroupDay] = field(default_factory=dict)
    currency_orders: dict[str, int] = field(default_factory=dict)
    currency_elsewhere: dict[str, list[int]] = field(default_factory=dict)
    voided: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "groups": [
                    [*k, g.shipments, g.orders, g.labels, str(g.spend), sorted(g.elsewhere)]
                    for k, g in sorted(self.groups.items())
                ],
                "currencies": [
                    [cur, n, sorted(self.currency_elsewhere.get(cur, []))]
                    for cur, n in sorted(self.currency_orders.items())
                ],
                "voided": self.voided,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str) -> CarrierDay:
        doc = json.loads(payload)
        groups = {
            (c, s, cur): GroupDay(n, o, lb, Decimal(sp), list(e))
            for c, s, cur, n, o, lb, sp, e in doc["groups"]
        }
        return cls(
            groups,
            {cur: n for cur, n, _e in doc["currencies"]},
            {cur: list(e) for cur, _n, e in doc["currencies"] if e},
            int(doc["voided"]),
        )


def bought_terms(q: Query, window: Window) -> list[ColumnElement[bool]]:
    """Shipments bought in `window` under every filter (any status: the caller adds bought or
    voided). The carrier is the shipment's own column; the rest are the order's (as a
    probe by the order's key, so without them no row of orders is read)."""
    s = Shipment.__table__
    scope = q.scope
    others = replace(scope, filters=replace(scope.filters, carrier=None))
    terms = [*in_window(s.c.bought_at, window), *order_in_scope(others, s.c.order_id)]
    if scope.filters.carrier:
        terms.append(not_indexed_text(s.c.carrier) == scope.filters.carrier)
    return terms


def live(q: Query, window: Window) -> dict[date, CarrierDay]:
    """Each UTC day's part of the shipments bought in `window` under the run's filters."""
    return split_days(q, window, None).get("", {})


def split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, CarrierDay]]:
    """`live` for every value of `kind` at once (by scope key; '' without a split)."""
    s, lb = Shipment.__table__, ShipmentLabel.__table__
    other = Shipment.__table__.alias("other")
    split = split_by(kind, s.c.order_id, carrier=s.c.carrier)
    day = day_text(q.dialect, s.c.bought_at)
    filtered = [*bought_terms(q, window), *split.terms]
    bought = [s.c.status == "bought", *filtered]
    keys = (*split.columns, day, s.c.carrier, s.c.service, s.c.currency)
    parts = DayParts(CarrierDay)
    for row in q.rows(
        select(*keys, func.count(), func.count(distinct(s.c.order_id)), func.sum(s.c.price))
        .where(*bought)
        .group_by(*keys)
    ):
        p, (c, sv, cur, n, orders, spend) = parts.part(split, row)
        p.groups[(c, sv, cur)] = GroupDay(int(n), int(orders), 0, Decimal(spend))
    for row in q.rows(
        select(*keys, func.count())
        .select_from(s.join(lb, lb.c.shipment_id == s.c.id))
        .where(*bought)
        .group_by(*keys)
    ):
        p, (c, sv, cur, n) = parts.part(split, row)
        p.groups.setdefault((c, sv, cur), GroupDay()).labels = int(n)
    by_currency = (*split.columns, day, s.c.currency)
    for row in q.rows(
        select(*by_currency, func.count(distinct(s.c.order_id)))
        .where(*bought)
        .group_by(*by_currency)
    ):
        p, (cur, orders) = parts.part(split, row)
        p.currency_orders[cur] = int(orders)
    by_day = (*split.columns, day)
    for row in q.rows(
        select(*by_day, func.count()).where(s.c.status == "voided", *filtered).group_by(*by_day)
    ):
        p, (n,) = parts.part(split, row)
        p.voided = int(n)

    def elsewhere(*same: Any) -> Any:
        return exists().where(
            other.c.order_id == s.c.order_id,
            other.c.status == "bought",
            day_text(q.dialect, other.c.bought_at) != day,
            *same,
        )

    same_group = (
        other.c.carrier == s.c.carrier,
        other.c.service == s.c.service,
        other.c.currency == s.c.currency,
    )
    for row in q.rows(
        select(*keys, s.c.order_id).distinct().where(*bought, elsewhere(*same_group))
    ):
        p, (c, sv, cur, order_id) = parts.part(split, row)
        p.groups[(c, sv, cur)].elsewhere.append(int(order_id))
    # The other shipments are the same order's (its channel, station and packer); a carrier
    # filter is the shipment's own column, so it must hold for the other one too.
    same_currency = [other.c.currency == s.c.currency]
    if q.scope.filters.carrier:
        same_currency.append(not_indexed_text(other.c.carrier) == q.scope.filters.carrier)
    if kind == "carrier":
        same_currency.append(other.c.carrier == s.c.carrier)
    for row in q.rows(
        select(*by_currency, s.c.order_id).distinct().where(*bought, elsewhere(*same_currency))
    ):
        p, (cur, order_id) = parts.part(split, row)
        p.currency_elsewhere.setdefault(cur, []).append(int(order_id))
    return parts.out


@dataclass(frozen=True)
class Totals:
    """Days added up: what the carrier spend report is made of."""

    spent: list[tuple[str, str, str, int, int, Decimal]]  # carrier, service, currency, n, orders
    labelled: dict[Group, int]
    voided: int
    orders_by_currency: dict[str, int]


def add_up(days: list[CarrierDay]) -> Totals:
    groups: dict[Group, GroupDay] = {}
    seen: dict[Group, Counter[int]] = {}
    currency_orders: dict[str, int] = {}
    currency_seen: dict[str, Counter[int]] = {}
    voided = 0
    for part in days:
        voided += part.voided
        for key, g in part.groups.items():
            mine = groups.setdefault(key, GroupDay())
            mine.shipments += g.shipments
            mine.orders += g.orders
            mine.labels += g.labels
            mine.spend += g.spend
            seen.setdefault(key, Counter()).update(g.elsewhere)
        for cur, n in part.currency_orders.items():
            currency_orders[cur] = currency_orders.get(cur, 0) + n
        for cur, ids in part.currency_elsewhere.items():
            currency_seen.setdefault(cur, Counter()).update(ids)
    for key, counts in seen.items():
        groups[key].orders -= sum(n - 1 for n in counts.values())
    for cur, counts in currency_seen.items():
        currency_orders[cur] -= sum(n - 1 for n in counts.values())
    return Totals(
        spent=[
            (c, sv, cur, g.shipments, g.orders, g.spend)
            for (c, sv, cur), g in groups.items()
            if g.shipments
        ],
        labelled={k: g.labels for k, g in groups.items() if g.labels},
        voided=voided,
        orders_by_currency={cur: n for cur, n in currency_orders.items() if n},
    )
