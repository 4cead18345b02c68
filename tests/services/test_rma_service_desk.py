"""The service role and desk: look-ups, notes, amendments before packing, and what it may not do."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.services.test_rma_support import order_status, seed_catalogue, shipped_order
from wms_desk.db.models import AuditEvent, Order, Package, User
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.returns import Reason, ReturnRefused
from wms_desk.domain.roles import Permission, Role
from wms_desk.services import users
from wms_desk.services.context import ServiceContext
from wms_desk.services.order_detail import ShipTo
from wms_desk.services.returns.inspection import inspect_unit
from wms_desk.services.returns.receiving import receive_scan
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.service_desk import (
    add_note,
    change_ship_to,
    find_orders,
    hold_order,
    order_notes,
    order_story,
)
from wms_desk.services.stock import set_bin_quantity


@pytest.fixture
def service(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_catalogue(system_ctx)
    return make_ctx(Role.SERVICE)


def _actions(ctx: ServiceContext, order_id: int) -> list[str]:
    with ctx.database.read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == str(order_id))
                .order_by(AuditEvent.id)
            )
        )


def test_service_user_is_stored_with_its_role(service: ServiceContext) -> None:
    with service.database.read_session() as session:
        user = session.get(User, service.actor.user_id)
        assert user is not None and user.role == "service"


def test_service_finds_orders_every_way_a_customer_names_them(service: ServiceContext) -> None:
    order_id = shipped_order(
        service,
        "7001",
        [("MUG", 1, "10.00", "0", "0")],
        customer="Grace Hopper",
        ship_email="grace@example.com",
        ship_phone="+1 (555) 010-4477",
    )
    shipped_order(service, "7002", [("TEE", 1, "5.00", "0", "0")], customer="Alan Turing")
    with service.database.write_session() as session, session.begin():
        session.add(Package(order_id=order_id, seq=1, tracking_number="1Z999AA10123456784"))
    for text in (
        "7001",
        "ORD:7001",
        "hopper",
        "GRACE@example.com",
        "555 010 4477",
        "1Z999AA10123456784",
    ):
        assert [hit.number for hit in find_orders(service, text)] == ["7001"], text
    story = order_story(service, order_id)
    assert story.number == "7001" and story.packages[0].tracking == "1Z999AA10123456784"


def test_service_creates_rmas_and_notes_audited(service: ServiceContext) -> None:
    order_id = shipped_order(service, "7003", [("MUG", 1, "10.00", "0", "0")])
    add_note(service, order_id, "Customer says the handle came off.")
    created = create_rma(service, "7003", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    assert created.units == 1
    notes = order_notes(service, order_id)
    assert [n.text for n in notes] == ["Customer says the handle came off."]
    assert _actions(service, order_id) == ["order.note_added", "rma.created"]
    timeline = [e.action for e in order_story(service, order_id).timeline]
    assert timeline == ["order.note_added", "rma.created"]


def test_address_and_hold_only_before_packing(service: ServiceContext) -> None:
    waiting = shipped_order(service, "7004", [("MUG", 1, "10.00", "0", "0")], status="allocated")
    new_address = ShipTo(
        "Ada King", "", "2 Engine Row", "", "", "Bath", "", "BA1 1AA", "GB", "", ""
    )
    change_ship_to(service, waiting, new_address)
    hold_order(service, waiting, "Customer moving house; call before release")
    with service.database.read_session() as session:
        order = session.get(Order, waiting)
        assert order is not None
        assert (order.ship_street1, order.ship_city, order.status, order.held_from) == (
            "2 Engine Row",
            "Bath",
            "on_hold",
            "allocated",
        )
    assert _actions(service, waiting) == ["order.address_changed", "order.held"]
    with service.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.id == waiting).values(status="packing"))
    with pytest.raises(ReturnRefused, match="packing has started"):
        change_ship_to(service, waiting, new_address)
    with pytest.raises(ReturnRefused, match="packing has started"):
        hold_order(service, waiting, "too late")
    assert order_status(service, waiting) == "packing"


def test_service_may_not_pack_count_stock_receive_or_manage_users(
    service: ServiceContext,
) -> None:
    shipped_order(service, "7005", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(service, "7005", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    assert not service.actor.can(Permission.PICK_AND_PACK)
    with pytest.raises(PermissionDenied):
        service.actor.require(Permission.PICK_AND_PACK)
    with pytest.raises(PermissionDenied):
        set_bin_quantity(service, "A-01-01", "MUG", 9, "count")
    with pytest.raises(PermissionDenied):
        users.add_user(service, "mallory", "admin", "secret-pw")
    with pytest.raises(PermissionDenied):
        receive_scan(service, rma.number, "MUG")
    with pytest.raises(PermissionDenied):
        inspect_unit(service, 1, "new", "scrap")  # type: ignore[arg-type]


def test_packers_may_not_use_the_service_desk(service: ServiceContext, make_ctx) -> None:
    packer = make_ctx(Role.PACKER)
    order_id = shipped_order(service, "7006", [("MUG", 1, "10.00", "0", "0")])
    with pytest.raises(PermissionDenied):
        find_orders(packer, "7006")
    with pytest.raises(PermissionDenied):
        add_note(packer, order_id, "hello")
    with pytest.raises(PermissionDenied):
        create_rma(packer, "7006", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
