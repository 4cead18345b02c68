"""The supervisor's order queue in SQL: filter, sort, page, count per status, read rows by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    case,
    func,
    intersect,
    literal,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, Order, OrderLine, OrderTag, Station, User
from wms_desk.db.models.orders import ORDER_STATUSES
from wms_desk.db.queries.search import SEARCH_TABLE

# Sort keys the queue offers, each backed by a (status, column...) index so every status is one
# short index range. The id is the tie-breaker that makes pages stable.
SORTS: dict[str, tuple[str, ...]] = {
    "ship_by": ("ship_by",),
    "created": ("created_at",),
    "number": ("number",),
    "customer": ("customer_name",),
    "priority": ("priority", "ship_by"),
    "status": ("ship_by",),  # within each status branch; branches concatenate in status order
}
SHIP_WINDOWS = ("late", "today", "later")
PRIORITY_BANDS = ("raised", "normal", "lowered")
# Counts per status stop here; the chip then reads "10,000+".
COUNT_CAP = 10_000
COUNT_INDEX = "ix_orders_status_counts"
# On PostgreSQL a name search expected to match more orders than this pages by walking the
# sort indexes (matches come quickly) instead of reading every match off the trigram index.
WALK_MIN = 50_000
STATUS_RANK = {status: rank for rank, status in enumerate(ORDER_STATUSES)}
# A search shorter than this would match most orders; it only looks at numbers and SKUs.
MIN_NAME_SEARCH = 2


@dataclass(frozen=True)
class QueueFilter:
    """What the supervisor asked to see. Empty tuples mean "any"."""

    statuses: tuple[str, ...] = ()
    channel_ids: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    priority: str = ""  # "", or one of PRIORITY_BANDS
    ship_window: str = ""  # "", or one of SHIP_WINDOWS
    tags: tuple[str, ...] = ()
    station_id: int | None = None
    user_id: int | None = None
    search: str = ""

    def without_status(self) -> QueueFilter:
        return QueueFilter(
            (),
            self.channel_ids,
            self.services,
            self.priority,
            self.ship_window,
            self.tags,
            self.station_id,
            self.user_id,
            self.search,
        )


def day_bounds(now: datetime, utc_offset: timedelta = timedelta(0)) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the local day containing `now`."""
    local = now + utc_offset
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - utc_offset
    return start, start + timedelta(days=1)


def _conditions(
    f: QueueFilter, now: datetime, utc_offset: timedelta, dialect: str
) -> list[ColumnElement[bool]]:
    """The filters that narrow a walk along an index: channel, service, priority, ship-by."""
    o = Order.__table__.c
    terms: list[ColumnElement[bool]] = []
    # SQLite has no statistics and would drive from the (channel_id, external_id) or service
    # index, reading a third of the table per status; `+ 0` / `|| ''` keeps it on the status one.
    sqlite = dialect == "sqlite"
    if f.channel_ids:
        channel = o.channel_id + 0 if sqlite else o.channel_id
        terms.append(channel.in_(f.channel_ids))
    if f.services:
        service = o.requested_service.concat("") if sqlite else o.requested_service
        terms.append(service.in_(f.services))
    if f.priority == "raised":
        terms.append(o.priority > 0)
    elif f.priority == "normal":
        terms.append(o.priority == 0)
    elif f.priority == "lowered":
        terms.append(o.priority < 0)
    if f.ship_window:
        _start, end = day_bounds(now, utc_offset)
        if f.ship_window == "late":
            terms.append(o.ship_by < now)
        elif f.ship_window == "today":
            terms.append(and_(o.ship_by >= now, o.ship_by < end))
        elif f.ship_window == "later":
            terms.append(o.ship_by >= end)
    return terms


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    # A range instead of LIKE: both backends walk the btree index for it (C collation on PG).
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _fts_query(term: str) -> str:
    """Each word as a quoted FTS5 prefix query: 'ann smi' finds 'Anna Smith'."""
    words = [w.replace('"', '""') for w in term.split() if w]
    return " ".join(f'"{w}"*' for w in words)


