"""Waves from a selection or by rule, and assigning orders: permission-checked and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from wms_desk.db.models import AuditEvent, Order, OrderLine, PickBatch, User
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import waves
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.services.errors import ValidationFailed


@pytest.fixture
def supervisor(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_demo(system_ctx, orders=300, seed=5)
    return make_ctx(Role.SUPERVISOR)


def _ids(ctx: ServiceContext, *statuses: str, limit: int = 3, free: bool = True) -> list[int]:
    stmt = select(Order.id).where(Order.status.in_(statuses))
    if free:
        stmt = stmt.where(Order.batch_id.is_(None))
    with ctx.database.read_session() as session:
        ids = list(session.scalars(stmt.order_by(Order.id).limit(limit)))
    assert ids, statuses
    return ids


def test_a_wave_from_the_selection_gets_totes_and_history(supervisor: ServiceContext) -> None:
    ids = _ids(supervisor, "new", "allocated")
    wave = waves.create_wave(supervisor, ids)
    assert sorted(wave.order_ids) == sorted(ids)
    assert len(set(wave.totes)) == len(ids) and all(t.startswith(wave.name) for t in wave.totes)
    with supervisor.database.read_session() as session:
        batch = session.get(PickBatch, wave.id)
        assert batch is not None and batch.created_by_id == supervisor.actor.user_id
        orders = session.scalars(select(Order).where(Order.id.in_(ids))).all()
        assert {o.batch_id for o in orders} == {wave.id}
        events = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "order.waved",
                AuditEvent.subject_id.in_([str(i) for i in ids]),
                AuditEvent.user_id == supervisor.actor.user_id,
            )
        )
    assert events == len(ids)
    # The same orders cannot join a second wave.
    with pytest.raises(ValidationFailed, match="Already in a wave"):
        waves.create_wave(supervisor, ids[:1])


def test_a_wave_refuses_orders_that_cannot_be_picked(supervisor: ServiceContext) -> None:
    shipped = _ids(supervisor, "backordered", "on_hold", "picking", "shipped", limit=1, free=False)
    good = _ids(supervisor, "new", limit=1)
    with pytest.raises(ValidationFailed, match="Only new or allocated"):
        waves.create_wave(supervisor, good + shipped)
    with supervisor.database.read_session() as session:
        assert session.get(Order, good[0]).batch_id is None


def test_a_wave_by_rule_takes_single_item_orders_of_one_service(
    supervisor: ServiceContext,
) -> None:
    with supervisor.database.read_session() as session:
        service = session.scalar(
            select(Order.requested_service)
            .where(Order.status.in_(waves.WAVE_STATUSES))
            .group_by(Order.requested_service)
            .order_by(func.count().desc())
        )
    wave = waves.create_wave_by_rule(supervisor, service=service, max_orders=4, single_item=True)
    assert 1 <= len(wave.order_ids) <= 4
    with supervisor.database.read_session() as session:
        for order_id in wave.order_ids:
            order = session.get(Order, order_id)
            assert order is not None and order.requested_service == service
            units = session.scalar(
                select(func.sum(OrderLine.qty)).where(
                    OrderLine.order_id == order_id, OrderLine.pickable
                )
            )
            assert units == 1
    with pytest.raises(ValidationFailed):
        waves.create_wave_by_rule(supervisor, max_orders=0)


def test_assigning_orders_to_a_station_and_packer(supervisor: ServiceContext) -> None:
    ids = _ids(supervisor, "new", "allocated", limit=2)
    with supervisor.database.read_session() as session:
        packer = session.scalars(select(User).where(User.role == "packer")).first()
        assert packer is not None
    result = waves.assign_orders(supervisor, ids, supervisor.actor.station_id, packer.id)
    assert result.packer == packer.display_name and result.station
    with supervisor.database.read_session() as session:
        for order_id in ids:
            order = session.get(Order, order_id)
            assert order is not None
            assert (order.assigned_station_id, order.assigned_user_id) == (
                supervisor.actor.station_id,
                packer.id,
            )
        assert session.scalar(
            select(func.count()).where(AuditEvent.action == "order.assigned")
        ) == len(ids)
    cleared = waves.assign_orders(supervisor, ids, None, None)
    assert cleared.station == "" and cleared.packer == ""


def test_packers_may_not_make_waves_or_assign(supervisor: ServiceContext, make_ctx) -> None:
    packer = make_ctx(Role.PACKER)
    ids = _ids(supervisor, "new", limit=1)
    with pytest.raises(PermissionDenied):
        waves.create_wave(packer, ids)
    with pytest.raises(PermissionDenied):
        waves.assign_orders(packer, ids, None, None)
