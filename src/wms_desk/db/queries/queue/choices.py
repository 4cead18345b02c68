"""The filter bar's choices, and the cheap probe polling uses to notice a change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from wms_desk.db.models import AuditEvent, Channel, Order, Station, User


def change_signature(session: Session) -> tuple[Any, ...]:
    """Cheap "did anything change" probe for polling: three index look-ups, no scan.

    Every service change to an order writes an audit event, so the newest audit id moves; the
    newest order id catches imports; the newest updated_at catches writers that do not audit.
    """
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
