"""Storing parsed orders: create new ones in bulk, update, cancel or flag known ones, audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.channels.records import (
    FULFILLED_ELSEWHERE,
    Address,
    OrderRecord,
    RecordError,
    hold_reason,
    is_intake_hold,
)
from wms_desk.db.models import AuditEvent, Order, OrderLine, OrderTag, Product
from wms_desk.domain import order_status
from wms_desk.domain.order_status import CANCELLABLE, NOT_YET_PICKED, OrderStatus
from wms_desk.services.allocation import allocate_orders
from wms_desk.services.bulk_writes import audit_rows, bulk_insert, insert_returning_ids
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails.triggers import channel_sends_order_received, enqueue_order_received
from wms_desk.services.orders import change_status
from wms_desk.services.stock import release_reservations
from wms_desk.services.uow import UnitOfWork

CREATE, UPDATE, UNCHANGED, CANCEL, FLAG, LOCKED, FULFILLED = (
    "create", "update", "unchanged", "cancel", "flag", "locked", "fulfilled"
)  # fmt: skip
# Work has started: the goods are on their way to the box, or in it.
_IN_WORK = order_status.WORK_STARTED


def classify(record: OrderRecord, digest: str, existing: tuple[str, str] | None) -> str:
    """The action for one record given the stored (status, source_hash), or None if new."""
    if existing is None:
        return CREATE
    status, stored_hash = existing
    if stored_hash == digest:
        return UNCHANGED
    if record.cancelled:
        if status == OrderStatus.CANCELLED:
            return UNCHANGED
        return CANCEL if status in CANCELLABLE else FLAG
    if record.fulfilled:
        # Sent from elsewhere (or by hand in the shop): it must not be packed a second time.
        if status in NOT_YET_PICKED:
            return FULFILLED
        return FLAG if status in _IN_WORK else UNCHANGED
    return UPDATE if status in NOT_YET_PICKED else LOCKED


_BUCKET = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged", CANCEL: "cancelled",
           FLAG: "updated", LOCKED: "unchanged", FULFILLED: "updated"}  # fmt: skip


def intake_status(record: OrderRecord) -> tuple[OrderStatus, str | None]:
    """The status a new order is stored with, and its hold reason: never pickable unless new."""
    if record.cancelled:
        return OrderStatus.CANCELLED, None
    if record.fulfilled:
        return OrderStatus.SHIPPED, None
    if record.holds:
        return OrderStatus.ON_HOLD, hold_reason(record.holds)
    return OrderStatus.NEW, None


def _existing(
    session: Session, channel_id: int | None, records: Sequence[OrderRecord]
) -> dict[str, tuple[int, str, str]]:
    """external_id -> (id, status, source_hash): light rows, no ORM objects for unchanged ones."""
    if channel_id is None:
        return {}
    rows = session.execute(
        select(Order.external_id, Order.id, Order.status, Order.source_hash).where(
            Order.channel_id == channel_id,
            Order.external_id.in_([r.external_id for r in records]),
        )
    )
    return {external_id: (oid, status, digest) for external_id, oid, status, digest in rows}


def preview_chunk(
    ctx: ServiceContext, channel_id: int | None, records: Sequence[OrderRecord]
) -> dict[str, int]:
    """The counts an import would give, read-only."""
    session = ctx.database.read_session()
    try:
        existing = _existing(session, channel_id, records)
        counts = dict.fromkeys(_BUCKET.values(), 0)
        for record in records:
            found = existing.get(record.external_id)
            known = (found[1], found[2]) if found else None
            action = classify(record, record.content_hash(), known)
            if action == CREATE and record.cancelled:
                counts["cancelled"] += 1
            else:
                counts[_BUCKET[action]] += 1
        return counts
    finally:
        session.close()


def order_values(record: OrderRecord, digest: str) -> dict[str, Any]:
    """The order's columns; the record has been checked against them (services/intake_limits)."""
    ship = record.ship_to or Address()
    return {
        "number": record.number or record.external_id,
        "customer_name": record.customer_name,
        "ship_name": ship.name,
        "ship_company": ship.company,
        "ship_street1": ship.street1,
        "ship_street2": ship.street2,
        "ship_street3": ship.street3,
        "ship_city": ship.city,
        "ship_region": ship.region,
        "ship_postal_code": ship.postal_code,
        "ship_country": ship.country,
        "ship_phone": ship.phone,
        "ship_email": ship.email or record.email,
        "bill_to": asdict(record.bill_to) if record.bill_to else {},
        "ordered_at": record.ordered_at,
        "ship_by": record.ship_by,
        "priority": record.priority,
        "requested_service": record.requested_service,
        "currency": record.currency.upper(),
        "subtotal": record.subtotal,
        "shipping_total": record.shipping_total,
        "tax_total": record.tax_total,
        "total": record.total,
        "is_gift": record.is_gift,
        "gift_message": record.gift_message,
        "notes": record.notes,
        "source_hash": digest,
    }


