"""Labels made elsewhere: one scanned tracking number per package, checked, never reused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.services.shipdata import packed_order
from wms_desk.db.models import AuditEvent, CarrierAccount, Order, PrintJob, Shipment
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping import manifests, voids
from wms_desk.services.shipping.manual import record_manual_labels

UPS_1, UPS_2 = "1Z999AA10123456784", "1Z999AA10123456785"


def _status(database, order_id: int) -> str:
    with database.read_session() as session:
        return session.get(Order, order_id).status


def test_scanned_labels_ship_the_order_under_the_carrier_named(make_ctx, database) -> None:
    packer = make_ctx("packer")
    order_id = packed_order(database, "M-1", (900, 1400))
    result = record_manual_labels(packer, order_id, "UPS", [" 1z999aa10123456784 ", UPS_2])
    assert [(lb.tracking, lb.package_seq, lb.package_count) for lb in result.labels] == [
        (UPS_1, 1, 2), (UPS_2, 2, 2)
    ]  # fmt: skip
    assert result.order_status == "shipped" and _status(database, order_id) == "shipped"
    assert result.message == (
        f"Order M-1: 2 labels recorded (ups, made elsewhere): {UPS_1}, {UPS_2}."
    )
    with database.read_session() as session:
        account = session.scalar(select(CarrierAccount).where(CarrierAccount.code == "ups"))
        assert (account.kind, account.name) == ("manual", "UPS")
        shipment = session.scalar(select(Shipment).where(Shipment.order_id == order_id))
        assert (shipment.carrier, shipment.master_tracking, str(shipment.price)) == (
            "ups", UPS_1, "0.00"
        )  # fmt: skip
        assert session.scalar(select(PrintJob.id).where(PrintJob.order_id == order_id)) is None
        audit = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "ship.buy", AuditEvent.subject_id == str(order_id)
            )
        )
        assert audit.after["tracking"] == [UPS_1, UPS_2]
        assert audit.after["reason"] == "label made elsewhere"
    board = manifests.ship_board(packer, shipment.ship_date)
    assert [(r.tracking, r.carrier, r.status) for r in board.rows] == [
        (UPS_1, "ups", "bought"), (UPS_2, "ups", "bought")
    ]  # fmt: skip


def test_bad_scans_are_refused_saying_what_to_scan(make_ctx, database) -> None:
    packer = make_ctx("packer")
    two = packed_order(database, "M-2", (900, 1400))
    with pytest.raises(ValidationFailed, match="has 2 packages but 1 tracking numbers"):
        record_manual_labels(packer, two, "", [UPS_1])
    with pytest.raises(ValidationFailed, match="the same tracking number was scanned twice"):
        record_manual_labels(packer, two, "", [UPS_1, UPS_1.lower()])
    with pytest.raises(ValidationFailed, match="one of our own barcodes"):
        record_manual_labels(packer, two, "", ["ORD:M-2", UPS_1])
    with pytest.raises(ValidationFailed, match="wrong check digit"):
        record_manual_labels(packer, two, "", ["RR100000004SE", UPS_1])
    with pytest.raises(ValidationFailed, match="buys its labels here"):
        from tests.services.shipdata import import_nordpost

        import_nordpost(make_ctx("supervisor"))
        record_manual_labels(packer, two, "nordpost", [UPS_1, UPS_2])
    assert _status(database, two) == "packed"

    record_manual_labels(packer, two, "", [UPS_1, UPS_2])  # the built-in manual account
    with pytest.raises(ValidationFailed, match="only a packed order"):
        record_manual_labels(packer, two, "", [UPS_1, UPS_2])


def test_a_tracking_number_is_never_reused_even_after_a_void(make_ctx, database) -> None:
    packer, supervisor = make_ctx("packer"), make_ctx("supervisor")
    first = packed_order(database, "M-3", (900,))
    other = packed_order(database, "M-4", (900,))
    record_manual_labels(packer, first, "manual", [UPS_1])
    with pytest.raises(ValidationFailed, match=f"{UPS_1} is already recorded for order M-3"):
        record_manual_labels(packer, other, "manual", [UPS_1])
    info = voids.void_label(supervisor, UPS_1, "label torn")
    assert info.order_status == "packed"
    with pytest.raises(ValidationFailed, match="already recorded for order M-3"):
        record_manual_labels(packer, first, "manual", [UPS_1])
    again = record_manual_labels(packer, first, "manual", [UPS_2])
    assert again.order_status == "shipped"
    with pytest.raises(ValidationFailed, match="has no manifest"):
        manifests.close_manifest(supervisor, "manual")
