"""Closed-day rollups: a report's partial figures per UTC day, stored once the day is over.

A report that has them splits its window into whole UTC days and the rest: each whole day that
has a stored row is read from it, every other piece (the ends of a range that starts or ends
mid-day in the site's zone, today, a day not computed yet or forgotten) is computed live by the
same function that fills the rollup, so both paths count the same rows.

Scopes: a day is stored under the run's filters other than the range (`common.scope_key`: ''
for the whole site, e.g. 'ch=3;ca=UPS' for one channel's UPS orders); the live function
computes a day for those filters, so a filtered year is read as days like a site-wide one.

Exactness: a day is stored only when it ended GRACE ago, and the database triggers of migration
0012 delete a day's row (every scope's) when any row it was computed from is written; those of
0015 delete the filtered scopes' days of an order whose channel, carrier or packing (station,
packer) changed, as that moves the order into or out of a scope. The refresh computes and
stores in one transaction that excludes those trigger writes (SQLite: the single writer;
PostgreSQL: a SHARE ROW EXCLUSIVE lock on report_rollups, which the triggers' DELETE waits for),
so a change is either seen by the refresh or deletes what it stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from wms_desk.db.models import ReportRollup
from wms_desk.db.queries.reports.common import Query, kind_marker, scope_key, single_kind
from wms_desk.domain.report_periods import Window

# Transactions are short and station clocks agree to well within this: no write made after a
# day is rolled up carries a time in that day (a late one is still caught by the triggers).
GRACE = timedelta(hours=2)
DAY = timedelta(days=1)
CHUNK_DAYS = 31  # a refresh computes (and stores) this many days per query and transaction

P = TypeVar("P")


@dataclass(frozen=True)
class Rollup(Generic[P]):
    """How one report is kept per day: its part of a day (P), computed live for any window."""

    report: str
    eligible: Callable[[Query], bool]  # whether this run may read stored days
    live: Callable[[Query, Window], dict[date, P]]  # each UTC day's part of `window`
    empty: Callable[[], P]
    encode: Callable[[P], str]
    decode: Callable[[str], P]
    scoped: bool = True  # False: the report ignores the filters, its days are always the site's
    # `live` for every value of one filter kind at once: {scope key: days} (a split pass).
    split: Callable[[Query, Window, str], dict[str, dict[date, P]]] | None = None
    # Kinds whose split pass lists every value it covers (a value may have a non-empty day with
    # no row of its own: accuracy's short picks are every station's); for the other kinds a
    # value without a row on a marked day is empty that day (it had nothing in it).
    listed: frozenset[str] = frozenset()

    def scope(self, q: Query) -> str:
        """The key this run's days are stored under."""
        return scope_key(q.scope) if self.scoped else ""

    def kind(self, q: Query) -> str | None:
        """The filter kind this run's days come from a split pass of (one kind set, no other
        filter); None for the site's days and for combinations (computed per scope)."""
        if not self.scoped or self.split is None:
            return None
        return single_kind(q.scope)


def ranged(q: Query) -> bool:
    """Whether a run may read stored days: a range with both ends that holds at least one
    closed day (else the live query alone is quicker); its days are its scope's."""
    f = q.scope.filters
    if f.start is None or f.end is None:
        return False
    return closed_days(q.scope.window, q.scope.now) is not None


def runs(days: list[date]) -> list[list[date]]:
    """Consecutive days in runs of at most CHUNK_DAYS (one query, or one refresh, each)."""
    out: list[list[date]] = []
    for day in sorted(days):
        if out and day == out[-1][-1] + DAY and len(out[-1]) < CHUNK_DAYS:
            out[-1].append(day)
        else:
            out.append([day])
    return out


def compute(q: Query, rollup: Rollup[P], days: list[date]) -> dict[date, P]:
    """Every one of `days`, live (an empty part for a day with nothing in it)."""
    out: dict[date, P] = {day: rollup.empty() for day in days}
    for run in runs(days):
        out.update(rollup.live(q, Window(midnight(run[0]), midnight(run[-1]) + DAY)))
    return out


