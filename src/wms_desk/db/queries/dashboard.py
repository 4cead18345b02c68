"""The dashboard's SQL: orders per status, the backlog by ship-by, today's work and exceptions.

Every query is an indexed count or reads only today's rows, so a refresh stays cheap at a
million orders: the statuses still to ship are counted exactly (a short index range each), the
closed ones stop at COUNT_CAP, and "today" is a range on an indexed time column (audit events
by (action, created_at), line shortages by created_at: migration 0011).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, func, literal, select, union_all
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    AuditEvent,
    LineShortage,
    Order,
    OrderLine,
    PackProgress,
    PrintJob,
    Station,
    User,
)
from wms_desk.db.queries.queue.counts import COUNT_CAP
from wms_desk.db.queries.queue.rows import among
from wms_desk.domain import order_status
from wms_desk.domain.dashboard import (
    MISMATCHED_WEIGHTS,
    WRONG_SCAN_OUTCOMES,
    Backlog,
    ExceptionKind,
    Measure,
    WorkCell,
    WorkSlice,
    backlog_range,
)
from wms_desk.domain.due import day_bounds

# The audit actions the pack and ship services write (services/packing, services/shipping).
PACK_SCAN = "pack.scan"
PACK_WEIGHED = "pack.weighed"
SHIP_BUY = "ship.buy"
SHIP_VOID = "ship.void"
FAILED_PRINT = "failed"

OPEN_STATUSES = order_status.in_order(order_status.OPEN)
NO_STATION = "No station"
NOBODY = "Nobody"


@dataclass(frozen=True)
class Today:
    """The local day the dashboard counts, as UTC-comparable bounds, and the clock it used."""

    now: datetime
    utc_offset: timedelta
    start: datetime
    end: datetime

    @classmethod
    def at(cls, now: datetime, utc_offset: timedelta) -> Today:
        now = now.astimezone(UTC)  # the database keeps UTC
        start, end = day_bounds(now, utc_offset)
        return cls(now, utc_offset, start, end)


def status_counts(session: Session, cap: int = COUNT_CAP) -> dict[str, int]:
    """Orders per status now: exact for the statuses still to ship, at most cap + 1 for the
    closed ones (the 900,000 shipped orders are history, not work; the chip reads "10,000+")."""
    o = Order.__table__.c
    branches = []
    for status in order_status.VALUES:
        walk = select(o.status).where(o.status == status)
        if status not in OPEN_STATUSES:
            walk = walk.limit(cap + 1)
        counted = walk.subquery()
        branches.append(
            select(literal(status).label("status"), func.count().label("n")).select_from(counted)
        )
    counts = dict.fromkeys(order_status.VALUES, 0)
    counts.update({status: n for status, n in session.execute(union_all(*branches))})
    return counts


def _backlog_terms(backlog: Backlog, today: Today) -> list[ColumnElement[bool]]:
    o = Order.__table__.c
    bounds = backlog_range(backlog, today.now, today.utc_offset)
    terms: list[ColumnElement[bool]] = [o.status.in_(OPEN_STATUSES)]
    if bounds.lower is not None:
        terms.append(o.ship_by >= bounds.lower)
    if bounds.upper is not None:
        terms.append(o.ship_by < bounds.upper)
    return terms


def backlog_counts(session: Session, today: Today) -> dict[Backlog, int]:
    """Open orders late, due today and due tomorrow (ranges on the (status, ship_by) index)."""
    branches = [
        select(literal(b.value).label("window"), func.count().label("n")).where(
            *_backlog_terms(b, today)
        )
        for b in Backlog
    ]
    counts = dict.fromkeys(Backlog, 0)
    counts.update({Backlog(w): n for w, n in session.execute(union_all(*branches))})
    return counts


def backlog_ids(session: Session, backlog: Backlog, today: Today) -> list[int]:
    """The orders behind one backlog number (tests and the list a tile opens agree on it)."""
    o = Order.__table__.c
    return list(session.scalars(select(o.id).where(*_backlog_terms(backlog, today)).order_by(o.id)))


def _names(session: Session, table: Any, column: Any, ids: set[int | None]) -> dict[int, str]:
    known = sorted(i for i in ids if i is not None)
    if not known:
        return {}
    dialect = session.get_bind().dialect.name
    stmt = select(table.c.id, column).where(among(table.c.id, known, dialect))
    return {row_id: name for row_id, name in session.execute(stmt)}


def _today_events(session: Session, action: str, today: Today) -> Any:
    a = AuditEvent.__table__.c
    return select(a.subject_id, a.created_at, a.station_id, a.user_id).where(
        a.action == action, a.created_at >= today.start, a.created_at < today.end
    )


def _hour_of(session: Session, column: Any, day_start: datetime) -> Any:
    """The local hour of the day a stored time fell in, in SQL (whole seconds since the day
    began, so an event at 10:00:00 is in hour 10)."""
    start = int(day_start.timestamp())
    if session.get_bind().dialect.name == "sqlite":
        seconds = func.cast(func.strftime("%s", column), Integer) - start
        return func.cast(seconds / 3600, Integer)
    # date_part is double precision; extract() is numeric since PostgreSQL 14, and slower.
    return func.cast(func.floor((func.date_part("epoch", column) - start) / 3600), Integer)


def _packed_terms(work: WorkSlice, session: Session) -> list[ColumnElement[bool]]:
    # pack_progress holds one row per order with when, where and by whom it was completed
    # (0011): an order re-packed today counts once, at its last COMPLETE.
    p = PackProgress.__table__.c
    terms = [p.completed_at >= work.day_start, p.completed_at < work.day_end]
    if work.hour is not None:
        terms.append(_hour_of(session, p.completed_at, work.day_start) == work.hour)
    if work.station_id is not None:
        terms.append(p.station_id == work.station_id)
    if work.user_id is not None:
        terms.append(p.completed_by_id == work.user_id)
    return terms


def _shipped_terms(work: WorkSlice, session: Session) -> list[ColumnElement[bool]]:
    # A label bought is the order shipped from the station's side; the audit row says where.
    a = AuditEvent.__table__.c
    terms = [a.action == SHIP_BUY, a.created_at >= work.day_start, a.created_at < work.day_end]
    if work.hour is not None:
        terms.append(_hour_of(session, a.created_at, work.day_start) == work.hour)
    if work.station_id is not None:
        terms.append(a.station_id == work.station_id)
    if work.user_id is not None:
        terms.append(a.user_id == work.user_id)
    return terms


Totals = dict[tuple[Measure, str, int | None], int]


def work_today(session: Session, today: Today) -> tuple[list[WorkCell], Totals]:
    """Orders packed and shipped today per (local hour, station, person), and the distinct
    totals in all ("all", None), per station ("station", id) and per person ("user", id).

    Index range reads grouped in SQL: packing has one row per order; shipping counts distinct
    orders per cell, and an order bought twice today is counted once in the totals.
    """
    day = WorkSlice(today.start, today.end)
    p, a = PackProgress.__table__.c, AuditEvent.__table__.c
    hour = _hour_of(session, p.completed_at, today.start)
    packed = (
        select(hour, p.station_id, p.completed_by_id, func.count())
        .where(*_packed_terms(day, session))
        .group_by(hour, p.station_id, p.completed_by_id)
    )
    counted: dict[tuple[Measure, int, int | None, int | None], int] = {}
    totals: Totals = {}

    def add(key: tuple[Measure, str, int | None], n: int) -> None:
        totals[key] = totals.get(key, 0) + n

    for h, sid, uid, n in session.execute(packed):
        counted[(Measure.PACKED, int(h), sid, uid)] = int(n)
        add((Measure.PACKED, "all", None), n)
        add((Measure.PACKED, "station", sid), n)
        add((Measure.PACKED, "user", uid), n)
    ship_hour = _hour_of(session, a.created_at, today.start)
    shipped_terms = _shipped_terms(day, session)
    shipped = (
        select(ship_hour, a.station_id, a.user_id, func.count(a.subject_id.distinct()))
        .where(*shipped_terms)
        .group_by(ship_hour, a.station_id, a.user_id)
    )
    for h, sid, uid, n in session.execute(shipped):
        counted[(Measure.SHIPPED, int(h), sid, uid)] = int(n)
        add((Measure.SHIPPED, "all", None), n)
        add((Measure.SHIPPED, "station", sid), n)
        add((Measure.SHIPPED, "user", uid), n)
    # An order bought twice today (a label voided and bought again) sits in more than one cell:
    # the totals count it once. Such orders are few; only their rows are read.
    again = (
        select(a.subject_id).where(*shipped_terms).group_by(a.subject_id).having(func.count() > 1)
    )
    twice = select(a.subject_id, ship_hour, a.station_id, a.user_id).where(
        *shipped_terms, a.subject_id.in_(again)
    )
    cells_of: dict[str, set[tuple[int, int | None, int | None]]] = {}
    for subject, h, sid, uid in session.execute(twice):
        cells_of.setdefault(subject, set()).add((int(h), sid, uid))
    for cells_here in cells_of.values():
        add((Measure.SHIPPED, "all", None), 1 - len(cells_here))
        for by, index in (("station", 1), ("user", 2)):
            for who in {c[index] for c in cells_here}:
                n = sum(1 for c in cells_here if c[index] == who)
                add((Measure.SHIPPED, by, who), 1 - n)
    stations = _names(session, Station.__table__, Station.__table__.c.name, {k[2] for k in counted})
    users = _names(session, User.__table__, User.__table__.c.display_name, {k[3] for k in counted})
    cells = [
        WorkCell(m, h, sid, stations.get(sid, NO_STATION) if sid else NO_STATION, uid,
                 users.get(uid, NOBODY) if uid else NOBODY, n)
        for (m, h, sid, uid), n in counted.items()
    ]  # fmt: skip
    cells.sort(key=lambda c: (c.measure, c.hour, c.station, c.packer))
    return cells, totals


def work_order_ids(session: Session, work: WorkSlice) -> list[int]:
    """The orders behind one throughput number (what clicking it shows)."""
    ids: set[int] = set()
    if work.measure in (None, Measure.PACKED):
        p = PackProgress.__table__.c
        ids.update(session.scalars(select(p.order_id).where(*_packed_terms(work, session))))
    if work.measure in (None, Measure.SHIPPED):
        a = AuditEvent.__table__.c
        shipped = select(a.subject_id).where(*_shipped_terms(work, session))
        ids.update(int(subject) for subject in session.scalars(shipped))
    return sorted(ids)


def exception_orders(session: Session, today: Today) -> dict[ExceptionKind, tuple[int, ...]]:
    """The orders behind each of today's exceptions (distinct, sorted)."""
    a = AuditEvent.__table__.c
    found: dict[ExceptionKind, set[int]] = {kind: set() for kind in ExceptionKind}
    s, line = LineShortage.__table__.c, OrderLine.__table__.c
    shorts = (
        select(line.order_id)
        .join_from(LineShortage.__table__, OrderLine.__table__, line.id == s.order_line_id)
        .where(s.created_at >= today.start, s.created_at < today.end)
    )
    found[ExceptionKind.SHORT_PICK].update(session.scalars(shorts))
    wrong = sorted(o.value for o in WRONG_SCAN_OUTCOMES)
    scans = _today_events(session, PACK_SCAN, today).where(
        a.after["outcome"].as_string().in_(wrong)
    )
    found[ExceptionKind.WRONG_SCAN].update(int(r.subject_id) for r in session.execute(scans))
    mismatched = sorted(c.value for c in MISMATCHED_WEIGHTS)
    weighed = _today_events(session, PACK_WEIGHED, today).where(
        a.after["check"].as_string().in_(mismatched)
    )
    found[ExceptionKind.WEIGHT_MISMATCH].update(int(r.subject_id) for r in session.execute(weighed))
    p = PrintJob.__table__.c
    # A failed job keeps status "failed" until retried; the ones created today are today's.
    prints = select(p.order_id).where(
        p.status == FAILED_PRINT,
        p.created_at >= today.start,
        p.created_at < today.end,
        p.order_id.is_not(None),
    )
    found[ExceptionKind.PRINT_FAILURE].update(session.scalars(prints))
    # Voiding sets shipments.voided_at and writes ship.void in the same transaction; the audit
    # row is the one with an (action, created_at) index.
    voided = _today_events(session, SHIP_VOID, today)
    found[ExceptionKind.VOIDED_LABEL].update(int(r.subject_id) for r in session.execute(voided))
    return {kind: tuple(sorted(ids)) for kind, ids in found.items()}


def order_numbers(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Order numbers for a list of ids (what a dashboard list names)."""
    if not ids:
        return {}
    o = Order.__table__.c
    dialect = session.get_bind().dialect.name
    stmt = select(o.id, o.number).where(among(o.id, list(ids), dialect))
    return {row_id: number for row_id, number in session.execute(stmt)}
