"""The queue's cells: every column of a row, read for a page or for the ids on screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    any_,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, Order, OrderLine, OrderTag, Station, User
from wms_desk.domain.money import Money


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
    total: Money
    hold_reason: str
    attention: str
    batch_id: int | None
    version: int


def among(column: Any, ids: list[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (= ANY) instead of one per id, which
    psycopg would otherwise re-parse for every page."""
    if dialect == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


_ROWS_BASE: dict[str, Select[Any]] = {}


def rows_statement(session: Session, where: ColumnElement[bool]) -> Select[Any]:
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


def row_data(r: Any) -> QueueRowData:
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
        total=Money(r[13], r[14]),
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
    stmt = rows_statement(session, among(Order.__table__.c.id, list(ids), dialect))
    return {r[0]: row_data(r) for r in session.execute(stmt)}
