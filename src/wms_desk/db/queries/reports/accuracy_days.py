"""Accuracy per UTC day: each count on the day of its own event (packing completed, scan made,
box weighed, order picked, line short), so days add up to any range exactly.

Under the run's filters: what report_rollups keeps for report "accuracy" (per scope), what the
live ends of a range are computed as, and (its terms) what the live report counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, select

from wms_desk.db.models import (
    AuditEvent,
    LineShortage,
    Order,
    OrderLine,
    Package,
    PackProgress,
    Station,
)
from wms_desk.db.queries.reports.common import (
    DayParts,
    Query,
    day_of,
    day_text,
    in_window,
    order_in_scope,
    order_terms,
    people_terms,
    split_by,
    value_scope,
    without_people,
)
from wms_desk.db.queries.reports.throughput_days import packed_terms
from wms_desk.domain.report_periods import Window

REPORT = "accuracy"
WRONG_PACK = ("wrong_item", "over_scan", "unknown_code", "duplicate_serial")
WRONG_PICK = ("wrong_bin", "wrong_item", "over_pick", "wrong_tote", "unknown_code")
MISMATCH = ("warn", "block")
Who = int | None


@dataclass
class AccuracyDay:
    packers: dict[Who, list[int]] = field(default_factory=dict)  # orders, lines, wrong, weights
    lines_picked: int = 0
    pickers: dict[Who, int] = field(default_factory=dict)  # wrong pick scans
    shorts: dict[tuple[Who, str], list[int]] = field(default_factory=dict)  # (user, sku): n, qty

    def packer(self, who: Who) -> list[int]:
        return self.packers.setdefault(who, [0, 0, 0, 0])

    def to_json(self) -> str:
        return json.dumps(
            {
                "packers": [[w, *v] for w, v in sorted(self.packers.items(), key=_by_id)],
                "picked": self.lines_picked,
                "pickers": [[w, n] for w, n in sorted(self.pickers.items(), key=_by_id)],
                "shorts": [
                    [w, sku, *v]
                    for (w, sku), v in sorted(
                        self.shorts.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])
                    )
                ],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str) -> AccuracyDay:
        doc = json.loads(payload)
        return cls(
            {w: [o, ln, wr, wt] for w, o, ln, wr, wt in doc["packers"]},
            int(doc["picked"]),
            {w: n for w, n in doc["pickers"]},
            {(w, sku): [n, u] for w, sku, n, u in doc["shorts"]},
        )


def _by_id(kv: tuple[Who, Any]) -> int:
    return kv[0] or 0


_A, _O, _OL = AuditEvent.__table__, Order.__table__, OrderLine.__table__
_P, _PK, _S = PackProgress.__table__, Package.__table__, LineShortage.__table__
# A box counts under the packer of its order (outer: a box of an order with no pack progress).
WEIGHED_SOURCE = _PK.join(_O, _O.c.id == _PK.c.order_id).outerjoin(
    _P, _P.c.order_id == _PK.c.order_id
)
SHORT_SOURCE = _S.join(_OL, _OL.c.id == _S.c.order_line_id).join(_O, _O.c.id == _OL.c.order_id)


def scan_terms(
    q: Query, window: Window, action: str, wrong: tuple[str, ...]
) -> list[ColumnElement[bool]]:
    """Wrong scans of `action` made in `window` under every filter: packer and station are the
    scan's own; channel and carrier are those of the order scanned."""
    scope = q.scope
    terms = [
        _A.c.action == action,
        *in_window(_A.c.created_at, window),
        AuditEvent.after["outcome"].as_string().in_(wrong),
    ]
    if scope.packer_id is not None:
        terms.append(_A.c.user_id == scope.packer_id)
    if scope.station_id is not None:
        terms.append(_A.c.station_id == scope.station_id)
    if scope.channel_id is not None or scope.filters.carrier:
        # Only scans on an order can be traced to its channel or carrier: the order is probed
        # by its key (the CASE: no other kind of subject id is ever cast to a number).
        order_id = cast(case((_A.c.subject_type == "order", _A.c.subject_id)), Integer)
        terms += [_A.c.subject_type == "order", *order_in_scope(without_people(scope), order_id)]
    return terms