@dataclass
class _Chunk:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_BUCKET.values(), 0))
    issues: list[RecordError] = field(default_factory=list)
    to_allocate: list[int] = field(default_factory=list)
    audits: list[tuple[str, object, dict[str, Any] | None, dict[str, Any] | None]] = field(
        default_factory=list
    )


def apply_chunk(
    uow: UnitOfWork,
    channel_id: int | None,
    records: Sequence[OrderRecord],
    filename: str,
    notices: Mapping[str, Sequence[RecordError]] | None = None,
) -> tuple[dict[str, int], list[RecordError]]:
    """Store a chunk of valid orders in the caller's transaction: counts and notes back.

    `notices` (by order id) say what the checks cut to fit; they are passed on for the orders
    this import writes, not for those it leaves unchanged.
    """
    notices = notices or {}
    assert channel_id is not None
    session = uow.session
    existing = _existing(session, channel_id, records)
    products = dict(
        session.execute(
            select(Product.sku, Product.id).where(
                Product.sku.in_({ln.sku for r in records for ln in r.lines if ln.sku})
            )
        ).all()
    )
    digital = set(
        session.scalars(
            select(Product.sku).where(Product.sku.in_(products.keys()), Product.is_digital)
        )
    )
    state = _Chunk()
    fresh: list[tuple[OrderRecord, str]] = []
    for record in records:
        digest = record.content_hash()
        found = existing.get(record.external_id)
        action = classify(record, digest, (found[1], found[2]) if found else None)
        if found is None:
            fresh.append((record, digest))
            state.counts["cancelled" if record.cancelled else "created"] += 1
            state.issues.extend(notices.get(record.external_id, ()))
            continue
        state.counts[_BUCKET[action]] += 1
        if found[2] == digest:
            continue  # the same payload again: nothing to write, not even a timestamp
        if action in (UPDATE, FULFILLED):
            state.issues.extend(notices.get(record.external_id, ()))
        order = session.get(Order, found[0], with_for_update=True)
        assert order is not None
        _apply_existing(uow, state, order, record, digest, action, products, digital)
    if fresh:
        _insert_orders(uow, state, channel_id, fresh, products, digital, filename)
    session.flush()
    if state.audits:
        bulk_insert(session, AuditEvent, audit_rows(uow, "order", state.audits))
    allocate_orders(uow, state.to_allocate)
    return state.counts, state.issues


def _line_rows(
    record: OrderRecord, products: dict[str, int], digital: set[str]
) -> list[dict[str, Any]]:
    return [
        {
            "line_no": line.line_no,
            "external_line_id": line.external_line_id,
            "sku": line.sku,
            "product_id": products.get(line.sku) if line.sku else None,
            "name": line.name,
            "qty": line.qty,
            "unit_price": line.unit_price,
            # Kept on the order for the slip, never picked.
            "pickable": bool(line.sku) and line.requires_shipping and line.sku not in digital,
            "picked_qty": 0,
            "packed_qty": 0,
        }
        for line in record.lines
    ]


def _insert_orders(
    uow: UnitOfWork,
    state: _Chunk,
    channel_id: int,
    fresh: list[tuple[OrderRecord, str]],
    products: dict[str, int],
    digital: set[str],
    filename: str,
) -> None:
    session = uow.session
    rows = []
    for record, digest in fresh:
        status, reason = intake_status(record)
        rows.append(
            {
                **order_values(record, digest),
                "channel_id": channel_id,
                "external_id": record.external_id,
                "status": status.value,
                # A release sends a held order to allocation, as any new order.
                "held_from": OrderStatus.NEW.value if reason else None,
                "hold_reason": reason,
                "shipped_at": record.fulfilled_at if status is OrderStatus.SHIPPED else None,
                "version": 1,
                "created_at": uow.now,
                "updated_at": uow.now,
            }
        )
    ids = insert_returning_ids(session, Order, rows)
    lines: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for order_id, (record, _), row in zip(ids, fresh, rows, strict=True):
        lines.extend(
            {**line, "order_id": order_id} for line in _line_rows(record, products, digital)
        )
        tags.extend({"order_id": order_id, "tag": t} for t in dict.fromkeys(record.tags))
        after = {"number": record.number, "status": row["status"], "source": filename}
        if row["hold_reason"]:
            after["hold_reason"] = row["hold_reason"]
        state.audits.append(("order.imported", order_id, None, after))
        if row["status"] == OrderStatus.NEW:
            state.to_allocate.append(order_id)
    bulk_insert(session, OrderLine, lines)
    bulk_insert(session, OrderTag, tags)
    if channel_sends_order_received(session, channel_id):  # off unless the channel says so
        enqueue_order_received(uow, ids)


