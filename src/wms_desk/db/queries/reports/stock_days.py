"""Demand per UTC day: units picked per product (pick moves of the ledger, by when they were made).

Moves are append-only, so a closed day changes only if a move is recorded late into it (the
trigger of migration 0012 forgets that day). The stock report adds the days of its demand range.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from wms_desk.db.models import StockMove
from wms_desk.db.queries.reports import rollups
from wms_desk.db.queries.reports.common import Query, day_of, day_text, in_window
from wms_desk.domain.report_periods import Window

REPORT = "stock"


@dataclass
class DemandDay:
    units: dict[int, int] = field(default_factory=dict)  # product id: units picked

    def to_json(self) -> str:
        ids = sorted(self.units)
        return json.dumps([ids, [self.units[i] for i in ids]], separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> DemandDay:
        ids, units = json.loads(payload)
        return cls(dict(zip(ids, units, strict=True)))


def live(q: Query, window: Window) -> dict[date, DemandDay]:
    m = StockMove.__table__
    day = day_text(q.dialect, m.c.created_at)
    out: dict[date, DemandDay] = {}
    for d, pid, units in q.rows(
        select(day, m.c.product_id, func.sum(m.c.qty))
        .where(m.c.reason == "pick", *in_window(m.c.created_at, window))
        .group_by(day, m.c.product_id)
    ):
        part = out.setdefault(day_of(d), DemandDay())
        part.units[int(pid)] = int(units)
    return out


def eligible(q: Query) -> bool:
    """A range with both ends (the demand window is then the asked one) holding a closed day;
    the filters do not matter: stock is the whole site's."""
    f = q.scope.filters
    if f.start is None or f.end is None:
        return False
    return rollups.closed_days(q.scope.window, q.scope.now) is not None


ROLLUP = rollups.Rollup[DemandDay](
    report=REPORT,
    eligible=eligible,
    live=live,
    empty=DemandDay,
    encode=DemandDay.to_json,
    decode=DemandDay.from_json,
    scoped=False,  # stock is the whole site's whatever the filters: one set of days
)


def demand(q: Query) -> dict[int, int]:
    """Units picked per product over the asked range, from closed days and live ends."""
    out: dict[int, int] = {}
    get = out.get
    for part in rollups.gather(q, ROLLUP, q.scope.window, q.scope.now).values():
        for pid, n in part.units.items():  # thousands of products a day: a plain dict loop
            out[pid] = get(pid, 0) + n
    return out