def weighed_terms(q: Query, window: Window) -> list[ColumnElement[bool]]:
    """Boxes weighed in `window` outside the tolerance under every filter (over WEIGHED_SOURCE:
    station and packer are those of the order's packing)."""
    scope = q.scope
    terms = [
        _PK.c.weight_check.in_(MISMATCH),
        *in_window(_PK.c.weighed_at, window),
        *people_terms(scope, _P.c.station_id, _P.c.completed_by_id),
    ]
    return [*terms, *order_terms(without_people(scope), _O.c.id, _O.c.channel_id)]


def picked_terms(q: Query, window: Window) -> list[ColumnElement[bool]]:
    """Orders picked in `window` under every filter (station and packer: those of its packing)."""
    return [
        _O.c.picked_at.is_not(None),
        *in_window(_O.c.picked_at, window),
        *order_terms(q.scope, _O.c.id, _O.c.channel_id),
    ]


def short_terms(q: Query, window: Window) -> list[ColumnElement[bool]]:
    """Lines found short at picking in `window` (over SHORT_SOURCE); the packer filter is the
    user who found it short, the station filter does not apply (a picker has no station)."""
    scope = q.scope
    terms = [
        _S.c.stage == "pick",
        *in_window(_S.c.created_at, window),
        *order_terms(without_people(scope), _O.c.id, _O.c.channel_id),
    ]
    if scope.packer_id is not None:
        terms.append(_S.c.user_id == scope.packer_id)
    return terms


def live(q: Query, window: Window) -> dict[date, AccuracyDay]:
    """Each UTC day's part of what happened in `window` under the run's filters."""
    return split_days(q, window, None).get("", {})


