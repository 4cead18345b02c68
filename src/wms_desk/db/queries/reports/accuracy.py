"""Pick and pack accuracy: wrong scans per 100 lines, weight mismatches and short picks.

A wrong scan is a recorded scan the station refused (pack: wrong item, over-scan, unknown code,
duplicate serial; pick: wrong bin, wrong item, over-pick, wrong tote, unknown code), counted
when it was made. Lines are those of orders whose packing (or picking) finished in the range.
A weight mismatch is a box weighed in the range outside the tolerance (warned or blocked).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from wms_desk.db.models import (
    AuditEvent,
    LineShortage,
    Order,
    OrderLine,
    PackProgress,
    User,
)
from wms_desk.db.queries.reports import accuracy_days, rollups
from wms_desk.db.queries.reports.common import (
    Parts,
    Query,
    ratio,
)
from wms_desk.db.queries.reports.throughput import UNKNOWN, packed_terms
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind

WRONG_PACK, WRONG_PICK, MISMATCH = (
    accuracy_days.WRONG_PACK,
    accuracy_days.WRONG_PICK,
    accuracy_days.MISMATCH,
)


def _scan_terms(q: Query, action: str, wrong: tuple[str, ...]) -> list[ColumnElement[bool]]:
    return accuracy_days.scan_terms(q, q.scope.window, action, wrong)


def from_days(q: Query) -> bool:
    return rollups.ranged(q)


ROLLUP = rollups.Rollup[accuracy_days.AccuracyDay](
    report=accuracy_days.REPORT,
    eligible=from_days,
    live=accuracy_days.live,
    split=accuracy_days.split_days,
    listed=frozenset({"station"}),
    empty=accuracy_days.AccuracyDay,
    encode=accuracy_days.AccuracyDay.to_json,
    decode=accuracy_days.AccuracyDay.from_json,
)


def build(q: Query) -> Parts:
    if from_days(q):
        days = rollups.gather(q, ROLLUP, q.scope.window, q.scope.now)
        return _parts(q, accuracy_days.add_up(list(days.values())))
    return _parts(q, _live(q))


def _live(q: Query) -> accuracy_days.Totals:
    a, o, ol, p = (
        AuditEvent.__table__,
        Order.__table__,
        OrderLine.__table__,
        PackProgress.__table__,
    )
    scope = q.scope
    packed = packed_terms(q)
    per_packer = {
        who: [int(orders), 0, 0, 0]
        for who, orders in q.rows(
            select(p.c.completed_by_id, func.count()).where(*packed).group_by(p.c.completed_by_id)
        )
    }
    for who, lines in q.rows(
        select(p.c.completed_by_id, func.count())
        .select_from(p.join(ol, ol.c.order_id == p.c.order_id))
        .where(*packed)
        .group_by(p.c.completed_by_id)
    ):
        per_packer.setdefault(who, [0, 0, 0, 0])[1] = int(lines)
    for who, wrong in q.rows(
        select(a.c.user_id, func.count())
        .where(*_scan_terms(q, "pack.scan", WRONG_PACK))
        .group_by(a.c.user_id)
    ):
        per_packer.setdefault(who, [0, 0, 0, 0])[2] = int(wrong)
    for who, mismatches in q.rows(
        select(p.c.completed_by_id, func.count())
        .select_from(accuracy_days.WEIGHED_SOURCE)
        .where(*accuracy_days.weighed_terms(q, scope.window))
        .group_by(p.c.completed_by_id)
    ):
        per_packer.setdefault(who, [0, 0, 0, 0])[3] = int(mismatches)

    picked_orders = accuracy_days.picked_terms(q, scope.window)
    (lines_picked,) = q.one(
        select(func.count(ol.c.id))
        .select_from(o.join(ol, ol.c.order_id == o.c.id))
        .where(*picked_orders)
    )
    per_picker = {
        who: [int(n), 0, 0]
        for who, n in q.rows(
            select(a.c.user_id, func.count())
            .where(*_scan_terms(q, "pick.scan", WRONG_PICK))
            .group_by(a.c.user_id)
        )
    }
    s = LineShortage.__table__
    short_terms = accuracy_days.short_terms(q, scope.window)
    short_source = accuracy_days.SHORT_SOURCE
    by_sku = q.rows(
        select(ol.c.sku, func.count(), func.sum(s.c.qty))
        .select_from(short_source)
        .where(*short_terms)
        .group_by(ol.c.sku)
    )
    for who, lines, units in q.rows(
        select(s.c.user_id, func.count(), func.sum(s.c.qty))
        .select_from(short_source)
        .where(*short_terms)
        .group_by(s.c.user_id)
    ):
        row = per_picker.setdefault(who, [0, 0, 0])
        row[1], row[2] = int(lines), int(units)

    return accuracy_days.Totals(
        per_packer,
        int(lines_picked),
        per_picker,
        accuracy_days.sort_skus((sku or "", int(n), int(u)) for sku, n, u in by_sku),
    )


def _parts(q: Query, totals: accuracy_days.Totals) -> Parts:
    per_packer, per_picker, by_sku = totals.per_packer, totals.per_picker, totals.by_sku
    lines_picked = totals.lines_picked
    ids = {i for i in (*per_packer, *per_picker) if i is not None}
    names: dict[Any, str] = {None: UNKNOWN}
    if ids:
        names.update(q.rows(select(User.id, User.username).where(User.id.in_(ids))))

    lines_packed = sum(r[1] for r in per_packer.values())
    wrong_pack = sum(r[2] for r in per_packer.values())
    mismatches = sum(r[3] for r in per_packer.values())
    wrong_pick = sum(r[0] for r in per_picker.values())
    short_lines = sum(r[1] for r in per_picker.values())
    short_units = sum(r[2] for r in per_picker.values())
    figures = (
        Figure("lines_packed", "Lines packed", lines_packed),
        Figure("wrong_pack_scans", "Wrong scans at packing", wrong_pack),
        Figure(
            "wrong_pack_scans_per_100_lines",
            "Wrong pack scans per 100 lines",
            ratio(100 * wrong_pack, lines_packed),
            ValueKind.NUMBER,
        ),
        Figure("lines_picked", "Lines picked", int(lines_picked)),
        Figure("wrong_pick_scans", "Wrong scans at picking", wrong_pick),
        Figure(
            "wrong_pick_scans_per_100_lines",
            "Wrong pick scans per 100 lines",
            ratio(100 * wrong_pick, int(lines_picked)),
            ValueKind.NUMBER,
        ),
        Figure("weight_mismatches", "Boxes outside the weight tolerance", mismatches),
        Figure("short_pick_lines", "Lines short-picked", short_lines),
        Figure("short_pick_units", "Units short-picked", short_units),
    )
    packer_rows = sorted(
        (
            (names.get(who, UNKNOWN), orders, lines, wrong, ratio(100 * wrong, lines), weights)
            for who, (orders, lines, wrong, weights) in per_packer.items()
        ),
        key=lambda r: str(r[0]),
    )
    picker_rows: list[tuple[Any, ...]] = sorted(
        ((names.get(who, UNKNOWN), *row) for who, row in per_picker.items()),
        key=lambda r: str(r[0]),
    )
    tables = (
        Table(
            "by_packer",
            "Packing accuracy per packer",
            (
                Column("packer", "Packer"),
                Column("orders", "Orders packed", ValueKind.COUNT),
                Column("lines", "Lines packed", ValueKind.COUNT),
                Column("wrong_scans", "Wrong scans", ValueKind.COUNT),
                Column("wrong_scans_per_100_lines", "Per 100 lines", ValueKind.NUMBER),
                Column("weight_mismatches", "Weight mismatches", ValueKind.COUNT),
            ),
            tuple(packer_rows),
        ),
        Table(
            "by_picker",
            "Picking accuracy per picker",
            (
                Column("picker", "Picker"),
                Column("wrong_scans", "Wrong scans", ValueKind.COUNT),
                Column("short_lines", "Lines short", ValueKind.COUNT),
                Column("short_units", "Units short", ValueKind.COUNT),
            ),
            tuple(picker_rows),
        ),
        Table(
            "short_picks_by_sku",
            "Short picks per SKU",
            (
                Column("sku", "SKU"),
                Column("lines", "Lines short", ValueKind.COUNT),
                Column("units", "Units short", ValueKind.COUNT),
            ),
            tuple(by_sku),
        ),
    )
    chart = Chart(
        ChartKind.BAR,
        "Wrong pack scans per 100 lines",
        "Packer",
        "Wrong scans per 100 lines",
        (
            Series(
                "Wrong scans per 100 lines",
                tuple((str(r[0]), r[4]) for r in packer_rows if r[4] is not None),
            ),
        ),
    )
    notes = () if any(t.rows for t in tables) else ("Nothing was picked or packed in this range.",)
    return Parts(figures, tables, chart, notes)
