"""EasyPost through the services, against the local EasyPost server: the rate shop includes it,
a buy is made once whatever happens to the answers, refusals reach the user, void, scan form."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from tests.carriers.easypost_server import FORM_PDF, LABEL_PDF, EasyPostServer
from tests.services.shipdata import import_nordpost, packed_order
from tests.services.shipeasypost import add_account, serve
from wms_desk.db.models import AuditEvent, Order, PrintJob, PurchaseIntent, Shipment
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping import labels, manifests, purchase, voids
from wms_desk.services.shipping.accounts import easypost_adapter
from wms_desk.services.shipping.online import rate_online
from wms_desk.services.shipping.rating import DEFAULT_SHIP_FROM, rate_order


@pytest.fixture
def easypost(monkeypatch: pytest.MonkeyPatch) -> Iterator[EasyPostServer]:
    yield from serve(monkeypatch)


@pytest.fixture
def printer(tmp_path) -> str:
    return (tmp_path / "labels").as_uri()


def _status(database, order_id: int) -> str:
    with database.read_session() as session:
        return session.get(Order, order_id).status


def _intents(database, order_id: int) -> list[tuple[int, str, str]]:
    with database.read_session() as session:
        rows = session.scalars(
            select(PurchaseIntent)
            .where(PurchaseIntent.order_id == order_id)
            .order_by(PurchaseIntent.id)
        )
        return [(r.package_seq, r.shipment_ref, r.status) for r in rows]


def test_rate_shop_shows_easypost_next_to_the_rate_card(
    system_ctx, database, easypost: EasyPostServer
) -> None:
    import_nordpost(system_ctx)
    add_account(system_ctx, easypost)
    packed_order(database, "E-1", (900,))
    shop = rate_order(system_ctx, "E-1")
    got = [(o.carrier, o.service, str(o.price), o.transit_days) for o in shop.options]
    assert ("nordpost", "STD", "9.45") in [g[:3] for g in got]
    assert ("easypost", "USPS GroundAdvantage", "6.07", 3) in got
    assert ("easypost", "USPS Priority", "8.24", 2) in got
    priority = next(o for o in shop.options if o.service == "USPS Priority")
    assert priority.delivery_date is not None and priority.delivery_date.isoformat() == "2026-12-03"
    assert shop.chosen is not None
    assert (shop.chosen.carrier, shop.chosen.service, shop.chosen.reason) == (
        "easypost", "USPS GroundAdvantage", "cheapest"
    )  # fmt: skip
    assert easypost.labels_bought == {}  # rating buys nothing


def test_an_easypost_that_is_down_is_a_note_and_the_rate_card_still_rates(
    system_ctx, database, easypost: EasyPostServer
) -> None:
    import_nordpost(system_ctx)
    add_account(system_ctx, easypost, timeout_s=0.3)
    packed_order(database, "E-2", (900,))
    easypost.fail_creates = [503, 503, 503]
    shop = rate_order(system_ctx, "E-2")
    assert {o.carrier for o in shop.options} == {"nordpost"}
    assert any("easypost: EasyPost did not answer the rate request" in n for n in shop.notes)


def test_a_two_box_order_buys_once_per_box_when_the_first_buy_times_out(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost, timeout_s=1.5)
    order_id = packed_order(database, "E-3", (900, 1400))
    easypost.stall_buys = 1  # the first buy is made, its answer never arrives in time
    done: dict[str, object] = {}

    def ship() -> None:
        try:
            done["result"] = labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
        except Exception as exc:  # reported below, not lost in the thread
            done["error"] = exc

    worker = threading.Thread(target=ship)
    worker.start()
    # While the carrier holds the answer, no transaction of ours holds the order: another
    # station writes the same order row at once.
    deadline = time.monotonic() + 10
    while easypost.count("POST", "/buy") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # a real server's timing: poll what it has received
    assert easypost.count("POST", "/buy") == 1
    started = time.monotonic()
    with database.write_session() as session, session.begin():
        if database.is_sqlite is False:
            session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        session.execute(
            update(Order).where(Order.id == order_id).values(updated_at=datetime.now(UTC))
        )
    waited = time.monotonic() - started
    worker.join(30)
    assert "error" not in done, done.get("error")
    assert waited < 0.5, f"a write to the order waited {waited:.2f}s for the buy"
    result = done["result"]
    assert isinstance(result, labels.ShipResult)
    assert result.carrier == "easypost" and result.order_status == "shipped"
    assert [(lb.package_seq, lb.package_count) for lb in result.labels] == [(1, 2), (2, 2)]
    # One label per shipment, one shipment per box, each bought exactly once.
    assert sorted(easypost.labels_bought.values()) == [1, 1]
    assert easypost.count("POST", "/buy") == 2
    intents = _intents(database, order_id)
    assert {sid for _, sid, _ in intents} == set(easypost.labels_bought)
    assert [(seq, status) for seq, _, status in intents] == [(1, "bought"), (2, "bought")]
    with database.read_session() as session:
        shipments = list(session.scalars(select(Shipment).where(Shipment.order_id == order_id)))
        assert {s.shipment_ref for s in shipments} == set(easypost.labels_bought)
        jobs = list(session.scalars(select(PrintJob).where(PrintJob.order_id == order_id)))
        assert [j.payload for j in jobs] == [LABEL_PDF, LABEL_PDF]  # byte-exact
        actions = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_id == str(order_id), AuditEvent.action.like("ship.%"))))  # fmt: skip
        assert actions == ["ship.intent", "ship.buy"]
    assert _status(database, order_id) == "shipped"


def test_easypost_down_leaves_the_order_packed_and_a_retry_buys_that_shipment_once(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost, timeout_s=0.5)
    order_id = packed_order(database, "E-4", (900,))
    packer = make_ctx("packer")
    easypost.drop_buys = 3  # every try of the buy loses its connection
    with pytest.raises(purchase.CarrierDown) as down:
        labels.ship_order(packer, order_id, printer_url=printer)
    message = str(down.value)
    assert "EasyPost did not answer; order E-4 stays packed; try again from the Ship screen" in (
        message
    )
    assert _status(database, order_id) == "packed"
    [(seq, sid, status)] = _intents(database, order_id)
    assert status == "open" and easypost.labels_bought == {}
    creates = easypost.count("POST", "/v2/shipments")

    result = labels.ship_order(packer, order_id, printer_url=printer)
    assert easypost.count("POST", "/v2/shipments") == creates  # resumed: not rated again
    assert easypost.labels_bought == {sid: 1}
    assert result.labels[0].tracking == easypost.shipments[sid]["tracking_code"]
    assert _intents(database, order_id) == [(seq, sid, "bought")]


def test_a_crash_after_the_carrier_sold_the_label_never_buys_a_second(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost)
    order_id = packed_order(database, "E-5", (900,))
    packer = make_ctx("packer")
    # What a station did before it crashed: read, rate, intent committed, label bought; the
    # answer died with the process, so nothing of it is stored but the intent.
    read = purchase._read(packer, order_id, printer, DEFAULT_SHIP_FROM)
    [choice, *_] = rate_online(read.plan.online, read.plan.request)[0]
    [intent] = purchase.begin_purchase(packer, order_id, choice, read.plan.package_seqs, "cheapest")
    account = read.plan.online[0]
    sold = account.adapter().buy(read.plan.request, intent.quote())

    result = labels.ship_order(packer, order_id, printer_url=printer)
    assert easypost.labels_bought == {intent.shipment_ref: 1}
    assert [lb.tracking for lb in result.labels] == [sold.master_tracking]
    assert result.reason == "cheapest"


def test_refusals_reach_the_user_in_the_carriers_words(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost)
    packer = make_ctx("packer")
    nowhere = packed_order(database, "E-6", (900,))
    with database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.id == nowhere).values(ship_street1=""))
    with pytest.raises(ValidationFailed, match="Address not found") as refused:
        labels.ship_order(packer, nowhere, printer_url=printer)
    assert "Order E-6" in str(refused.value) and "street1: House number is missing" in str(
        refused.value
    )

    # A rate that expired between the intent and the buy: refused (4xx), nothing bought, the
    # intent given up, and the next try rates afresh and buys.
    order_id = packed_order(database, "E-7", (900,))
    read = purchase._read(packer, order_id, printer, DEFAULT_SHIP_FROM)
    [choice, *_] = rate_online(read.plan.online, read.plan.request)[0]
    [intent] = purchase.begin_purchase(packer, order_id, choice, read.plan.package_seqs, "x")
    easypost.shipments[intent.shipment_ref]["rates"] = []
    with pytest.raises(ValidationFailed, match=f"Rate {intent.rate_ref} not found") as expired:
        labels.ship_order(packer, order_id, printer_url=printer)
    assert "Order E-7: no label bought" in str(expired.value)
    assert _intents(database, order_id) == [(1, intent.shipment_ref, "abandoned")]
    assert _status(database, order_id) == "packed"
    result = labels.ship_order(packer, order_id, printer_url=printer)
    assert result.order_status == "shipped" and len(easypost.labels_bought) == 1


def test_void_and_scan_form_through_easypost(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost)
    packer, supervisor = make_ctx("packer"), make_ctx("supervisor")
    kept = labels.ship_order(packer, packed_order(database, "E-8", (900,)), printer_url=printer)
    voided_id = packed_order(database, "E-9", (700,))
    wrong = labels.ship_order(packer, voided_id, printer_url=printer)
    # While EasyPost takes its time over the refund, no transaction of ours holds the shipment.
    easypost.stall_refunds, easypost.stall_s = 1, 0.6
    worker = threading.Thread(
        target=lambda: done.append(voids.void_label(supervisor, wrong.labels[0].tracking, "x"))
    )
    done: list[voids.VoidInfo] = []
    worker.start()
    deadline = time.monotonic() + 10
    while easypost.count("POST", "/refund") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    with database.write_session() as session, session.begin():
        if not database.is_sqlite:
            session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        session.execute(
            update(Shipment).where(Shipment.order_id == voided_id).values(void_reason="")
        )
    waited = time.monotonic() - started
    worker.join(30)
    assert waited < 0.4, f"a write to the shipment waited {waited:.2f}s for the refund"
    [info] = done
    assert info.order_status == "packed" and _status(database, voided_id) == "packed"
    assert easypost.count("POST", "/refund") == 1
    refunded = [s for s in easypost.shipments.values() if s.get("refund_status")]
    assert [s["tracking_code"] for s in refunded] == [wrong.labels[0].tracking]

    form = manifests.close_manifest(supervisor, "easypost")
    assert form.reference.startswith("sf_") and form.carrier_document == FORM_PDF
    assert [r.tracking for r in form.rows] == [kept.labels[0].tracking]
    assert easypost.scan_forms[form.reference]["tracking_codes"] == [kept.labels[0].tracking]
    with pytest.raises(ValidationFailed, match="closed manifest"):
        voids.void_label(supervisor, kept.labels[0].tracking, "too late")
    # A refund EasyPost refuses is said, and the label stays.
    easypost.refuse_refunds = True
    again = labels.ship_order(packer, voided_id, printer_url=printer)
    with pytest.raises(ValidationFailed, match="EasyPost would not refund label"):
        voids.void_label(supervisor, again.labels[0].tracking, "changed my mind")
    assert _status(database, voided_id) == "shipped"
    with database.read_session() as session:
        stored = session.scalar(
            select(Shipment.price).where(
                Shipment.order_id == voided_id, Shipment.status == "bought"
            )
        )
        assert stored == Decimal("6.07")


def test_pack_complete_buys_through_easypost_after_packing_commits(
    make_ctx, system_ctx, easypost: EasyPostServer, tmp_path
) -> None:
    """COMPLETE with an online carrier: the order is packed (committed) first; the label is
    bought after; EasyPost down says so and leaves the order packed for the Ship screen."""
    from dataclasses import replace as with_

    from tests.services.test_ship_at_complete import _pack, _setup, ev
    from wms_desk.domain.packing import ScanOutcome
    from wms_desk.services import packing
    from wms_desk.services.shipping.labels import set_buy_at_complete

    packer = _setup(make_ctx, system_ctx, tmp_path)
    add_account(system_ctx, easypost, timeout_s=0.5)
    set_buy_at_complete(system_ctx, True)
    database = system_ctx.database

    def pack(number: str) -> int:
        oid = _pack(packer, number)
        with database.write_session() as session, session.begin():
            session.get(Order, oid).ship_street1 = "388 Townsend St"
        return oid

    down = pack("9101")
    easypost.drop_buys = 3
    done = packing.complete(packer, down, ev())
    assert done.outcome is ScanOutcome.COMPLETED
    assert done.message.startswith("Order 9101 packed in 1 box.")
    assert "EasyPost did not answer; order 9101 stays packed; try again from the Ship screen" in (
        done.message
    )
    assert _status(database, down) == "packed" and easypost.labels_bought == {}
    # From the Ship screen: the begun purchase is finished, once.
    again = labels.ship_order(with_(packer), down)
    assert again.carrier == "easypost" and sum(easypost.labels_bought.values()) == 1

    fine = pack("9102")
    done = packing.complete(packer, fine, ev())
    assert "1 label bought (easypost USPS" in done.message
    assert _status(database, fine) == "shipped"


def test_a_label_voided_while_easypost_makes_the_form_is_left_off_ours_and_said(
    make_ctx, system_ctx, database, easypost: EasyPostServer, printer
) -> None:
    add_account(system_ctx, easypost)
    packer, supervisor = make_ctx("packer"), make_ctx("supervisor")
    kept = labels.ship_order(packer, packed_order(database, "E-10", (900,)), printer_url=printer)
    late = labels.ship_order(packer, packed_order(database, "E-11", (900,)), printer_url=printer)
    # The form is asked for between two transactions: a void can land in between.
    plan = manifests._close_here(supervisor, "easypost", None)
    assert isinstance(plan, manifests._FormPlan) and len(plan.shipment_ids) == 2
    voids.void_label(supervisor, late.labels[0].tracking, "customer cancelled")
    form = easypost_adapter(plan.config).manifest(list(plan.purchases), plan.day)
    info = manifests._store_form(supervisor, plan, form)
    assert [r.tracking for r in info.rows] == [kept.labels[0].tracking]
    assert info.notes and late.labels[0].tracking in info.notes[0]
    assert "keep those packages back" in info.notes[0]