def search_ids(term: str, dialect: str, distinct: bool = True) -> Any | None:
    """Ids of orders whose number starts with, SKU equals, or name/e-mail contains `term`."""
    term = term.strip()
    if not term:
        return None
    o = Order.__table__.c
    ol = OrderLine.__table__.c
    parts: list[Any] = [
        select(o.id).where(_prefix_range(o.number, term)),
        select(ol.order_id.label("id")).where(ol.sku == term),
    ]
    if term.upper() != term:
        parts.append(select(o.id).where(_prefix_range(o.number, term.upper())))
        parts.append(select(ol.order_id.label("id")).where(ol.sku == term.upper()))
    if "@" in term:
        for email in sorted({term, term.lower()}):
            parts.append(select(o.id).where(_prefix_range(o.ship_email, email)))
    if len(term) >= MIN_NAME_SEARCH:
        if dialect == "sqlite":
            match = text(f"{SEARCH_TABLE} MATCH :fts").bindparams(fts=_fts_query(term))
            fts: Select[Any] = select(literal_column("rowid").label("id"))
            parts.append(fts.select_from(text(SEARCH_TABLE)).where(match))
        else:
            pattern = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
            parts.append(select(o.id).where(o.customer_name.ilike(pattern)))
    return union(*parts) if distinct else union_all(*parts)


def estimated_name_matches(session: Session, term: str) -> int:
    """PostgreSQL's own estimate of how many names contain `term` (planning only, ~1 ms)."""
    term = term.strip()
    if len(term) < MIN_NAME_SEARCH:
        return 0
    o = Order.__table__.c
    escaped = term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    stmt = select(o.id).where(o.customer_name.ilike(f"%{escaped}%"))
    sql = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan: Any = session.execute(
        text("EXPLAIN (FORMAT JSON) " + str(sql).replace("%%", "%"))
    ).scalar()
    return int(plan[0]["Plan"]["Plan Rows"]) if plan else 0


def _search_condition(term: str, dialect: str) -> ColumnElement[bool]:
    """The search as a per-row test, for walking a sort index when matches are plentiful."""
    o = Order.__table__.c
    if dialect == "sqlite":
        # SQLite builds the id set once (an ephemeral index) and probes it per row.
        hits = search_ids(term, dialect)
        assert hits is not None
        return o.id.in_(hits)
    term = term.strip()
    ol = OrderLine.__table__.c
    escaped = term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    tests: list[ColumnElement[bool]] = [
        _prefix_range(o.number, term),
        _prefix_range(o.number, term.upper()),
        o.id.in_(select(ol.order_id).where(ol.sku.in_(sorted({term, term.upper()})))),
    ]
    if "@" in term:
        tests.extend(_prefix_range(o.ship_email, e) for e in sorted({term, term.lower()}))
    if len(term) >= MIN_NAME_SEARCH:
        tests.append(o.customer_name.ilike(f"%{escaped}%"))
    return or_(*tests)


def _driving_rows(
    f: QueueFilter, dialect: str, columns: list[Any], terms: list[ColumnElement[bool]]
) -> Any | None:
    """The (id, status, sort key) rows the selective filters name, read straight off their
    indexes: one heap visit per matching order, whatever the planner thinks of a join."""
    o = Order.__table__
    ol = OrderLine.__table__.c

    def rows(*where: ColumnElement[bool]) -> Select[Any]:
        return select(*columns).where(*where, *terms)

    sets: list[Any] = []
    term = f.search.strip()
    if term:
        parts = [rows(_prefix_range(o.c.number, term))]
        skus = {term, term.upper()}
        parts.append(rows(o.c.id.in_(select(ol.order_id).where(ol.sku.in_(sorted(skus))))))
        if term.upper() != term:
            parts.append(rows(_prefix_range(o.c.number, term.upper())))
        if "@" in term:
            for email in sorted({term, term.lower()}):
                parts.append(rows(_prefix_range(o.c.ship_email, email)))
        if len(term) >= MIN_NAME_SEARCH:
            if dialect == "sqlite":
                match = text(f"{SEARCH_TABLE} MATCH :fts").bindparams(fts=_fts_query(term))
                fts_ids: Select[Any] = select(literal_column("rowid"))
                fts_ids = fts_ids.select_from(text(SEARCH_TABLE)).where(match)
                parts.append(rows(o.c.id.in_(fts_ids)))
            else:
                escaped = term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
                parts.append(rows(o.c.customer_name.ilike(f"%{escaped}%")))
        sets.append(union(*parts))
    if f.tags:
        t = OrderTag.__table__.c
        sets.append(rows(o.c.id.in_(select(t.order_id).where(t.tag.in_(f.tags)))))
    if f.station_id is not None:
        sets.append(rows(o.c.assigned_station_id == f.station_id))
    if f.user_id is not None:
        sets.append(rows(o.c.assigned_user_id == f.user_id))
    if not sets:
        return None
    return sets[0] if len(sets) == 1 else intersect(*sets)


