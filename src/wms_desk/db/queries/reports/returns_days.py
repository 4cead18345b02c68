"""Returns per UTC day the cohort shipped: the orders shipped that day and their returns so far.

An order ships on one day, so every count of the cohort belongs to exactly one day (its
returns, refunds and carriers with it, whenever they were raised) and days add up to any range.
A return raised later, a void (the order no longer shipped) or a refund changes the day its
order shipped: migration 0012's triggers forget that day. Channels are kept by id (a rename
changes no day); units shipped are kept per SKU (the SKU table shows those of returned SKUs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select

from wms_desk.db.models import Order, OrderLine, Refund, Rma, RmaLine, Shipment
from wms_desk.db.queries.reports.common import (
    DayParts,
    Query,
    day_text,
    in_window,
    order_terms,
    split_by,
)
from wms_desk.domain.report_periods import Window

REPORT = "returns"


@dataclass
class ReturnsDay:
    shipped_by_channel: dict[int, int] = field(default_factory=dict)  # channel id: orders
    shipped_by_carrier: dict[str, int] = field(default_factory=dict)  # carrier: orders
    units_by_sku: dict[str, int] = field(default_factory=dict)  # units shipped
    returned_by_channel: dict[int, list[int]] = field(default_factory=dict)  # orders, units
    returned_by_carrier: dict[str, list[int]] = field(default_factory=dict)  # orders, units
    lines: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (reason, sku)
    refunds: dict[str, list[Any]] = field(default_factory=dict)  # currency: [n, Decimal]

    def to_json(self) -> str:
        return json.dumps(
            {
                "sc": sorted(self.shipped_by_channel.items()),
                "sk": sorted(self.shipped_by_carrier.items()),
                # Two arrays, not pairs: a year of days decodes in half the time.
                "u": [
                    sorted(self.units_by_sku),
                    [n for _s, n in sorted(self.units_by_sku.items())],
                ],
                "rc": sorted([k, *v] for k, v in self.returned_by_channel.items()),
                "rk": sorted([k, *v] for k, v in self.returned_by_carrier.items()),
                "l": sorted([*k, *v] for k, v in self.lines.items()),
                "rf": sorted([k, v[0], str(v[1])] for k, v in self.refunds.items()),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str) -> ReturnsDay:
        d = json.loads(payload)
        return cls(
            {int(k): n for k, n in d["sc"]},
            dict(d["sk"]),
            dict(zip(d["u"][0], d["u"][1], strict=True)),
            {int(k): [o, u] for k, o, u in d["rc"]},
            {k: [o, u] for k, o, u in d["rk"]},
            {(r, s): [n, u] for r, s, n, u in d["l"]},
            {k: [n, Decimal(t)] for k, n, t in d["rf"]},
        )


def live(q: Query, window: Window) -> dict[date, ReturnsDay]:
    """Each UTC day's part of the orders shipped in `window` under the run's filters."""
    return split_days(q, window, None).get("", {})


def split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, ReturnsDay]]:
    """`live` for every value of `kind` at once (by scope key; '' without a split)."""
    o, ol, sh = Order.__table__, OrderLine.__table__, Shipment.__table__
    r, rl, rf = Rma.__table__, RmaLine.__table__, Refund.__table__
    split = split_by(kind, o.c.id, channel_id=o.c.channel_id)
    day = (*split.columns, day_text(q.dialect, o.c.shipped_at))
    cohort = [
        o.c.shipped_at.is_not(None),
        *in_window(o.c.shipped_at, window),
        *order_terms(q.scope, o.c.id, o.c.channel_id),
        *split.terms,
    ]
    bought = sh.c.status == "bought"
    parts = DayParts(ReturnsDay)
    for row in q.rows(
        select(*day, o.c.channel_id, func.count()).where(*cohort).group_by(*day, o.c.channel_id)
    ):
        p, (channel, n) = parts.part(split, row)
        p.shipped_by_channel[int(channel)] = int(n)
    for row in q.rows(
        select(*day, sh.c.carrier, func.count(distinct(sh.c.order_id)))
        .select_from(sh.join(o, o.c.id == sh.c.order_id))
        .where(bought, *cohort)
        .group_by(*day, sh.c.carrier)
    ):
        p, (carrier, n) = parts.part(split, row)
        p.shipped_by_carrier[carrier or ""] = int(n)
    for row in q.rows(
        select(*day, ol.c.sku, func.sum(ol.c.qty))
        .select_from(o.join(ol, ol.c.order_id == o.c.id))
        .where(*cohort)
        .group_by(*day, ol.c.sku)
    ):
        p, (sku, units) = parts.part(split, row)
        p.units_by_sku[sku or ""] = p.units_by_sku.get(sku or "", 0) + int(units)
    live_rma = [r.c.status != "cancelled", *cohort]
    returned = r.join(rl, rl.c.rma_id == r.c.id).join(o, o.c.id == r.c.order_id)
    for row in q.rows(
        select(*day, o.c.channel_id, func.count(distinct(r.c.order_id)), func.sum(rl.c.qty))
        .select_from(returned)
        .where(*live_rma)
        .group_by(*day, o.c.channel_id)
    ):
        p, (channel, n, units) = parts.part(split, row)
        p.returned_by_channel[int(channel)] = [int(n), int(units)]
    for row in q.rows(
        select(*day, sh.c.carrier, func.count(distinct(r.c.order_id)), func.sum(rl.c.qty))
        .select_from(returned.join(sh, sh.c.order_id == r.c.order_id))
        .where(bought, *live_rma)
        .group_by(*day, sh.c.carrier)
    ):
        p, (carrier, n, units) = parts.part(split, row)
        p.returned_by_carrier[carrier or ""] = [int(n), int(units)]
    for row in q.rows(
        select(*day, rl.c.reason, ol.c.sku, func.count(), func.sum(rl.c.qty))
        .select_from(returned.join(ol, ol.c.id == rl.c.order_line_id))
        .where(*live_rma)
        .group_by(*day, rl.c.reason, ol.c.sku)
    ):
        p, (reason, sku, n, units) = parts.part(split, row)
        line = p.lines.setdefault((reason, sku or ""), [0, 0])
        line[0] += int(n)
        line[1] += int(units)
    for row in q.rows(
        select(*day, rf.c.currency, func.count(), func.sum(rf.c.total))
        .select_from(rf.join(r, r.c.id == rf.c.rma_id).join(o, o.c.id == r.c.order_id))
        .where(*cohort)
        .group_by(*day, rf.c.currency)
    ):
        p, (currency, n, total) = parts.part(split, row)
        p.refunds[currency] = [int(n), Decimal(total)]
    return parts.out
