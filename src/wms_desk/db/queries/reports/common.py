"""What every report query shares: the filters as SQL, time buckets, durations, percentiles."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, PackProgress, Shipment, Station, User
from wms_desk.db.models.base import UTCDateTime
from wms_desk.domain import report_periods
from wms_desk.domain.report_periods import Bucket, BucketSize, Window
from wms_desk.domain.reports import Chart, Figure, ReportCancelled, ReportFilters, Table


class UnknownFilter(LookupError):
    """A filter names a channel, carrier, station or packer the database does not know."""


@dataclass(frozen=True)
class Scope:
    """The filters resolved to ids and UTC instants once, before any report query runs."""

    filters: ReportFilters
    window: Window
    channel_id: int | None = None
    station_id: int | None = None
    packer_id: int | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


class Query:
    """A session plus the scope; `check()` between statements honours a cancel request."""

    def __init__(
        self, session: Session, scope: Scope, cancel: threading.Event | None = None
    ) -> None:
        self.session = session
        self.scope = scope
        self.cancel = cancel
        self.dialect = session.get_bind().dialect.name

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ReportCancelled("The report was cancelled.")

    def rows(self, statement: Any) -> Sequence[Any]:
        self.check()
        result = self.session.execute(statement).all()
        self.check()
        return result

    def one(self, statement: Any) -> Any:
        self.check()
        row = self.session.execute(statement).one()
        self.check()
        return row


def resolve(session: Session, filters: ReportFilters) -> Scope:
    """Names to ids (an unknown name is an error that names it, not an empty report)."""

    def lookup(kind: str, column: Any, id_column: Any, value: str | None) -> int | None:
        if not value:
            return None
        found = session.scalar(select(id_column).where(column == value))
        if found is None:
            raise UnknownFilter(f"There is no {kind} called {value!r}.")
        return int(found)

    if filters.carrier:
        known = session.scalar(
            select(Shipment.id).where(Shipment.carrier == filters.carrier).limit(1)
        )
        if known is None:
            raise UnknownFilter(
                f"No shipment was ever bought with a carrier called {filters.carrier!r}."
            )
    return Scope(
        filters=filters,
        window=report_periods.window(filters.start, filters.end, filters.timezone),
        channel_id=lookup("channel", Channel.name, Channel.id, filters.channel),
        station_id=lookup("station", Station.name, Station.id, filters.station),
        packer_id=lookup("user", User.username, User.id, filters.packer),
    )


def in_window(column: Any, window: Window) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    if window.start is not None:
        terms.append(column >= literal(window.start, UTCDateTime()))
    if window.end is not None:
        terms.append(column < literal(window.end, UTCDateTime()))
    return terms


def order_terms(scope: Scope, order_id: Any, channel_id: Any) -> list[ColumnElement[bool]]:
    """Channel, carrier, station and packer as conditions on an order (by its id column)."""
    terms: list[ColumnElement[bool]] = []
    if scope.channel_id is not None:
        terms.append(channel_id == scope.channel_id)
    if scope.filters.carrier:
        terms.append(
            exists().where(
                Shipment.order_id == order_id,
                Shipment.status == "bought",
                Shipment.carrier == scope.filters.carrier,
            )
        )
    packed: list[ColumnElement[bool]] = []
    if scope.station_id is not None:
        packed.append(PackProgress.station_id == scope.station_id)
    if scope.packer_id is not None:
        packed.append(PackProgress.completed_by_id == scope.packer_id)
    if packed:
        terms.append(exists().where(PackProgress.order_id == order_id, *packed))
    return terms


def without_people(scope: Scope) -> Scope:
    """The scope for a table that has its own station and packer columns (applied directly)."""
    return replace(scope, station_id=None, packer_id=None)


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """Whole seconds from `start` to `end`, computed the same on both backends."""
    if dialect == "postgresql":
        return cast(func.round(func.extract("epoch", end - start)), Integer)
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff"; julianday is exact to well under a second.
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86400.0), Integer)


def utc_hour(dialect: str, column: Any) -> ColumnElement[Any]:
    """The clock hour an instant falls in, as a value to count distinct (active hours)."""
    if dialect == "postgresql":
        return func.date_trunc("hour", column)
    return func.substr(column, 1, 13)


def bucket_table(bs: Sequence[Bucket]) -> Any:
    """The buckets as a derived table (i, lo, hi) both backends can join on a range."""
    selects = [
        select(
            literal(i, Integer).label("i"),
            literal(b.start, UTCDateTime()).label("lo"),
            literal(b.end, UTCDateTime()).label("hi"),
        )
        for i, b in enumerate(bs)
    ]
    return union_all(*selects).subquery("buckets")


def in_bucket(column: Any, table: Any) -> ColumnElement[bool]:
    return and_(column >= table.c.lo, column < table.c.hi)


def chart_buckets(
    q: Query, first: datetime | None, last: datetime | None
) -> tuple[BucketSize, tuple[Bucket, ...]]:
    """Buckets for the asked range; an open end is closed at the first or last activity."""
    f = q.scope.filters
    tz = report_periods.zone(f.timezone)
    start: date | None = f.start or (first.astimezone(tz).date() if first else None)
    end: date | None = f.end or (last.astimezone(tz).date() if last else None)
    if start is None or end is None:
        return BucketSize.DAY, ()
    return report_periods.buckets(start, end, f.timezone)


def percentiles_and_histogram(
    q: Query, seconds: Any, source: Any, edges: Sequence[int], where: Sequence[Any]
) -> tuple[int, int | None, int | None, list[int]]:
    """n, median, 90th percentile (nearest rank) and counts per histogram bin of `seconds`.

    One pass: ROW_NUMBER and COUNT over the durations, grouped by bin; the rows whose rank is
    the percentile's are picked inside whichever bin holds them.
    """
    bin_of = case(*((seconds < edge, i) for i, edge in enumerate(edges)), else_=len(edges)).label(
        "bin"
    )
    ranked = (
        select(
            seconds.label("s"),
            bin_of,
            func.row_number().over(order_by=seconds).label("rn"),
            func.count().over().label("n"),
        )
        .select_from(source)
        .where(seconds.is_not(None), *where)
        .subquery()
    )
    k50 = (ranked.c.n * 50 + 99) // 100
    k90 = (ranked.c.n * 90 + 99) // 100
    rows = q.rows(
        select(
            ranked.c.bin,
            func.count(),
            func.max(ranked.c.n),
            func.min(case((ranked.c.rn == k50, ranked.c.s))),
            func.min(case((ranked.c.rn == k90, ranked.c.s))),
        ).group_by(ranked.c.bin)
    )
    counts = [0] * (len(edges) + 1)
    n, p50, p90 = 0, None, None
    for bin_no, count, total, median, ninetieth in rows:
        counts[int(bin_no)] = int(count)
        n = int(total)
        p50 = int(median) if median is not None else p50
        p90 = int(ninetieth) if ninetieth is not None else p90
    return n, p50, p90, counts


def ratio(
    numerator: int | Decimal, denominator: int | Decimal, places: str = "0.1"
) -> Decimal | None:
    """numerator / denominator rounded half-up; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    return ratio(100 * part, whole)


@dataclass(frozen=True)
class Parts:
    """What a report query gives back; the service adds the name, filters and time."""

    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    notes: tuple[str, ...] = ()