def _order_by(sort: str, descending: bool, source: Any) -> list[Any]:
    columns = [source.c[name] for name in SORTS[sort]] + [source.c.id]
    if sort == "status":
        # Lifecycle order (new ... returned), not the alphabet.
        columns.insert(0, case(STATUS_RANK, value=source.c.status))
    return [c.desc() for c in columns] if descending else list(columns)


def _statuses(f: QueueFilter) -> list[str]:
    return [s for s in ORDER_STATUSES if not f.statuses or s in f.statuses]


def page_ids(
    session: Session,
    f: QueueFilter,
    sort: str = "ship_by",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
    now: datetime | None = None,
    utc_offset: timedelta = timedelta(0),
    search_in_branches: bool = False,
) -> list[int]:
    """One page of order ids, filtered and sorted in SQL."""
    stmt = _page_statement(
        session, f, sort, descending, offset, limit, now, utc_offset, search_in_branches
    )
    return [] if stmt is None else list(session.scalars(stmt))


def _page_statement(
    session: Session,
    f: QueueFilter,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    now: datetime | None,
    utc_offset: timedelta,
    search_in_branches: bool,
) -> Select[Any] | None:
    """The SELECT of one page's ids (None when no status is wanted).

    Without a selective filter, each status is its own index range sorted and cut at
    offset+limit, and the branches are merged: a merge of a few short index ranges instead of
    a sort of every matching order. With one, only the orders it names are sorted.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    dialect = session.get_bind().dialect.name
    now = now or datetime.now().astimezone()
    o = Order.__table__
    terms = _conditions(f, now, utc_offset, dialect)
    statuses = _statuses(f)
    if not statuses:
        return None
    columns = [o.c[name] for name in dict.fromkeys(["id", "status", *SORTS[sort]])]
    if search_in_branches and f.search.strip():
        # Plentiful matches: walk each status's sort index and test the search per row;
        # the first `limit` matches come long before the end of the index.
        terms.append(_search_condition(f.search, dialect))
        f = replace(f, search="")
    status_terms: list[ColumnElement[bool]] = []
    if len(statuses) < len(ORDER_STATUSES):
        # A test on each named row, never the index to start from (SQLite would otherwise
        # walk a status index and probe the search for every order).
        status_column: Any = o.c.status.concat("") if dialect == "sqlite" else o.c.status
        status_terms.append(status_column.in_(statuses))
    driving = _driving_rows(f, dialect, columns, [*terms, *status_terms])
    if driving is not None:
        # Few orders named: read just those (one index probe each) and sort them.
        sub = driving.subquery()
        stmt = select(sub.c.id).order_by(*_order_by(sort, descending, sub))
        return stmt.offset(offset).limit(limit)
    if sort == "status" and descending:
        statuses.reverse()
    branches = []
    for status in statuses:
        branch = (
            select(*columns)
            .where(o.c.status == status, *terms)
            .order_by(*_order_by(sort, descending, o))
            .limit(offset + limit)
            .subquery()
        )
        branches.append(select(branch))
    merged = (branches[0] if len(branches) == 1 else union_all(*branches)).subquery()
    stmt = select(merged.c.id).order_by(*_order_by(sort, descending, merged))
    return stmt.offset(offset).limit(limit)


def query_page(
    session: Session,
    f: QueueFilter,
    sort: str = "ship_by",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
    now: datetime | None = None,
    utc_offset: timedelta = timedelta(0),
    with_counts: bool = True,
) -> tuple[list[int], dict[str, int] | None]:
    """A page of ids and (optionally) the counts per status, each the cheapest way.

    A search reads the orders it names straight off its indexes (FTS5 or trigram, number,
    SKU) and sorts just those. On PostgreSQL a name so common that it would name more than
    WALK_MIN orders instead walks each status's sort index testing every row: there the first
    page fills long before the index ends.
    """
    now = now or datetime.now().astimezone()
    plentiful = _plentiful(session, f)
    ids = page_ids(session, f, sort, descending, offset, limit, now, utc_offset, plentiful)
    counts = status_counts(session, f.without_status(), now, utc_offset) if with_counts else None
    return ids, counts


def _plentiful(session: Session, f: QueueFilter) -> bool:
    """A PostgreSQL name search common enough to page by walking the sort indexes."""
    selective = bool(f.tags) or f.station_id is not None or f.user_id is not None
    return (
        session.get_bind().dialect.name == "postgresql"
        and not selective
        and estimated_name_matches(session, f.search) > WALK_MIN
    )


def page_rows(
    session: Session,
    f: QueueFilter,
    sort: str = "ship_by",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
    now: datetime | None = None,
    utc_offset: timedelta = timedelta(0),
) -> list[QueueRowData]:
    """One page with its cells, in order, in a single statement: the page's ids as a
    subquery, the rows sorted again by the same key (a couple of hundred rows)."""
    now = now or datetime.now().astimezone()
    pick = _page_statement(
        session, f, sort, descending, offset, limit, now, utc_offset, _plentiful(session, f)
    )
    if pick is None:
        return []
    o = Order.__table__
    stmt = _rows_statement(session, o.c.id.in_(pick.subquery().select()))
    rows = [_row(r) for r in session.execute(stmt.order_by(*_order_by(sort, descending, o)))]
    return rows


def status_counts(
    session: Session,
    f: QueueFilter,
    now: datetime | None = None,
    utc_offset: timedelta = timedelta(0),
    cap: int = COUNT_CAP,
) -> dict[str, int]:
    """Orders per status under every filter but the status one (the chips' numbers).

    A count stops at `cap` + 1 (shown as "10,000+"): counting the 900,000 shipped orders
    exactly on every refresh would cost more than the whole page, and nobody acts on it.
    """
    dialect = session.get_bind().dialect.name
    now = now or datetime.now().astimezone()
    o = Order.__table__
    terms = _conditions(f, now, utc_offset, dialect)
    driving = _driving_rows(f, dialect, [o.c.id, o.c.status], terms)
    counts = dict.fromkeys(ORDER_STATUSES, 0)
    if driving is not None:
        # The rows the search or selective filter names, each read once straight off its index.
        named = driving.subquery()
        stmt = select(named.c.status, func.count()).group_by(named.c.status)
        counts.update({status: min(n, cap + 1) for status, n in session.execute(stmt)})
        return counts
    branches = []
    for status in ORDER_STATUSES:
        walk = select(o.c.status).where(o.c.status == status, *terms)
        if terms:
            # Without statistics SQLite may pick a narrower status index and read each row.
            walk = walk.with_hint(o, f"INDEXED BY {COUNT_INDEX}", "sqlite")
        capped = walk.limit(cap + 1).subquery()
        branches.append(
            select(literal(status).label("status"), func.count().label("n")).select_from(capped)
        )
    counts.update({status: n for status, n in session.execute(union_all(*branches))})
    return counts


@dataclass(frozen=True)
class QueueRowData:
    id: int
    number: str
    channel: str
    status: str
    customer: str
    email: str
    country: str
    ship_by: datetime | None
    priority: int
    service: str
    lines: int
    units: int
    tags: tuple[str, ...]
    station: str
    packer: str
    created_at: datetime
    total: str
    hold_reason: str
    attention: str
    batch_id: int | None
    version: int


def _among(column: Any, ids: list[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (= ANY) instead of one per id, which
    psycopg would otherwise re-parse for every page."""
    if dialect == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


_ROWS_BASE: dict[str, Select[Any]] = {}


def _rows_statement(session: Session, where: ColumnElement[bool]) -> Select[Any]:
    """Every cell of the queue's rows; line counts and tags as correlated subqueries."""
    dialect = session.get_bind().dialect.name
    if dialect not in _ROWS_BASE:
        # Built once per dialect: constructing this SELECT costs more than running it.
        _ROWS_BASE[dialect] = _rows_base(dialect)
    return _ROWS_BASE[dialect].where(where)


def _rows_base(dialect: str) -> Select[Any]:
    o = Order.__table__.c
    ol = OrderLine.__table__.c
    t = OrderTag.__table__.c
    joined = (
        func.string_agg(t.tag, literal_column("','"))
        if dialect == "postgresql"
        else func.group_concat(t.tag, ",")
    )
    station = Station.__table__.alias("st")
    user = User.__table__.alias("us")
    return (
        select(
            o.id,
            o.number,
            Channel.__table__.c.name,
            o.status,
            o.customer_name,
            o.ship_email,
            o.ship_country,
            o.ship_by,
            o.priority,
            o.requested_service,
            station.c.name,
            user.c.display_name,
            o.created_at,
            o.total,
            o.currency,
            o.hold_reason,
            o.attention,
            o.batch_id,
            o.version,
            select(func.count()).where(ol.order_id == o.id).scalar_subquery(),
            select(func.sum(ol.qty)).where(ol.order_id == o.id).scalar_subquery(),
            select(joined).where(t.order_id == o.id).scalar_subquery(),
        )
        .join(Channel.__table__, Channel.__table__.c.id == o.channel_id)
        .outerjoin(station, station.c.id == o.assigned_station_id)
        .outerjoin(user, user.c.id == o.assigned_user_id)
    )


def _row(r: Any) -> QueueRowData:
    return QueueRowData(
        id=r[0],
        number=r[1],
        channel=r[2],
        status=r[3],
        customer=r[4],
        email=r[5],
        country=r[6],
        ship_by=r[7],
        priority=r[8],
        service=r[9],
        lines=r[19],
        units=int(r[20] or 0),
        tags=tuple(sorted(r[21].split(","))) if r[21] else (),
        station=r[10] or "",
        packer=r[11] or "",
        created_at=r[12],
        total=f"{r[13]:.2f} {r[14]}",
        hold_reason=r[15] or "",
        attention=r[16] or "",
        batch_id=r[17],
        version=r[18],
    )


def rows_by_id(session: Session, ids: Sequence[int]) -> dict[int, QueueRowData]:
    """The cells for the given ids (a refresh of rows already on screen)."""
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    stmt = _rows_statement(session, _among(Order.__table__.c.id, list(ids), dialect))
    return {r[0]: _row(r) for r in session.execute(stmt)}


def change_signature(session: Session) -> tuple[Any, ...]:
    """Cheap "did anything change" probe for polling: three index look-ups, no scan.

    Every service change to an order writes an audit event, so the newest audit id moves; the
    newest order id catches imports; the newest updated_at catches writers that do not audit.
    """
    from wms_desk.db.models import AuditEvent

    row = session.execute(
        select(
            select(func.max(Order.id)).scalar_subquery(),
            select(func.max(Order.updated_at)).scalar_subquery(),
            select(func.max(AuditEvent.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def _distinct(session: Session, table: str, column: str) -> list[Any]:
    """DISTINCT by hopping along the column's index (a loose index scan), not reading every row."""
    sql = text(
        f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM {table} UNION ALL "
        f"SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x) FROM v "
        "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL AND x <> ''"
    )
    return list(session.scalars(sql))


def distinct_values(session: Session) -> dict[str, list[Any]]:
    """Choices for the filter bar: channels, services, tags, stations, packers."""
    return {
        "channels": [
            tuple(r)
            for r in session.execute(select(Channel.id, Channel.name).order_by(Channel.name))
        ],
        "services": _distinct(session, "orders", "requested_service"),
        "tags": _distinct(session, "order_tags", "tag"),
        "stations": [
            tuple(r)
            for r in session.execute(
                select(Station.id, Station.name).where(Station.active).order_by(Station.name)
            )
        ],
        "users": [
            tuple(r)
            for r in session.execute(
                select(User.id, User.display_name).where(User.active).order_by(User.display_name)
            )
        ],
    }


__all__ = [
    "SORTS",
    "QueueFilter",
    "QueueRowData",
    "change_signature",
    "distinct_values",
    "page_ids",
    "page_rows",
    "query_page",
    "rows_by_id",
    "status_counts",
]
