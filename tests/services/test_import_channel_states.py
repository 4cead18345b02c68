"""Issue 8: what the channel says about an order (paid, fulfilled, pickup, an error) is obeyed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.channels.intake import DATA, orders, shopify_order, stocked, write
from wms_desk.channels.records import (
    AWAITING_PAYMENT,
    FULFILLED_ELSEWHERE,
    LOCAL_PICKUP,
    NO_SHIP_TO,
    PARTLY_FULFILLED,
)
from wms_desk.db.models import AuditEvent, Channel, Order, OrderLine, Reservation
from wms_desk.services.context import ServiceContext
from wms_desk.services.import_setup import ensure_channel
from wms_desk.services.imports import ImportResult, import_data, import_file
from wms_desk.services.orders import hold_orders, release_orders


def _woo(tmp_path, name: str, **status_by_number: str | dict[str, Any]) -> Any:
    """The WooCommerce sample list with some orders changed: a status, or fields to update."""
    payload = json.loads((DATA / "woocommerce_orders.json").read_text(encoding="utf-8"))
    for order in payload:
        change = status_by_number.get(f"n{order['number']}")
        if isinstance(change, str):
            order["status"] = change
        elif change:
            order.update(change)
    return write(tmp_path, name, json.dumps(payload))


def _reserved(ctx: ServiceContext, order_id: int) -> int:
    with ctx.database.read_session() as session:
        return int(
            session.scalar(
                select(func.coalesce(func.sum(Reservation.qty), 0))
                .join(OrderLine)
                .where(OrderLine.order_id == order_id)
            )
        )


def _counts(result: ImportResult) -> tuple[int, int, int, int, int]:
    return result.created, result.updated, result.unchanged, result.cancelled, result.rejected


def _actions(ctx: ServiceContext, order_id: int) -> list[str]:
    with ctx.database.read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "order", AuditEvent.subject_id == str(order_id))
                .order_by(AuditEvent.id)
            )
        )


def test_completed_orders_are_stored_as_shipped_and_never_picked(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    completed = {"status": "completed", "date_completed_gmt": "2024-03-02T09:30:00"}
    result = import_file(system_ctx, _woo(tmp_path, "w.json", n729=completed))
    assert _counts(result) == (5, 0, 0, 1, 0) and result.errors == ()
    found = orders(system_ctx)
    for number in ("723", "729"):  # the sample's 723 is completed too
        assert found[number].status == "shipped" and _reserved(system_ctx, found[number].id) == 0
    assert found["729"].shipped_at == datetime(2024, 3, 2, 9, 30, tzinfo=UTC)
    assert found["730"].status == "allocated"  # the mugs 729 did not take went to 730
    assert _actions(system_ctx, found["729"].id) == ["order.imported"]
    # Shopify: fulfillment_status "fulfilled" is shipped; "partial" waits for a supervisor.
    page = [shopify_order(1), shopify_order(2), shopify_order(3)]
    page[0]["fulfillment_status"] = "fulfilled"
    page[0]["fulfillments"] = [{"created_at": "2024-03-03T10:00:00+01:00"}]
    page[1]["fulfillment_status"] = "partial"
    import_file(system_ctx, write(tmp_path, "s.json", json.dumps(page)), channel="shop")
    found = orders(system_ctx)
    assert found["#G1"].status == "shipped"
    assert found["#G1"].shipped_at == datetime(2024, 3, 3, 9, 0, tzinfo=UTC)
    assert (found["#G2"].status, found["#G2"].hold_reason) == ("on_hold", PARTLY_FULFILLED)
    assert found["#G3"].status == "allocated"
    # The same files again: nothing changes.
    assert _counts(import_file(system_ctx, _woo(tmp_path, "w.json", n729=completed))) == (
        0, 0, 6, 0, 0,
    )  # fmt: skip
    # Cancelled after it was fulfilled: a refund or return for a supervisor, not a new status.
    page[0]["cancelled_at"] = "2024-03-04T10:00:00Z"
    import_file(system_ctx, write(tmp_path, "s2.json", json.dumps(page)), channel="shop")
    shipped = orders(system_ctx)["#G1"]
    assert shipped.status == "shipped" and "after it shipped" in (shipped.attention or "")


def test_an_unpaid_order_waits_and_is_released_when_the_channel_says_paid(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, "w1.json", n729="pending"))
    held = orders(system_ctx)["729"]
    assert (held.status, held.hold_reason, held.held_from) == ("on_hold", AWAITING_PAYMENT, "new")
    assert _reserved(system_ctx, held.id) == 0
    # Still unpaid (on-hold: awaiting a bank transfer): the same order to us, it still waits.
    result = import_file(system_ctx, _woo(tmp_path, "w2.json", n729="on-hold"))
    assert _counts(result) == (0, 0, 6, 0, 0)
    assert orders(system_ctx)["729"].hold_reason == AWAITING_PAYMENT
    # Paid: released and allocated at once, audited.
    assert _counts(import_file(system_ctx, _woo(tmp_path, "w3.json"))) == (0, 1, 5, 0, 0)
    paid = orders(system_ctx)["729"]
    assert (paid.status, paid.hold_reason, paid.held_from) == ("allocated", None, None)
    assert _reserved(system_ctx, paid.id) == 3
    assert _actions(system_ctx, paid.id)[-3:] == [
        "order.released", "order.updated_by_channel", "order.allocated",
    ]  # fmt: skip


def test_shopify_pending_payment_waits_and_authorized_does_not(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    page = [shopify_order(1), shopify_order(2)]
    page[0]["financial_status"] = "pending"
    page[1]["financial_status"] = "authorized"  # captured when it ships
    import_file(system_ctx, write(tmp_path, "s1.json", json.dumps(page)), channel="shop")
    found = orders(system_ctx)
    assert (found["#G1"].status, found["#G1"].hold_reason) == ("on_hold", AWAITING_PAYMENT)
    assert found["#G2"].status == "allocated"
    page[0]["financial_status"] = "paid"
    result = import_file(system_ctx, write(tmp_path, "s2.json", json.dumps(page)), channel="shop")
    assert _counts(result) == (0, 1, 1, 0, 0)
    assert orders(system_ctx)["#G1"].status == "allocated"


def test_a_paid_order_the_channel_puts_back_to_unpaid_gives_its_stock_back(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, "w1.json"))
    assert orders(system_ctx)["729"].status == "allocated"
    import_file(system_ctx, _woo(tmp_path, "w2.json", n729="on-hold"))
    held = orders(system_ctx)["729"]
    assert (held.status, held.hold_reason) == ("on_hold", AWAITING_PAYMENT)
    assert _reserved(system_ctx, held.id) == 0


def test_a_supervisors_hold_is_never_lifted_by_the_channel(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, "w1.json"))
    order_id = orders(system_ctx)["729"].id
    hold_orders(system_ctx, [order_id], "address check")
    import_file(system_ctx, _woo(tmp_path, "w2.json", n729="pending"))
    assert orders(system_ctx)["729"].hold_reason == "address check"
    import_file(system_ctx, _woo(tmp_path, "w3.json", n729={"customer_note": "paid now"}))
    held = orders(system_ctx)["729"]
    assert (held.status, held.hold_reason) == ("on_hold", "address check")
    [released] = release_orders(system_ctx, [order_id], "checked")
    assert released.status == "allocated"


def test_an_order_fulfilled_elsewhere_is_held_not_packed_twice(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, "w1.json"))
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.number == "730").values(status="packing"))
    result = import_file(system_ctx, _woo(tmp_path, "w2.json", n729="completed", n730="completed"))
    assert _counts(result) == (0, 2, 4, 0, 0)
    found = orders(system_ctx)
    # Not picked yet: held, its stock given back, a supervisor decides (cancel, or send).
    assert (found["729"].status, found["729"].hold_reason) == ("on_hold", FULFILLED_ELSEWHERE)
    assert "fulfilled already" in (found["729"].attention or "")
    assert _reserved(system_ctx, found["729"].id) == 0
    # Already in a box: flagged, and said in the import's report.
    assert found["730"].status == "packing" and "not shipped twice" in found["730"].attention
    assert [e.ref for e in result.errors] == ["w2.json order 730 (item 5)"]


def test_an_order_without_an_address_is_held_until_the_channel_sends_one(
    system_ctx: ServiceContext, tmp_path
) -> None:
    stocked(system_ctx)
    no_address = {"shipping": {}, "shipping_lines": []}
    result = import_file(system_ctx, _woo(tmp_path, "w1.json", n729=no_address))
    assert _counts(result) == (5, 0, 0, 1, 0) and result.errors == ()
    held = orders(system_ctx)["729"]
    assert (held.status, held.hold_reason) == ("on_hold", NO_SHIP_TO)
    pickup = {"shipping": {}, "shipping_lines": [{"method_id": "local_pickup"}]}
    import_file(system_ctx, _woo(tmp_path, "w2.json", n729=pickup))
    assert orders(system_ctx)["729"].hold_reason == LOCAL_PICKUP
    # Unpaid as well: both reasons; paid, with an address: released and allocated.
    import_file(system_ctx, _woo(tmp_path, "w3.json", n729={**no_address, "status": "pending"}))
    assert orders(system_ctx)["729"].hold_reason == f"{AWAITING_PAYMENT}; {NO_SHIP_TO}"
    import_file(system_ctx, _woo(tmp_path, "w4.json"))
    assert orders(system_ctx)["729"].status == "allocated"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
             "password)"},
            "[API] Invalid API key or access token (unrecognized login or wrong password)",
        ),
        ({"errors": {"order": ["is invalid"]}}, "order: is invalid"),
        (
            {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list "
             "resources.", "data": {"status": 401}},
            "Sorry, you cannot list resources. (woocommerce_rest_cannot_view)",
        ),
    ],
)  # fmt: skip
@pytest.mark.parametrize("fmt", [None, "shopify-json", "woocommerce-json"])
def test_a_channels_error_body_is_shown_in_its_own_words(
    system_ctx: ServiceContext, body: dict[str, Any], text: str, fmt: str | None
) -> None:
    result = import_data(system_ctx, json.dumps(body).encode(), "orders.json", format=fmt)
    assert _counts(result) == (0, 0, 0, 0, 1)
    [error] = result.errors
    assert error.ref == "orders.json"
    assert error.message == (
        f"orders.json: the channel sent an error instead of orders: {text} "
        "(fix the export or the API access and export again)"
    )


def test_a_channel_name_in_another_case_is_the_same_channel(
    system_ctx: ServiceContext,
) -> None:
    stocked(system_ctx)
    demo = ensure_channel(system_ctx, "Shopify", "shopify")  # as the demo data names it
    assert _counts(import_file(system_ctx, DATA / "shopify_orders.json")) == (6, 0, 0, 1, 0)
    again = import_file(system_ctx, DATA / "shopify_orders.json", channel="SHOPIFY ")
    assert _counts(again) == (0, 0, 7, 0, 0)
    assert ensure_channel(system_ctx, "shopify", "shopify").id == demo.id
    with system_ctx.database.read_session() as session:
        assert session.scalars(select(Channel.name)).all() == ["Shopify"]
        assert set(session.scalars(select(Order.channel_id))) == {demo.id}