def _apply_existing(
    uow: UnitOfWork,
    state: _Chunk,
    order: Order,
    record: OrderRecord,
    digest: str,
    action: str,
    products: dict[str, int],
    digital: set[str],
) -> None:
    session = uow.session
    line_ids = [line.id for line in order.lines]
    if action == UNCHANGED:
        order.source_hash = digest
    elif action == CANCEL:
        change_status(uow, order, OrderStatus.CANCELLED, "order.cancelled_by_channel")
        order.held_from = None
        order.source_hash = digest
        release_reservations(uow, line_ids)
    elif action in (FLAG, LOCKED):
        if action == LOCKED:
            note = f"The channel changed this order while it was {order.status}; not applied."
            state.issues.append(RecordError(record.ref, f"not updated: {note}"))
        elif record.cancelled:
            note = "The channel cancelled this order after it shipped: check refund or return."
        else:  # fulfilled in the channel while it is being picked or packed here
            note = f"The channel says it was fulfilled while it was {order.status} here: check "
            note += "it is not shipped twice."
            state.issues.append(RecordError(record.ref, note))
        order.attention = note[:200]
        order.source_hash = digest
        order.updated_at = uow.now
        state.audits.append(("order.attention", order.id, None, {"attention": note}))
    elif action == FULFILLED:
        _hold_fulfilled(uow, state, order, line_ids)
        order.source_hash = digest
    elif action == UPDATE:
        release_reservations(uow, line_ids)
        before = {"status": order.status, "source_hash": order.source_hash}
        for key, value in order_values(record, digest).items():
            setattr(order, key, value)
        order.updated_at = uow.now
        order.lines.clear()
        order.tags.clear()
        session.flush()
        for row in _line_rows(record, products, digital):
            order.lines.append(OrderLine(**row))
        order.tags.extend(OrderTag(tag=t) for t in dict.fromkeys(record.tags))
        if order.status == OrderStatus.ON_HOLD:
            # Its stock was given back: a release must allocate it afresh.
            order.held_from = OrderStatus.NEW.value
        elif order.status != OrderStatus.NEW:
            change_status(uow, order, OrderStatus.NEW, "order.reopened_for_update")
        _follow_channel_holds(uow, state, order, record)
        if order.status == OrderStatus.NEW:
            state.to_allocate.append(order.id)
        state.audits.append(
            ("order.updated_by_channel", order.id, before, {"status": order.status})
        )


def _follow_channel_holds(
    uow: UnitOfWork, state: _Chunk, order: Order, record: OrderRecord
) -> None:
    """Hold, re-word or release an order as the channel's update says (payment, address ...).

    Only holds the intake set are lifted: a supervisor's own hold stays until they release it.
    """
    reason = hold_reason(record.holds) or None
    if order.status == OrderStatus.ON_HOLD:
        if not is_intake_hold(order.hold_reason) or reason == order.hold_reason:
            return
        before = {"status": order.status, "hold_reason": order.hold_reason}
        if reason is not None:
            order.hold_reason = reason
            state.audits.append(("order.held", order.id, before, {"reason": reason}))
            return
        order.status = order_status.release_from_hold(order.status, OrderStatus.NEW).value
        order.held_from = order.hold_reason = None
        after = {"status": order.status, "reason": "the channel's update lifted the hold"}
        state.audits.append(("order.released", order.id, before, after))
    elif reason is not None:
        change_status(uow, order, OrderStatus.ON_HOLD, "order.held", reason=reason)
        order.held_from = OrderStatus.NEW.value
        order.hold_reason = reason


def _hold_fulfilled(uow: UnitOfWork, state: _Chunk, order: Order, line_ids: list[int]) -> None:
    """Fulfilled elsewhere before anyone picked it here: held, its stock given back."""
    release_reservations(uow, line_ids)
    if order.status != OrderStatus.ON_HOLD:
        change_status(uow, order, OrderStatus.ON_HOLD, "order.held", reason=FULFILLED_ELSEWHERE)
        order.hold_reason = FULFILLED_ELSEWHERE
    elif is_intake_hold(order.hold_reason):
        order.hold_reason = FULFILLED_ELSEWHERE
    order.held_from = OrderStatus.NEW.value
    note = "The channel says this order was fulfilled already: it is held so it is not sent twice."
    order.attention = note[:200]
    order.updated_at = uow.now
    state.audits.append(("order.attention", order.id, None, {"attention": note}))
