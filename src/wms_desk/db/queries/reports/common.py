"""What every report query shares: the filters as SQL, time buckets, durations, percentiles."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    nulls_last,
    select,
)
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, Order, PackProgress, Shipment, Station, User
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


def scope_key(scope: Scope) -> str:
    """The filters other than the range as one canonical string: the key a rollup's days are
    stored under ('' = the whole site). Ids, not names (a rename keeps the days); the carrier,
    the one name, comes last so no carrier name can be read as another filter."""
    parts = []
    if scope.channel_id is not None:
        parts.append(f"ch={scope.channel_id}")
    if scope.station_id is not None:
        parts.append(f"st={scope.station_id}")
    if scope.packer_id is not None:
        parts.append(f"pk={scope.packer_id}")
    if scope.filters.carrier:
        parts.append(f"ca={scope.filters.carrier}")
    return ";".join(parts)


# The filter kinds a pass can split by (ReportFilters field names), with their scope prefixes.
KINDS = {"channel": "ch", "station": "st", "packer": "pk", "carrier": "ca"}


def single_kind(scope: Scope) -> str | None:
    """The one filter kind set in `scope` (the range aside), or None: unfiltered or several."""
    kinds = [k for k in KINDS if value_of(scope, k) is not None]
    return kinds[0] if len(kinds) == 1 else None


def value_of(scope: Scope, kind: str) -> int | str | None:
    if kind == "carrier":
        return scope.filters.carrier or None
    return getattr(scope, f"{kind}_id")


def value_scope(kind: str, value: Any) -> str:
    """The scope key of one value of a kind (what `scope_key` gives for that filter alone)."""
    return f"{KINDS[kind]}={value}"


def kind_marker(kind: str) -> str:
    """The scope of a split pass's marker row: a day stored with it has every value of the kind
    stored, a value without a row being empty that day. Starts with '*', so no `scope_key`
    (which starts with a prefix and '=') is ever one; it is a filtered scope for the triggers
    (scope <> ''), so any write that forgets the values' day forgets the marker with it."""
    return f"*{KINDS[kind]}"


@dataclass(frozen=True)
class Split:
    """A query's rows split by every value of one filter kind, instead of filtered by one.

    `columns` go into the SELECT and GROUP BY (the value first, or nothing without a split);
    `terms` into the WHERE: they join the table that holds the value when the query's own rows
    do not. A row belongs to the value's scope exactly when that value's filter would keep it
    (`order_terms`, `people_terms`), so a split pass stores what a run per value would.
    """

    kind: str | None
    columns: tuple[Any, ...] = ()
    terms: tuple[ColumnElement[bool], ...] = ()

    def scope(self, row: Sequence[Any]) -> str:
        """The scope key of a row's value (its first column); '' without a split."""
        return "" if self.kind is None else value_scope(self.kind, row[0])

    def rest(self, row: Sequence[Any]) -> Sequence[Any]:
        """The row without its value column."""
        return row[len(self.columns) :]


NO_SPLIT = Split(None)

P = TypeVar("P")


class DayParts(Generic[P]):
    """What a (split) day query's rows add up to, by scope and UTC day: `out`.

    A row is the split's value (if any), the day's 'YYYY-MM-DD' and the rest; its part is
    looked up once per value and day (a busy day reads 30,000 rows of open orders)."""

    def __init__(self, empty: Callable[[], P]) -> None:
        self.empty = empty
        self.out: dict[str, dict[date, P]] = {}
        self._found: dict[tuple[Any, ...], P] = {}

    def part(self, split: Split, row: Sequence[Any]) -> tuple[P, Sequence[Any]]:
        """The row's part and the rest of the row."""
        n = len(split.columns)
        key = (split.kind, *row[: n + 1])
        found = self._found.get(key)
        if found is None:
            days = self.out.setdefault(split.scope(row), {})
            found = self._found[key] = days.setdefault(day_of(row[n]), self.empty())
        return found, row[n + 1 :]


