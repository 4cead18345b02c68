"""Returns end to end: RMA, receiving by scan, disposition into the ledger, refund, exchange."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.services.test_rma_support import (
    MUG_CODE,
    TEE_CODE,
    moves,
    on_hand,
    order_status,
    seed_catalogue,
    shipped_order,
)
from wms_desk.db.models import AuditEvent, Order
from wms_desk.domain.returns import (
    QUARANTINE_BIN,
    RECEIVING_BIN,
    Condition,
    Disposition,
    Reason,
    Resolution,
    ReturnRefused,
)
from wms_desk.domain.roles import Role
from wms_desk.services.allocation import run_allocation
from wms_desk.services.context import ServiceContext
from wms_desk.services.order_detail import order_detail
from wms_desk.services.returns.inspection import inspect_unit
from wms_desk.services.returns.receiving import (
    find_rma_for_scan,
    receive_scan,
    receive_unexpected,
)
from wms_desk.services.returns.resolution import resolve_rma
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.views import rma_detail
from wms_desk.services.stock import reconcile


@pytest.fixture
def supervisor(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_catalogue(system_ctx)
    return make_ctx(Role.SUPERVISOR)


def _receive_all(ctx: ServiceContext, rma: str, codes: list[str]) -> list[int]:
    units: list[int] = []
    for code in codes:
        units += receive_scan(ctx, rma, code).unit_ids
    return units


def test_full_return_one_line_restocked_one_scrapped(supervisor: ServiceContext) -> None:
    order_id = shipped_order(
        supervisor,
        "5001",
        [("MUG", 2, "10.00", "0", "1.60"), ("TEE", 1, "25.00", "0", "2.00")],
    )
    created = create_rma(
        supervisor,
        "5001",
        [
            ReturnLineRequest("MUG", 2, Reason.NO_LONGER_NEEDED),
            ReturnLineRequest("TEE", 1, Reason.DAMAGED),
        ],
    )
    assert created.barcode == "RMA:" + created.number
    # The station finds the return from the order number on the parcel's slip.
    assert find_rma_for_scan(supervisor, "ORD:5001") == created.number
    mug_units = _receive_all(supervisor, created.barcode, [MUG_CODE, MUG_CODE])
    (tee_unit,) = _receive_all(supervisor, created.number, [TEE_CODE])
    assert on_hand(supervisor, RECEIVING_BIN, "MUG") == 2
    assert on_hand(supervisor, RECEIVING_BIN, "TEE") == 1
    assert order_status(supervisor, order_id) == "returned"

    for unit in mug_units:
        inspect_unit(supervisor, unit, Condition.NEW, Disposition.RESTOCK, "A-01-01")
    inspect_unit(supervisor, tee_unit, Condition.DAMAGED, Disposition.SCRAP, note="torn seam")

    assert on_hand(supervisor, "A-01-01", "MUG") == 3 + 2
    assert on_hand(supervisor, RECEIVING_BIN, "MUG") == 0
    assert on_hand(supervisor, RECEIVING_BIN, "TEE") == 0
    assert moves(supervisor, created.number) == [
        ("MUG", "return_received", None, RECEIVING_BIN, 1),
        ("MUG", "return_received", None, RECEIVING_BIN, 1),
        ("TEE", "return_received", None, RECEIVING_BIN, 1),
        ("MUG", "return_restock", RECEIVING_BIN, "A-01-01", 1),
        ("MUG", "return_restock", RECEIVING_BIN, "A-01-01", 1),
        ("TEE", "scrap", RECEIVING_BIN, None, 1),
    ]
    with supervisor.database.read_session() as session:
        assert reconcile(session) == []

    done = resolve_rma(supervisor, created.number, "card", "PSP-991")
    # Mugs: 20.00 + 1.60 tax - 15% fee on 20.00 (3.00); tee: 25.00 + 2.00; shipping (damaged).
    assert done.refund_total == Decimal("20.00") + Decimal("1.60") - Decimal("3.00") + Decimal(
        "27.00"
    ) + Decimal("4.99")
    detail = rma_detail(supervisor, created.number)
    assert detail.status == "resolved"
    assert detail.refund is not None and detail.refund.restocking_fee == Decimal("3.00")
    assert [e.action for e in detail.timeline] == [
        "rma.created",
        "rma.received",
        "rma.received",
        "rma.received",
        "rma.inspected",
        "rma.inspected",
        "rma.inspected",
        "rma.resolved",
    ]
    lines = {ln.sku: ln for ln in order_detail(supervisor, order_id).lines}
    assert (lines["MUG"].returned, lines["TEE"].returned) == (2, 1)


def test_partial_return_then_the_rest_and_no_more(supervisor: ServiceContext) -> None:
    order_id = shipped_order(
        supervisor,
        "5002",
        [("MUG", 2, "10.00", "2.00", "1.80"), ("TEE", 1, "30.00", "0", "0")],
        order_discount="5.00",
        order_tax="3.00",
    )
    first = create_rma(supervisor, "5002", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    (unit,) = _receive_all(supervisor, first.number, [MUG_CODE])
    inspect_unit(supervisor, unit, Condition.OPENED, Disposition.QUARANTINE)
    assert on_hand(supervisor, QUARANTINE_BIN, "MUG") == 1
    assert order_status(supervisor, order_id) == "partly_returned"
    one = resolve_rma(supervisor, first.number)
    # 10.00 - (2.00 + 1.88)/2 + (1.80 + 1.13)/2 rounded half up per cut, plus shipping (damaged).
    assert one.refund_total == Decimal("10.00") - Decimal("1.94") + Decimal("1.47") + Decimal(
        "4.99"
    )

    second = create_rma(
        supervisor,
        "5002",
        [ReturnLineRequest("MUG", 1, Reason.DAMAGED), ReturnLineRequest("TEE", 1, Reason.DAMAGED)],
    )
    units = _receive_all(supervisor, second.number, [MUG_CODE, TEE_CODE])
    for u in units:
        inspect_unit(supervisor, u, Condition.DAMAGED, Disposition.RETURN_TO_VENDOR)
    assert order_status(supervisor, order_id) == "returned"
    two = resolve_rma(supervisor, second.number)
    # Shipping was refunded once; the two refunds give back exactly what was paid for goods.
    paid = Decimal("50.00") - Decimal("7.00") + Decimal("4.80")
    assert two.refund_total is not None and one.refund_total is not None
    assert one.refund_total + two.refund_total == paid + Decimal("4.99")

    with pytest.raises(ReturnRefused, match="at most 0 more"):
        create_rma(supervisor, "5002", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])


def test_over_returns_and_wrong_items_are_refused(supervisor: ServiceContext) -> None:
    shipped_order(supervisor, "5003", [("MUG", 2, "10.00", "0", "0")])
    with pytest.raises(ReturnRefused, match="shipped 2 of MUG"):
        create_rma(supervisor, "5003", [ReturnLineRequest("MUG", 3, Reason.DAMAGED)])
    with pytest.raises(ReturnRefused, match="no item TEE"):
        create_rma(supervisor, "5003", [ReturnLineRequest("TEE", 1, Reason.DAMAGED)])
    rma = create_rma(supervisor, "5003", [ReturnLineRequest("MUG", 1, Reason.WRONG_ITEM)])
    with pytest.raises(ReturnRefused, match="TEE is not on return"):
        receive_scan(supervisor, rma.number, TEE_CODE)
    event = str(uuid.uuid4())
    first = receive_scan(supervisor, rma.number, MUG_CODE, event_id=event)
    # The same scan replayed (a crash, a double send) is the same unit, not a second one.
    again = receive_scan(supervisor, rma.number, MUG_CODE, event_id=event)
    assert first.unit_ids == again.unit_ids and again.received == 1
    with pytest.raises(ReturnRefused, match="this one is extra"):
        receive_scan(supervisor, rma.number, MUG_CODE)
    assert on_hand(supervisor, RECEIVING_BIN, "MUG") == 1


def test_unexpected_parcel_creates_the_rma_on_the_spot(supervisor: ServiceContext) -> None:
    order_id = shipped_order(supervisor, "5004", [("TEE", 1, "25.00", "0", "0")])
    with pytest.raises(Exception, match="no open return"):
        find_rma_for_scan(supervisor, "5004")
    created = receive_unexpected(
        supervisor, "5004", [ReturnLineRequest("TEE", 1, Reason.OTHER, "no note in parcel")]
    )
    assert find_rma_for_scan(supervisor, "5004") == created.number
    receive_scan(supervisor, created.number, TEE_CODE)
    detail = rma_detail(supervisor, created.number)
    assert detail.unexpected and detail.status == "received"
    with supervisor.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.subject_type == "order", AuditEvent.subject_id == str(order_id)
            )
        ).all()
    assert "rma.created_unexpected" in actions


def test_exchange_creates_a_linked_replacement_with_raised_priority(
    supervisor: ServiceContext,
) -> None:
    shipped_order(supervisor, "5005", [("MUG", 1, "10.00", "0", "0")], priority=2)
    rma = create_rma(
        supervisor, "5005", [ReturnLineRequest("MUG", 1, Reason.WRONG_ITEM)], Resolution.EXCHANGE
    )
    (unit,) = _receive_all(supervisor, rma.number, [MUG_CODE])
    inspect_unit(supervisor, unit, Condition.USED, Disposition.QUARANTINE)
    done = resolve_rma(supervisor, rma.number)
    assert done.refund_total is None and done.replacement_order == f"5005-{rma.number}"
    with supervisor.database.read_session() as session:
        replacement = session.scalar(select(Order).where(Order.number == done.replacement_order))
        assert replacement is not None
        assert replacement.priority == 12
        # 3 mugs in A-01-01: the replacement is allocated at once, ready to pick.
        assert replacement.status == "allocated"
        assert [(ln.sku, ln.qty) for ln in replacement.lines] == [("MUG", 1)]
    assert rma_detail(supervisor, rma.number).replacement_order == done.replacement_order


def test_restocked_units_allocate_a_backordered_order(supervisor: ServiceContext) -> None:
    shipped_order(supervisor, "5006", [("TEE", 1, "25.00", "0", "0")])
    waiting = shipped_order(supervisor, "5007", [("TEE", 1, "25.00", "0", "0")], status="new")
    run_allocation(supervisor, [waiting])
    assert order_status(supervisor, waiting) == "backordered"
    rma = create_rma(supervisor, "5006", [ReturnLineRequest("TEE", 1, Reason.NO_LONGER_NEEDED)])
    (unit,) = _receive_all(supervisor, rma.number, [TEE_CODE])
    assert order_status(supervisor, waiting) == "backordered"  # the receiving bin is not stock
    inspect_unit(supervisor, unit, Condition.NEW, Disposition.RESTOCK, "A-01-02")
    assert order_status(supervisor, waiting) == "allocated"
    assert on_hand(supervisor, "A-01-02", "TEE") == 1


def test_restock_refuses_a_non_stock_bin(supervisor: ServiceContext) -> None:
    shipped_order(supervisor, "5008", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(supervisor, "5008", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    (unit,) = _receive_all(supervisor, rma.number, [MUG_CODE])
    inspect_unit(supervisor, unit, Condition.DAMAGED, Disposition.QUARANTINE)
    with pytest.raises(ReturnRefused, match="already inspected"):
        inspect_unit(supervisor, unit, Condition.NEW, Disposition.RESTOCK, "A-01-01")


def test_policy_sets_window_fees_and_which_reasons_refund_shipping(
    supervisor: ServiceContext, make_ctx
) -> None:
    from datetime import timedelta

    from wms_desk.db.models import Order as OrderRow
    from wms_desk.domain.errors import PermissionDenied
    from wms_desk.domain.returns import ReturnPolicy
    from wms_desk.services.returns.rma import set_return_policy

    policy = ReturnPolicy(
        window_days=10,
        restocking_fee_pct={Reason.DAMAGED: Decimal(10)},
        refund_shipping_reasons=frozenset({Reason.ARRIVED_LATE}),
    )
    with pytest.raises(PermissionDenied):
        set_return_policy(make_ctx(Role.SERVICE), policy)
    set_return_policy(supervisor, policy)
    shipped_order(supervisor, "5009", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(supervisor, "5009", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    (unit,) = _receive_all(supervisor, rma.number, [MUG_CODE])
    inspect_unit(supervisor, unit, Condition.DAMAGED, Disposition.SCRAP)
    # 10% fee on damaged now, and damaged no longer refunds shipping: 10.00 - 1.00.
    assert resolve_rma(supervisor, rma.number).refund_total == Decimal("9.00")
    shipped_order(supervisor, "5010", [("MUG", 1, "10.00", "0", "0")])
    with supervisor.database.write_session() as session, session.begin():
        late = session.scalar(select(OrderRow).where(OrderRow.number == "5010"))
        assert late is not None and late.shipped_at is not None
        late.shipped_at = late.shipped_at - timedelta(days=20)
    with pytest.raises(ReturnRefused, match="return window is 10 days"):
        create_rma(supervisor, "5010", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    # A parcel already at the door is received anyway (a supervisor decides the refund).
    assert receive_unexpected(supervisor, "5010", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
