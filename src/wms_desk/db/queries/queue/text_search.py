"""The queue's free search: order number prefix, exact SKU, e-mail prefix, and the name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal_column, or_, select, text, union
from sqlalchemy.orm import Session

from wms_desk.db.models import Order, OrderLine
from wms_desk.db.queries.search import LIKE_ESCAPE, SEARCH_TABLE, contains_pattern

# A search shorter than this would match most orders; it only looks at numbers and SKUs.
MIN_NAME_SEARCH = 2


def prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    # A range instead of LIKE: both backends walk the btree index for it (C collation on PG),
    # and a % or _ in the prefix is just a character.
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def fts_query(term: str) -> str:
    """Each word as a quoted FTS5 prefix query: 'ann smi' finds 'Anna Smith'."""
    words = [w.replace('"', '""') for w in term.split() if w]
    return " ".join(f'"{w}"*' for w in words)


def name_contains(term: str) -> ColumnElement[bool]:
    """PostgreSQL's name test (trigram index); % and _ in `term` match only themselves."""
    return Order.__table__.c.customer_name.ilike(contains_pattern(term), escape=LIKE_ESCAPE)


def fts_ids(term: str) -> Select[Any]:
    """SQLite: ids of orders whose name or e-mail has words starting with `term`'s words."""
    match = text(f"{SEARCH_TABLE} MATCH :fts").bindparams(fts=fts_query(term))
    ids: Select[Any] = select(literal_column("rowid").label("id"))
    return ids.select_from(text(SEARCH_TABLE)).where(match)


def search_parts(term: str, dialect: str, rows: Any) -> list[Select[Any]]:
    """One SELECT per way `term` can name an order, each read straight off its own index.

    `rows(condition)` builds the SELECT of the wanted columns under `condition`.
    """
    o = Order.__table__.c
    ol = OrderLine.__table__.c
    parts = [rows(prefix_range(o.number, term))]
    skus = sorted({term, term.upper()})
    parts.append(rows(o.id.in_(select(ol.order_id).where(ol.sku.in_(skus)))))
    if term.upper() != term:
        parts.append(rows(prefix_range(o.number, term.upper())))
    if "@" in term:
        for email in sorted({term, term.lower()}):
            parts.append(rows(prefix_range(o.ship_email, email)))
    if len(term) >= MIN_NAME_SEARCH:
        if dialect == "sqlite":
            parts.append(rows(o.id.in_(fts_ids(term))))
        else:
            parts.append(rows(name_contains(term)))
    return parts


def search_ids(term: str, dialect: str) -> Any | None:
    """Ids of orders whose number starts with, SKU equals, or name/e-mail contains `term`."""
    term = term.strip()
    if not term:
        return None
    o = Order.__table__.c
    return union(*search_parts(term, dialect, lambda where: select(o.id).where(where)))


def estimated_name_matches(session: Session, term: str) -> int:
    """PostgreSQL's own estimate of how many names contain `term` (planning only, ~1 ms)."""
    term = term.strip()
    if len(term) < MIN_NAME_SEARCH:
        return 0
    stmt = select(Order.__table__.c.id).where(name_contains(term))
    sql = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan: Any = session.execute(
        text("EXPLAIN (FORMAT JSON) " + str(sql).replace("%%", "%"))
    ).scalar()
    return int(plan[0]["Plan"]["Plan Rows"]) if plan else 0


def search_condition(term: str, dialect: str) -> ColumnElement[bool]:
    """The search as a per-row test, for walking a sort index when matches are plentiful."""
    o = Order.__table__.c
    if dialect == "sqlite":
        # SQLite builds the id set once (an ephemeral index) and probes it per row.
        hits = search_ids(term, dialect)
        assert hits is not None
        return o.id.in_(hits)
    term = term.strip()
    ol = OrderLine.__table__.c
    tests: list[ColumnElement[bool]] = [
        prefix_range(o.number, term),
        prefix_range(o.number, term.upper()),
        o.id.in_(select(ol.order_id).where(ol.sku.in_(sorted({term, term.upper()})))),
    ]
    if "@" in term:
        tests.extend(prefix_range(o.ship_email, e) for e in sorted({term, term.lower()}))
    if len(term) >= MIN_NAME_SEARCH:
        tests.append(name_contains(term))
    return or_(*tests)