def split_by(
    kind: str | None,
    order_id: Any,
    *,
    channel_id: Any = None,
    station_id: Any = None,
    packer_id: Any = None,
    carrier: Any = None,
) -> Split:
    """Split rows by `kind`: by the row's own column for it if given, else by the order's
    (`order_id`): its channel, the carriers of its bought shipments (an order with two is in
    both scopes, once each), its packing's station or packer."""
    if kind is None:
        return NO_SPLIT
    own = {"channel": channel_id, "station": station_id, "packer": packer_id, "carrier": carrier}
    column = own[kind]
    if column is not None:
        return Split(kind, (column,), (column.is_not(None),))
    if kind == "channel":
        o = Order.__table__.alias("split_order")
        return Split(kind, (o.c.channel_id,), (o.c.id == order_id,))
    if kind == "carrier":
        sb = Shipment.__table__.alias("split_shipment")
        earlier = Shipment.__table__.alias("split_earlier")
        # One row per carrier of the order: the first bought shipment of it (two bought
        # shipments of one carrier must not count the order twice).
        first = ~exists().where(
            earlier.c.order_id == sb.c.order_id,
            earlier.c.status == "bought",
            earlier.c.carrier == sb.c.carrier,
            earlier.c.id < sb.c.id,
        )
        terms = (sb.c.order_id == order_id, sb.c.status == "bought", sb.c.carrier.is_not(None))
        return Split(kind, (sb.c.carrier,), (*terms, first))
    pp = PackProgress.__table__.alias("split_packing")  # one per order (its key)
    column = pp.c.station_id if kind == "station" else pp.c.completed_by_id
    return Split(kind, (column,), (pp.c.order_id == order_id, column.is_not(None)))


def in_window(column: Any, window: Window) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    if window.start is not None:
        terms.append(column >= literal(window.start, UTCDateTime()))
    if window.end is not None:
        terms.append(column < literal(window.end, UTCDateTime()))
    return terms


def people_terms(scope: Scope, station_id: Any, packer_id: Any) -> list[ColumnElement[bool]]:
    """The station and packer filters on a table with its own columns for them (a packing)."""
    terms: list[ColumnElement[bool]] = []
    if scope.station_id is not None:
        terms.append(station_id == scope.station_id)
    if scope.packer_id is not None:
        terms.append(packer_id == scope.packer_id)
    return terms


def order_terms(scope: Scope, order_id: Any, channel_id: Any) -> list[ColumnElement[bool]]:
    """Channel, carrier, station and packer as conditions on an order (by its id column)."""
    terms: list[ColumnElement[bool]] = []
    if scope.channel_id is not None:
        # `+ 0`: never an index lookup by channel. Every report query is over a time window on
        # a covering index that holds channel_id; SQLite without statistics would rather walk
        # the (channel_id, external_id) index: half the orders, for a window of one day.
        terms.append(channel_id + 0 == scope.channel_id)
    # correlate_except: the subquery keeps its own table even when the outer query reads
    # shipments or pack_progress too (auto-correlation would leave it no FROM at all).
    if scope.filters.carrier:
        terms.append(
            exists()
            .where(
                Shipment.order_id == order_id,
                Shipment.status == "bought",
                not_indexed_text(Shipment.carrier) == scope.filters.carrier,
            )
            .correlate_except(Shipment)
        )
    packed: list[ColumnElement[bool]] = []
    if scope.station_id is not None:
        packed.append(PackProgress.station_id == scope.station_id)
    if scope.packer_id is not None:
        packed.append(PackProgress.completed_by_id == scope.packer_id)
    if packed:
        terms.append(
            exists()
            .where(PackProgress.order_id == order_id, *packed)
            .correlate_except(PackProgress)
        )
    return terms


def order_in_scope(scope: Scope, order_id: Any) -> list[ColumnElement[bool]]:
    """`order_terms` on another table's order id column: the order probed by its primary key
    for each row of the window (an `IN (orders of the channel)` list would be built from half
    the orders for every query, however short the window)."""
    o = Order.__table__
    on_order = order_terms(scope, o.c.id, o.c.channel_id)
    if not on_order:
        return []
    return [exists().where(o.c.id == order_id, *on_order).correlate_except(o)]


