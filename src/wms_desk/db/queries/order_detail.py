"""One order for the detail panel: header, address, lines with their stock, tags, audit timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    BinStock,
    Channel,
    Order,
    OrderLine,
    OrderTag,
    Package,
    PickBatch,
    Product,
    Reservation,
    Rma,
    RmaLine,
    Station,
    User,
)


def orders_numbered(session: Session, number: str) -> list[tuple[int, str]]:
    """(order id, channel name) of every order with this number, by channel name."""
    rows = session.execute(
        select(Order.id, Channel.name)
        .join(Channel, Channel.id == Order.channel_id)
        .where(Order.number == number)
        .order_by(Channel.name, Order.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def order_packages(session: Session, order_id: int) -> list[Package]:
    """The order's packages in sequence; the caller copies them out before the session ends."""
    return list(
        session.scalars(select(Package).where(Package.order_id == order_id).order_by(Package.seq))
    )


def order_header(session: Session, order_id: int) -> dict[str, Any] | None:
    station = Station.__table__.alias("st")
    user = User.__table__.alias("us")
    row = session.execute(
        select(
            Order,
            Channel.name.label("channel"),
            station.c.name.label("station"),
            user.c.display_name.label("packer"),
            PickBatch.name.label("batch"),
        )
        .join(Channel, Channel.id == Order.channel_id)
        .outerjoin(station, station.c.id == Order.assigned_station_id)
        .outerjoin(user, user.c.id == Order.assigned_user_id)
        .outerjoin(PickBatch, PickBatch.id == Order.batch_id)
        .where(Order.id == order_id)
    ).first()
    if row is None:
        return None
    order: Order = row[0]
    values = {c.key: getattr(order, c.key) for c in Order.__table__.columns}
    values.update(
        channel=row.channel, station=row.station or "", packer=row.packer or "", batch=row.batch
    )
    values["tags"] = tuple(
        session.scalars(select(OrderTag.tag).where(OrderTag.order_id == order_id).order_by("tag"))
    )
    return values


def order_lines(session: Session, order_id: int) -> list[dict[str, Any]]:
    """Lines with what is reserved for each and what the product has free across all bins."""
    mine = select(OrderLine.id).where(OrderLine.order_id == order_id)
    products = select(OrderLine.product_id).where(OrderLine.order_id == order_id)
    reserved = (
        select(Reservation.order_line_id, func.sum(Reservation.qty).label("reserved"))
        .where(Reservation.order_line_id.in_(mine))
        .group_by(Reservation.order_line_id)
        .subquery()
    )
    on_hand = (
        select(
            BinStock.product_id,
            func.sum(BinStock.on_hand).label("on_hand"),
            func.sum(BinStock.reserved).label("held"),
        )
        .where(BinStock.product_id.in_(products))
        .group_by(BinStock.product_id)
        .subquery()
    )
    rows = session.execute(
        select(
            OrderLine.id,
            OrderLine.line_no,
            OrderLine.sku,
            OrderLine.name,
            OrderLine.qty,
            OrderLine.picked_qty,
            OrderLine.packed_qty,
            OrderLine.pickable,
            func.coalesce(reserved.c.reserved, 0),
            func.coalesce(on_hand.c.on_hand, 0),
            func.coalesce(on_hand.c.held, 0),
            func.coalesce(Product.unit_weight_g, 0),
            OrderLine.unit_price,
            OrderLine.discount,
            OrderLine.tax,
        )
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(reserved, reserved.c.order_line_id == OrderLine.id)
        .outerjoin(on_hand, on_hand.c.product_id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.line_no)
    ).all()
    bins: dict[int, list[str]] = {}
    line_ids = [r[0] for r in rows]
    if line_ids:
        for line_id, code, qty in session.execute(
            select(Reservation.order_line_id, Bin.code, Reservation.qty)
            .join(Bin, Bin.id == Reservation.bin_id)
            .where(Reservation.order_line_id.in_(line_ids))
            .order_by(Bin.pick_sequence)
        ):
            bins.setdefault(line_id, []).append(f"{code}×{qty}")
    returned = _returned(session, line_ids)
    return [
        {
            "line_no": r[1],
            "sku": r[2] or "",
            "name": r[3],
            "qty": r[4],
            "picked": r[5],
            "packed": r[6],
            "pickable": r[7],
            "reserved": int(r[8]),
            "on_hand": int(r[9]),
            "free": int(r[9]) - int(r[10]),
            "bins": tuple(bins.get(r[0], ())),
            "unit_weight_g": r[11],
            "unit_price": r[12],
            "discount": r[13],
            "tax": r[14],
            "returned": returned.get(r[0], 0),
        }
        for r in rows
    ]


def _returned(session: Session, line_ids: list[int]) -> dict[int, int]:
    """Units received back per line, over every RMA not cancelled."""
    if not line_ids:
        return {}
    rows = session.execute(
        select(RmaLine.order_line_id, func.sum(RmaLine.received_qty))
        .join(Rma, Rma.id == RmaLine.rma_id)
        .where(RmaLine.order_line_id.in_(line_ids), Rma.status != "cancelled")
        .group_by(RmaLine.order_line_id)
    ).all()
    return {line_id: int(qty or 0) for line_id, qty in rows}


def order_timeline(session: Session, order_id: int, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            AuditEvent.created_at,
            AuditEvent.action,
            User.display_name,
            Station.name,
            AuditEvent.before,
            AuditEvent.after,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Station, Station.id == AuditEvent.station_id)
        .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == str(order_id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .limit(limit)
    ).all()
    return [
        {
            "at": r[0],
            "action": r[1],
            "user": r[2] or "System",
            "station": r[3] or "",
            "before": r[4] or {},
            "after": r[5] or {},
        }
        for r in rows
    ]