def gather(q: Query, rollup: Rollup[P], window: Window, now: datetime) -> dict[date, P]:
    """`window` as day parts: stored closed days, every other day and piece computed live.

    The pieces lie before the first and after the last closed day, so no day is in two.
    """
    days = closed_days(window, now)
    out: dict[date, P] = {}
    if days is not None:
        q.check()
        scope = rollup.scope(q)
        found = stored(q.session, rollup.report, scope, *days)
        out.update({day: rollup.decode(payload) for day, payload in found.items()})
        kind = rollup.kind(q)
        if kind is not None:
            # A split pass stored the kind's values of these days: this one had nothing.
            empty = covered(q.session, rollup.report, kind, scope, *days) - set(found)
            out.update({day: rollup.empty() for day in empty})
        out.update(compute(q, rollup, [d for d in each_day(*days) if d not in out]))
    for piece in pieces(window, days):
        out.update(rollup.live(q, piece))
    return out


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def closed_days(window: Window, now: datetime) -> tuple[date, date] | None:
    """The first and last whole UTC day inside `window` that ended GRACE before `now`."""
    if window.start is None or window.end is None:
        return None
    start, end = window.start.astimezone(UTC), min(window.end, now - GRACE).astimezone(UTC)
    first = start.date() if start == midnight(start.date()) else start.date() + DAY
    last = end.date() - DAY
    return (first, last) if first <= last else None


def pieces(window: Window, days: tuple[date, date] | None) -> list[Window]:
    """`window` less the whole days `days` (what is left is computed live)."""
    if days is None:
        return [window]
    lo, hi = midnight(days[0]), midnight(days[1]) + DAY
    out = []
    if window.start is None or window.start < lo:
        out.append(Window(window.start, lo))
    if window.end is None or window.end > hi:
        out.append(Window(hi, window.end))
    return out


def each_day(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += DAY


def stored(session: Session, report: str, scope: str, first: date, last: date) -> dict[date, str]:
    r = ReportRollup.__table__
    return {
        day: payload
        for day, payload in session.execute(
            select(r.c.day, r.c.payload).where(
                r.c.report == report, r.c.scope == scope, r.c.day >= first, r.c.day <= last
            )
        ).all()
    }


def missing(session: Session, report: str, scope: str, first: date, last: date) -> list[date]:
    have = set(stored_days(session, report, scope, first, last))
    return [day for day in each_day(first, last) if day not in have]


def stored_days(session: Session, report: str, scope: str, first: date, last: date) -> list[date]:
    r = ReportRollup.__table__
    return list(
        session.scalars(
            select(r.c.day).where(
                r.c.report == report, r.c.scope == scope, r.c.day >= first, r.c.day <= last
            )
        )
    )


def marked(session: Session, report: str, kind: str, first: date, last: date) -> dict[date, str]:
    """The days a split pass of `kind` stored (its marker rows), with what each covers."""
    return stored(session, report, kind_marker(kind), first, last)


def covered(
    session: Session, report: str, kind: str, scope: str, first: date, last: date
) -> set[date]:
    """The days whose split pass of `kind` covers `scope`: its row, or none meaning empty."""
    out = set()
    for day, payload in marked(session, report, kind, first, last).items():
        listed = json.loads(payload)
        if listed is None or scope in listed:
            out.add(day)
    return out


def store_split(
    session: Session,
    report: str,
    kind: str,
    days: list[date],
    payloads: dict[str, dict[date, str]],
    listed: bool,
) -> None:
    """A split pass of `kind` over `days`: every value's rows, and a marker row per day (what
    it covers: every value (null) or the listed ones)."""
    if not days:
        return
    marker = json.dumps(sorted(payloads) if listed else None)
    rows = {kind_marker(kind): dict.fromkeys(days, marker), **payloads}
    r = ReportRollup.__table__
    for chunk in _chunks(sorted(rows), 500):  # bound parameters per statement stay few
        session.execute(
            delete(ReportRollup).where(
                r.c.report == report, r.c.scope.in_(chunk), r.c.day.in_(days)
            )
        )
    now = datetime.now(UTC)
    values = [
        {"report": report, "scope": scope, "day": day, "payload": payload, "computed_at": now}
        for scope, by_day in sorted(rows.items())
        for day, payload in sorted(by_day.items())
    ]
    if values:
        session.execute(insert(ReportRollup), values)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def lock_for_refresh(session: Session) -> None:
    """Hold writes to past days off while this transaction computes and stores (PostgreSQL;
    on SQLite the write transaction already excludes every other writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE report_rollups IN SHARE ROW EXCLUSIVE MODE"))


def store(session: Session, report: str, scope: str, payloads: dict[date, str]) -> None:
    if not payloads:
        return
    session.execute(
        delete(ReportRollup).where(
            ReportRollup.report == report,
            ReportRollup.scope == scope,
            ReportRollup.day.in_(list(payloads)),
        )
    )
    now = datetime.now(UTC)
    session.execute(
        insert(ReportRollup),
        [
            {"report": report, "scope": scope, "day": day, "payload": payload, "computed_at": now}
            for day, payload in sorted(payloads.items())
        ],
    )


def forget(session: Session, report: str | None = None) -> None:
    """Drop stored days (all reports, or one; every scope): they are computed again when next
    asked for."""
    statement = delete(ReportRollup)
    if report is not None:
        statement = statement.where(ReportRollup.report == report)
    session.execute(statement)
