"""Roles are enforced by services, every change is audited, and a replayed event is harmless."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.factories import add_bin, add_order, add_product
from wms_desk.db.models import AuditEvent, Order, User
from wms_desk.domain.errors import PermissionDenied
from wms_desk.services import orders, stock, users
from wms_desk.services.uow import run_unit_of_work


def _snapshot(database):
    with database.read_session() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(User)),
            [tuple(r) for r in session.execute(select(Order.id, Order.status, Order.priority))],
        )


def test_packers_forbidden_calls_raise_and_change_nothing(make_ctx, database) -> None:
    packer = make_ctx("packer")
    order_id = add_order(database)
    add_product(database)
    add_bin(database)
    before = _snapshot(database)
    forbidden = [
        lambda: orders.cancel_orders(packer, [order_id], "customer asked"),
        lambda: orders.hold_orders(packer, [order_id], "address check"),
        lambda: orders.set_priority(packer, [order_id], 5),
        lambda: stock.set_bin_quantity(packer, "A-01-01", "SKU-1", 10, "count"),
        lambda: users.add_user(packer, "mallory", "admin", "password1"),
    ]
    for call in forbidden:
        with pytest.raises(PermissionDenied, match="packer may not"):
            call()
    assert _snapshot(database) == before


def test_supervisor_runs_the_floor_but_cannot_manage_users(make_ctx, database) -> None:
    supervisor = make_ctx("supervisor")
    add_product(database)
    add_bin(database)
    order_id = add_order(database, sku="SKU-1", qty=2)
    held = orders.hold_orders(supervisor, [order_id], "address check")
    assert held[0].status == "on_hold" and held[0].hold_reason == "address check"
    released = orders.release_orders(supervisor, [order_id])
    assert released[0].status == "backordered"  # released, allocation ran, and no stock yet
    assert stock.set_bin_quantity(supervisor, "A-01-01", "SKU-1", 10, "count").on_hand == 10
    assert orders.cancel_orders(supervisor, [order_id], "fraud")[0].status == "cancelled"
    with pytest.raises(PermissionDenied):
        users.add_user(supervisor, "mallory", "admin", "password1")


def test_admin_manages_users(make_ctx) -> None:
    admin = make_ctx("admin")
    info = users.add_user(admin, "newbie", "packer", "password1", badge="B-77")
    assert info.has_badge and info.role == "packer"
    assert "newbie" in [u.username for u in users.list_users(admin)]


def test_every_change_writes_an_audit_event_with_who_where_and_before_after(
    make_ctx, database
) -> None:
    supervisor = make_ctx("supervisor")
    order_id = add_order(database)
    orders.set_priority(supervisor, [order_id], 3)
    with database.read_session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "order.priority_set")
        ).one()
    assert event.user_id == supervisor.actor.user_id
    assert event.station_id == supervisor.actor.station_id
    assert (event.subject_type, event.subject_id) == ("order", str(order_id))
    assert event.before == {"priority": 0} and event.after == {"priority": 3}
    assert event.created_at.tzinfo is not None


def test_a_replayed_client_event_id_is_harmless(system_ctx, database) -> None:
    event_id = str(uuid.uuid4())
    first = run_unit_of_work(
        system_ctx, lambda uow: uow.audit("scan", "order", 1, event_id=event_id)
    )
    again = run_unit_of_work(
        system_ctx, lambda uow: uow.audit("scan", "order", 1, event_id=event_id)
    )
    assert (first, again) == (True, False)
    with database.read_session() as session:
        count = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_id == event_id)
        )
    assert count == 1


def test_illegal_transition_is_refused_with_both_states(make_ctx, database) -> None:
    supervisor = make_ctx("supervisor")
    order_id = add_order(database, status="shipped")
    with pytest.raises(Exception, match="'shipped' to 'cancelled'"):
        orders.cancel_orders(supervisor, [order_id], "too late")