def not_indexed_text(column: Any) -> ColumnElement[Any]:
    """`column || ''`: the same value, but never an index lookup by it. SQLite without
    statistics would find a carrier's shipments by ix_shipments_carrier_date_status (half of
    them) rather than by the window's covering index or an order's key."""
    return column.concat("")


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


def day_text(dialect: str, column: Any) -> ColumnElement[Any]:
    """The UTC day an instant falls in as 'YYYY-MM-DD' on both backends (days of a rollup)."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.substr(column, 1, 10)


def day_of(text: str) -> date:
    """A `day_text` value read back. date.fromisoformat, not strptime: a day's rows are read
    one per order in places (30,000 open orders of a busy day), and strptime's locale and
    regex work per call was most of a day's refresh (0.9 of 1.1 s)."""
    return date.fromisoformat(text)


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


@dataclass(frozen=True)
class Distribution:
    """n values, their median and 90th percentile (nearest rank), and counts per histogram bin."""

    n: int
    median: int | None
    p90: int | None
    bins: tuple[int, ...]


def distributions(
    q: Query,
    spans: dict[str, Any],
    source: Any,
    edges: Sequence[int],
    where: Sequence[Any],
    extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Distribution], dict[str, int]]:
    """Every span's distribution in ONE pass over `source` (one scan, however many spans).

    The durations are computed once; each span's known values are counted (n) and ranked with
    its own ROW_NUMBER (NULLs last on both backends, so ranks 1..n are the n known values); the
    outer aggregate picks the values at the nearest ranks and counts each histogram bin.
    `extra` are further 0/1 expressions summed over the same rows (e.g. shipped on time).
    """
    extra = extra or {}
    # The durations are computed once (a materialised CTE); the known values of each span are
    # counted from it, and each span is ranked over it with its own ROW_NUMBER window.
    durations = (
        select(
            *(expr.label(f"s{i}") for i, expr in enumerate(spans.values())),
            *(expr.label(f"x_{key}") for key, expr in extra.items()),
        )
        .select_from(source)
        .where(*where)
        .cte("durations")
        .prefix_with("MATERIALIZED")
    )
    known = select(
        *(func.count(durations.c[f"s{i}"]).label(f"n{i}") for i in range(len(spans)))
    ).subquery("known")
    ranked = select(
        *(durations.c[f"s{i}"] for i in range(len(spans))),
        *(
            func.row_number().over(order_by=nulls_last(durations.c[f"s{i}"])).label(f"rn{i}")
            for i in range(len(spans))
        ),
        *(durations.c[f"x_{key}"] for key in extra),
    ).subquery("ranked")
    outer: list[Any] = []
    for i in range(len(spans)):
        value, rank, n = ranked.c[f"s{i}"], ranked.c[f"rn{i}"], known.c[f"n{i}"]
        outer += [
            func.max(n),
            func.min(case((rank == (n * 50 + 99) // 100, value))),
            func.min(case((rank == (n * 90 + 99) // 100, value))),
        ]
        bounds = [None, *edges, None]
        for lo, hi in itertools.pairwise(bounds):
            inside: list[ColumnElement[bool]] = [value.is_not(None)]
            if lo is not None:
                inside.append(value >= lo)
            if hi is not None:
                inside.append(value < hi)
            outer.append(func.coalesce(func.sum(case((and_(*inside), 1), else_=0)), 0))
    outer += [func.coalesce(func.sum(ranked.c[f"x_{key}"]), 0) for key in extra]
    row = list(q.one(select(*outer).select_from(ranked.join(known, literal(True)))))
    width = 3 + len(edges) + 1
    result = {}
    for i, key in enumerate(spans):
        part = row[i * width : (i + 1) * width]
        n, median, p90 = part[0], part[1], part[2]
        result[key] = Distribution(
            int(n or 0),
            None if median is None else int(median),
            None if p90 is None else int(p90),
            tuple(int(c) for c in part[3:]),
        )
    sums = {key: int(v) for key, v in zip(extra, row[len(spans) * width :], strict=True)}
    return result, sums


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
