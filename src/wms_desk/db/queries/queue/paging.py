"""One page of the queue in SQL: a merge of short per-status index ranges, cut at the page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, select, union_all
from sqlalchemy.orm import Session

from wms_desk.db.models import Order
from wms_desk.db.queries.queue.conditions import driving_rows, filter_terms, status_terms
from wms_desk.db.queries.queue.counts import status_counts
from wms_desk.db.queries.queue.request import SORTS, QueueRequest
from wms_desk.db.queries.queue.rows import QueueRowData, row_data, rows_statement
from wms_desk.db.queries.queue.text_search import estimated_name_matches, search_condition
from wms_desk.domain import order_status

# On PostgreSQL a name search expected to match more orders than this pages by walking the
# sort indexes (matches come quickly) instead of reading every match off the trigram index.
WALK_MIN = 50_000
STATUS_RANK = {status: rank for rank, status in enumerate(order_status.VALUES)}


def _order_by(sort: str, descending: bool, source: Any) -> list[Any]:
    columns = [source.c[name] for name in SORTS[sort]] + [source.c.id]
    if sort == "status":
        # Lifecycle order (new ... returned), not the alphabet.
        columns.insert(0, case(STATUS_RANK, value=source.c.status))
    return [c.desc() for c in columns] if descending else list(columns)


def page_ids(
    session: Session, request: QueueRequest, search_in_branches: bool = False
) -> list[int]:
    """One page of order ids, filtered and sorted in SQL."""
    stmt = _page_statement(session, request.clocked(), search_in_branches)
    return [] if stmt is None else list(session.scalars(stmt))


def _page_statement(
    session: Session, request: QueueRequest, search_in_branches: bool
) -> Select[Any] | None:
    """The SELECT of one page's ids (None when no status is wanted).

    Without a selective filter, each status is its own index range sorted and cut at
    offset+limit, and the branches are merged: a merge of a few short index ranges instead of
    a sort of every matching order. With one, only the orders it names are sorted.
    """
    dialect = session.get_bind().dialect.name
    f, sort, descending = request.filter, request.sort, request.descending
    o = Order.__table__
    terms = filter_terms(request, dialect)
    statuses = f.wanted_statuses()
    if not statuses:
        return None
    columns = [o.c[name] for name in dict.fromkeys(["id", "status", *SORTS[sort]])]
    if search_in_branches and f.search.strip():
        # Plentiful matches: walk each status's sort index and test the search per row;
        # the first `limit` matches come long before the end of the index.
        terms.append(search_condition(f.search, dialect))
        f = replace(f, search="")
    driving = driving_rows(f, dialect, columns, [*terms, *status_terms(f, dialect)])
    window = request.offset + request.limit
    if driving is not None:
        # Few orders named: read just those (one index probe each) and sort them.
        sub = driving.subquery()
        stmt = select(sub.c.id).order_by(*_order_by(sort, descending, sub))
        return stmt.offset(request.offset).limit(request.limit)
    if sort == "status" and descending:
        statuses.reverse()
    branches = []
    for status in statuses:
        branch = (
            select(*columns)
            .where(o.c.status == status, *terms)
            .order_by(*_order_by(sort, descending, o))
            .limit(window)
            .subquery()
        )
        branches.append(select(branch))
    merged = (branches[0] if len(branches) == 1 else union_all(*branches)).subquery()
    stmt = select(merged.c.id).order_by(*_order_by(sort, descending, merged))
    return stmt.offset(request.offset).limit(request.limit)


def plentiful(session: Session, request: QueueRequest) -> bool:
    """A PostgreSQL name search common enough to page by walking the sort indexes."""
    f = request.filter
    selective = bool(f.tags) or f.station_id is not None or f.user_id is not None
    return (
        session.get_bind().dialect.name == "postgresql"
        and not selective
        and estimated_name_matches(session, f.search) > WALK_MIN
    )


def query_page(
    session: Session, request: QueueRequest, with_counts: bool = True
) -> tuple[list[int], dict[str, int] | None]:
    """A page of ids and (optionally) the counts per status, each the cheapest way.

    A search reads the orders it names straight off its indexes (FTS5 or trigram, number,
    SKU) and sorts just those. On PostgreSQL a name so common that it would name more than
    WALK_MIN orders instead walks each status's sort index testing every row: there the first
    page fills long before the index ends.
    """
    request = request.clocked()
    ids = page_ids(session, request, plentiful(session, request))
    counts = status_counts(session, request) if with_counts else None
    return ids, counts


def page_rows(session: Session, request: QueueRequest) -> list[QueueRowData]:
    """One page with its cells, in order, in a single statement: the page's ids as a
    subquery, the rows sorted again by the same key (a couple of hundred rows)."""
    request = request.clocked()
    pick = _page_statement(session, request, plentiful(session, request))
    if pick is None:
        return []
    o = Order.__table__
    stmt = rows_statement(session, o.c.id.in_(pick.subquery().select()))
    ordered = stmt.order_by(*_order_by(request.sort, request.descending, o))
    return [row_data(r) for r in session.execute(ordered)]
