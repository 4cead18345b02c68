"""Orders per status under the queue's other filters (the chips' numbers), capped."""

from __future__ import annotations

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from wms_desk.db.models import Order
from wms_desk.db.queries.queue.conditions import driving_rows, filter_terms, status_terms
from wms_desk.db.queries.queue.request import QueueRequest
from wms_desk.domain import order_status

# Counts per status stop here; the chip then reads "10,000+".
COUNT_CAP = 10_000
COUNT_INDEX = "ix_orders_status_counts"


def status_counts(session: Session, request: QueueRequest, cap: int = COUNT_CAP) -> dict[str, int]:
    """Orders per status under every filter but the status one (the chips' numbers).

    A count stops at `cap` + 1 (shown as "10,000+"): counting the 900,000 shipped orders
    exactly on every refresh would cost more than the whole page, and nobody acts on it.
    """
    dialect = session.get_bind().dialect.name
    request = request.clocked()
    f = request.filter.without_status()
    o = Order.__table__
    terms = filter_terms(request, dialect)
    counts = dict.fromkeys(order_status.VALUES, 0)
    driving = driving_rows(f, dialect, [o.c.id, o.c.status], [*terms, *status_terms(f, dialect)])
    if driving is not None:
        # The rows the search or selective filter names, each read once straight off its index.
        named = driving.subquery()
        stmt = select(named.c.status, func.count()).group_by(named.c.status)
        counts.update({status: min(n, cap + 1) for status, n in session.execute(stmt)})
        return counts
    branches = []
    for status in f.wanted_statuses():
        walk = select(o.c.status).where(o.c.status == status, *terms)
        if terms:
            # Without statistics SQLite may pick a narrower status index and read each row.
            walk = walk.with_hint(o, f"INDEXED BY {COUNT_INDEX}", "sqlite")
        capped = walk.limit(cap + 1).subquery()
        branches.append(
            select(literal(status).label("status"), func.count().label("n")).select_from(capped)
        )
    if branches:
        counts.update({status: n for status, n in session.execute(union_all(*branches))})
    return counts