def split_days(q: Query, window: Window, kind: str | None) -> dict[str, dict[date, AccuracyDay]]:
    """`live` for every value of `kind` at once (by scope key; '' without a split)."""
    a, o, ol = _A, _O, _OL
    p, pk, s = _P, _PK, _S
    parts = DayParts(AccuracyDay)
    out = parts.out
    packed_day = day_text(q.dialect, p.c.completed_at)
    by_packing = split_by(
        kind, p.c.order_id, station_id=p.c.station_id, packer_id=p.c.completed_by_id
    )
    packed = [*packed_terms(q, window), *by_packing.terms]
    keys = (*by_packing.columns, packed_day, p.c.completed_by_id)
    for row in q.rows(select(*keys, func.count()).where(*packed).group_by(*keys)):
        day, (who, n) = parts.part(by_packing, row)
        day.packer(who)[0] = int(n)
    for row in q.rows(
        select(*keys, func.count())
        .select_from(p.join(ol, ol.c.order_id == p.c.order_id))
        .where(*packed)
        .group_by(*keys)
    ):
        day, (who, n) = parts.part(by_packing, row)
        day.packer(who)[1] = int(n)
    scan_day = day_text(q.dialect, a.c.created_at)
    scanned = cast(case((a.c.subject_type == "order", a.c.subject_id)), Integer)
    by_scan = split_by(kind, scanned, station_id=a.c.station_id, packer_id=a.c.user_id)
    if kind in ("channel", "carrier"):
        # As scan_terms: only scans on an order have its channel or carrier.
        by_scan = replace(by_scan, terms=(a.c.subject_type == "order", *by_scan.terms))
    keys = (*by_scan.columns, scan_day, a.c.user_id)
    for action, wrong in (("pack.scan", WRONG_PACK), ("pick.scan", WRONG_PICK)):
        for row in q.rows(
            select(*keys, func.count())
            .where(*scan_terms(q, window, action, wrong), *by_scan.terms)
            .group_by(*keys)
        ):
            day, (who, n) = parts.part(by_scan, row)
            if action == "pack.scan":
                day.packer(who)[2] = int(n)
            else:
                day.pickers[who] = int(n)
    weighed_day = day_text(q.dialect, pk.c.weighed_at)
    by_box = split_by(
        kind, o.c.id, channel_id=o.c.channel_id, station_id=p.c.station_id,
        packer_id=p.c.completed_by_id,
    )  # fmt: skip
    keys = (*by_box.columns, weighed_day, p.c.completed_by_id)
    for row in q.rows(
        select(*keys, func.count())
        .select_from(WEIGHED_SOURCE)
        .where(*weighed_terms(q, window), *by_box.terms)
        .group_by(*keys)
    ):
        day, (who, n) = parts.part(by_box, row)
        day.packer(who)[3] = int(n)
    picked_day = day_text(q.dialect, o.c.picked_at)
    by_order = split_by(kind, o.c.id, channel_id=o.c.channel_id)
    keys = (*by_order.columns, picked_day)
    for row in q.rows(
        select(*keys, func.count(ol.c.id))
        .select_from(o.join(ol, ol.c.order_id == o.c.id))
        .where(*picked_terms(q, window), *by_order.terms)
        .group_by(*keys)
    ):
        day, (n,) = parts.part(by_order, row)
        day.lines_picked = int(n)
    short_day = day_text(q.dialect, s.c.created_at)
    # The station filter does not apply to short picks (short_terms): every station's day
    # holds them all, so they are counted once and copied into each station's scope.
    by_short = split_by(
        None if kind == "station" else kind, o.c.id, channel_id=o.c.channel_id,
        packer_id=s.c.user_id,
    )  # fmt: skip
    keys = (*by_short.columns, short_day, s.c.user_id, ol.c.sku)
    short_rows = q.rows(
        select(*keys, func.count(), func.sum(s.c.qty))
        .select_from(SHORT_SOURCE)
        .where(*short_terms(q, window), *by_short.terms)
        .group_by(*keys)
    )
    stations = []
    if kind == "station":
        stations = [value_scope(kind, sid) for (sid,) in q.rows(select(Station.id))]
        for scope in stations:  # every station is listed, with its days or none
            out.setdefault(scope, {})
    for row in short_rows:
        d, who, sku, n, units = by_short.rest(row)
        for scope in stations if kind == "station" else [by_short.scope(row)]:
            day = out.setdefault(scope, {}).setdefault(day_of(d), AccuracyDay())
            day.shorts[(who, sku or "")] = [int(n), int(units)]
    return out


@dataclass(frozen=True)
class Totals:
    """Days added up: what the accuracy report is made of."""

    per_packer: dict[Who, list[int]]  # orders, lines, wrong scans, weight mismatches
    lines_picked: int
    per_picker: dict[Who, list[int]]  # wrong scans, short lines, short units
    by_sku: list[tuple[str, int, int]]  # sku, lines, units; most units first


def add_up(days: list[AccuracyDay]) -> Totals:
    packers: dict[Who, list[int]] = {}
    pickers: dict[Who, list[int]] = {}
    skus: dict[str, list[int]] = {}
    picked = 0
    for part in days:
        picked += part.lines_picked
        for who, values in part.packers.items():
            mine = packers.setdefault(who, [0, 0, 0, 0])
            for i, v in enumerate(values):
                mine[i] += v
        for who, n in part.pickers.items():
            pickers.setdefault(who, [0, 0, 0])[0] += n
        for (who, sku), (n, units) in part.shorts.items():
            row = pickers.setdefault(who, [0, 0, 0])
            row[1] += n
            row[2] += units
            by = skus.setdefault(sku, [0, 0])
            by[0] += n
            by[1] += units
    return Totals(packers, picked, pickers, sort_skus((s, n, u) for s, (n, u) in skus.items()))


def sort_skus(rows: Any) -> list[tuple[str, int, int]]:
    return sorted(rows, key=lambda r: (-r[2], r[0]))
