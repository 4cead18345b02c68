"""The queue filter as SQL: index-friendly row tests, and the rows the selective filters name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, intersect, select, union

from wms_desk.db.models import Order, OrderTag
from wms_desk.db.queries.queue.request import QueueFilter, QueueRequest
from wms_desk.db.queries.queue.rows import among
from wms_desk.db.queries.queue.text_search import search_parts
from wms_desk.domain import order_status
from wms_desk.domain.due import window_range


def filter_terms(request: QueueRequest, dialect: str) -> list[ColumnElement[bool]]:
    """The filters that narrow a walk along an index: channel, service, priority, ship-by."""
    f = request.filter
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
        # The same range domain.due colours the rows by; the statuses it applies to (open
        # orders only) are QueueFilter.wanted_statuses'.
        bounds = window_range(f.ship_window, request.clock, request.utc_offset)
        if bounds.lower is not None:
            terms.append(o.ship_by >= bounds.lower)
        if bounds.upper is not None:
            terms.append(o.ship_by < bounds.upper)
    if f.ship_by_before is not None:
        terms.append(o.ship_by < f.ship_by_before)
    return terms


def status_terms(f: QueueFilter, dialect: str) -> list[ColumnElement[bool]]:
    """`status IN (...)` when the filter wants fewer than every status, as a test on each
    named row, never the index to start from (SQLite would otherwise walk a status index
    and probe the search for every order)."""
    wanted = f.wanted_statuses()
    if len(wanted) == len(order_status.VALUES):
        return []
    o = Order.__table__.c
    column: Any = o.status.concat("") if dialect == "sqlite" else o.status
    return [column.in_(wanted)]


def driving_rows(
    f: QueueFilter, dialect: str, columns: list[Any], terms: list[ColumnElement[bool]]
) -> Any | None:
    """The (id, status, sort key) rows the selective filters name, read straight off their
    indexes: one heap visit per matching order, whatever the planner thinks of a join."""
    o = Order.__table__

    def rows(*where: ColumnElement[bool]) -> Select[Any]:
        return select(*columns).where(*where, *terms)

    sets: list[Any] = []
    term = f.search.strip()
    if term:
        sets.append(union(*search_parts(term, dialect, rows)))
    if f.tags:
        t = OrderTag.__table__.c
        sets.append(rows(o.c.id.in_(select(t.order_id).where(t.tag.in_(f.tags)))))
    if f.order_ids:
        sets.append(rows(among(o.c.id, sorted(set(f.order_ids)), dialect)))
    if f.station_id is not None:
        sets.append(rows(o.c.assigned_station_id == f.station_id))
    if f.user_id is not None:
        sets.append(rows(o.c.assigned_user_id == f.user_id))
    if not sets:
        return None
    return sets[0] if len(sets) == 1 else intersect(*sets)
