"""Ship a two-package order: labels n of m decoded back, void and re-buy, two manifests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.printing.helpers import decode_pages, page_texts
from tests.services.shipdata import import_nordpost, packed_order
from wms_desk.db.models import AuditEvent, Order, PrintJob, ShipmentLabel
from wms_desk.domain.tracking_numbers import CheckRule, TrackingRange
from wms_desk.services.errors import PermissionDenied, ValidationFailed
from wms_desk.services.order_detail import order_detail
from wms_desk.services.shipping import labels, manifests, voids
from wms_desk.services.shipping.rating import rate_order

S10 = TrackingRange("RR", 10000000, 10999999, CheckRule.S10, "SE", 8)


@pytest.fixture
def printer(tmp_path) -> str:
    return (tmp_path / "labels").as_uri()


def _status(database, order_id: int) -> str:
    with database.read_session() as session:
        return session.get(Order, order_id).status


def test_rate_shop_lists_every_option_and_marks_the_cheapest(system_ctx, database) -> None:
    import_nordpost(system_ctx)
    packed_order(database, "R-1", (900,))
    shop = rate_order(system_ctx, "R-1")
    # 900 g to a home in Z1: (5.90 + 2.50 residential) x 1.125 fuel = 9.45; EXP (12.00 + 2.50).
    assert [(o.service, str(o.price)) for o in shop.options] == [("STD", "9.45"), ("EXP", "16.31")]
    assert [o.chosen for o in shop.options] == [True, False]
    assert shop.chosen is not None and shop.chosen.reason == "cheapest"


def test_two_packages_labels_void_rebuy_and_manifests(make_ctx, database, printer) -> None:
    packer = make_ctx("packer")
    supervisor = make_ctx("supervisor")
    import_nordpost(supervisor)
    order_id = packed_order(database, "S-1", (900, 1400))
    result = labels.ship_order(packer, order_id, printer_url=printer)
    assert [(lb.package_seq, lb.package_count) for lb in result.labels] == [(1, 2), (2, 2)]
    numbers = [lb.tracking for lb in result.labels]
    assert numbers == ["RR100000003SE", S10.format(10000001)]
    assert all(S10.validate(n) for n in numbers)
    assert _status(database, order_id) == "shipped"
    with database.read_session() as session:
        jobs = {j.id: j for j in session.scalars(select(PrintJob))}
        stored = list(session.scalars(select(ShipmentLabel).order_by(ShipmentLabel.seq)))
        for label, info in zip(stored, result.labels, strict=True):
            assert jobs[info.print_job_id].payload == label.data  # byte-exact
            assert ("Code128", label.tracking) in decode_pages(label.data)[0]
            assert f"PKG {label.seq} of 2" in page_texts(label.data)[0].replace("\n", " ")

    # Another packer may not void it; the supervisor may, with a reason, before the manifest.
    with pytest.raises(PermissionDenied):
        voids.void_label(make_ctx("packer"), numbers[1], "wrong box")
    with pytest.raises(ValidationFailed, match="reason"):
        voids.void_label(supervisor, numbers[1], " ")
    void = voids.void_label(supervisor, numbers[1], "wrong box")
    assert void.voided == tuple(numbers) and void.order_status == "packed"
    assert _status(database, order_id) == "packed"

    again = labels.ship_order(packer, order_id, printer_url=printer)
    new_numbers = [lb.tracking for lb in again.labels]
    assert not set(new_numbers) & set(numbers)  # a voided number is never reused

    first = manifests.close_manifest(supervisor, "nordpost")
    assert {r.tracking for r in first.rows} == set(new_numbers)
    assert first.package_count == 2 and str(first.total_weight_g) == "2300.00"
    assert ("Code128", first.reference) in decode_pages(first.pdf)[0]
    assert "2 packages" in page_texts(first.pdf)[0] and "2.300 kg" in page_texts(first.pdf)[0]
    assert first.csv.count("\n") == 3

    with pytest.raises(ValidationFailed, match="manifest"):
        voids.void_label(supervisor, new_numbers[0], "too late")
    with pytest.raises(ValidationFailed, match="no Nordpost labels"):
        manifests.close_manifest(supervisor, "nordpost")

    later = packed_order(database, "S-2", (500,))
    later_numbers = [
        lb.tracking for lb in labels.ship_order(packer, later, printer_url=printer).labels
    ]
    second = manifests.close_manifest(supervisor, "NORDPOST-2026", date.today())
    assert [r.tracking for r in second.rows] == later_numbers
    assert second.reference != first.reference

    detail = order_detail(supervisor, order_id).as_json()["shipments"]
    assert [(s["tracking"], s["status"]) for s in detail] == [
        (numbers[0], "voided"),
        (numbers[1], "voided"),
        (new_numbers[0], "manifested"),
        (new_numbers[1], "manifested"),
    ]
    assert detail[2]["manifest"] == first.reference and detail[2]["price"] == str(again.price)
    with database.read_session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"ship.buy", "ship.void", "ship.manifest"} <= actions


def test_handover_counts_what_the_driver_has_not_got(system_ctx, database, printer) -> None:
    import_nordpost(system_ctx)
    order_id = packed_order(database, "H-1", (900, 1400))
    result = labels.ship_order(system_ctx, order_id, printer_url=printer)
    first = manifests.hand_over(system_ctx, result.labels[0].tracking.lower())
    assert (first.already, first.not_handed_over) == (False, 1)
    assert manifests.hand_over(system_ctx, result.labels[0].tracking).already
    board = manifests.ship_board(system_ctx, date.today())
    assert [r.status for r in board.rows] == ["handed over", "bought"]
    assert board.not_handed_over == 1
    job = voids.reprint_label(system_ctx, result.labels[1].tracking, "smudged")
    with database.read_session() as session:
        reprint = session.get(PrintJob, job)
        assert reprint.reprint_of == result.labels[1].print_job_id
        assert reprint.payload == session.get(PrintJob, reprint.reprint_of).payload


def test_an_unpacked_order_or_a_missing_weight_says_what_to_do(
    system_ctx, database, printer
) -> None:
    import_nordpost(system_ctx)
    order_id = packed_order(database, "W-1", (900,))
    with database.write_session() as session, session.begin():
        session.get(Order, order_id).packages[0].weight_g = None
    with pytest.raises(ValidationFailed, match="Package 1 of order W-1 has no weight"):
        labels.ship_order(system_ctx, order_id, printer_url=printer)
