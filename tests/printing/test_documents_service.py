"""Document data from the database, rendered and read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.printing.helpers import check_zpl, decode_pages, page_texts
from wms_desk.domain.codes import badge_barcode
from wms_desk.printing.barcodes import is_valid_sscc
from wms_desk.printing.cards import badge_cards_pdf
from wms_desk.printing.label import shipping_label_pdf
from wms_desk.printing.model import Address
from wms_desk.printing.picklist import pick_list_pdf, sorted_lines
from wms_desk.printing.slip import packing_slip_pdf
from wms_desk.services import documents, print_queue
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.station_bindings import PrinterBinding
from wms_desk.services.uow import UnitOfWork, run_unit_of_work


def test_label_without_carrier_uses_service_and_provisional_reference(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    make_order("5001", packages=2)
    data = documents.shipping_label(system_ctx, "5001", 2, ship_from, date(2026, 11, 26))
    assert data.provisional and data.tracking_number == "PRV-5001-2"
    assert (data.service, data.package_seq, data.package_count) == ("UPS GROUND", 2, 2)
    assert data.weight_g == 1000 and data.ship_to.name == "Zoë Müller"
    assert decode_pages(shipping_label_pdf(data)) == [[("Code128", "PRV-5001-2")]]


def test_unknown_order_and_package(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    make_order("5002")
    with pytest.raises(NotFound, match="no order"):
        documents.shipping_label(system_ctx, "nope", None, ship_from)
    with pytest.raises(NotFound, match="no packages"):
        documents.shipping_label(system_ctx, "5002", 3, ship_from)
    # A scanned slip barcode finds the order too.
    assert documents.shipping_label(system_ctx, "ORD:5002", None, ship_from).package_count == 1


def test_slip_has_bins_bill_to_and_gift_mode(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    make_order("5003", lines=2, gift=True)
    data = documents.packing_slip(system_ctx, "5003", ship_from)
    assert data.order_barcode == "ORD:5003" and data.gift and not data.show_prices
    assert data.bill_to is not None and data.bill_to.city == "Łódź"
    assert all(line.bin for line in data.lines)
    pdf = packing_slip_pdf(data)
    assert decode_pages(pdf) == [[("Code128", "ORD:5003")]]
    assert "Happy birthday!" in page_texts(pdf)[0]


def test_pick_list_for_a_batch_is_in_pick_sequence(
    system_ctx: ServiceContext, make_order: Callable[..., int]
) -> None:
    make_order("6001", lines=3, batch="W-9", tote="W-9-01")
    make_order("6002", lines=2, batch="W-9", tote="W-9-02")
    data = documents.pick_list(system_ctx, "W-9")
    assert data.batch_name == "W-9" and len(data.lines) == 5
    assert {line.tote for line in data.lines} == {"W-9-01", "W-9-02"}
    ordered = sorted_lines(data)
    assert [x.pick_sequence for x in ordered] == sorted(x.pick_sequence for x in data.lines)
    found = {text for _, text in decode_pages(pick_list_pdf(data))[0]}
    assert {"ORD:6001", "ORD:6002"} <= found
    assert {x.bin_code for x in data.lines} <= found and {x.barcode for x in data.lines} <= found


def test_sscc_label_assigns_once_per_package(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    make_order("7001", packages=1)
    first = documents.sscc_label(system_ctx, "7001", 1, ship_from, "0614141")
    again = documents.sscc_label(system_ctx, "7001", 1, ship_from, "0614141")
    assert first.sscc == again.sscc and is_valid_sscc(first.sscc)
    make_order("7002")
    unpacked = documents.sscc_label(system_ctx, "7002", None, ship_from, "0614141")
    assert unpacked.sscc != first.sscc


def test_bin_labels_by_zone(system_ctx: ServiceContext, make_order: Callable[..., int]) -> None:
    make_order("8001", lines=4)
    labels = documents.bin_labels(system_ctx, "A")
    assert labels and all(label.zone == "A" for label in labels)


def test_label_and_slip_are_queued_with_the_business_change(
    system_ctx: ServiceContext,
    make_order: Callable[..., int],
    ship_from: Address,
    tmp_path: Path,
) -> None:
    order_id = make_order("9101", packages=1)
    zebra = PrinterBinding(tmp_path.as_uri(), "zpl", 300)
    office = PrinterBinding(tmp_path.as_uri(), "pdf")

    def close_package(uow: UnitOfWork) -> list[str]:
        # ...the package's business change would be here, in the same transaction...
        return [
            documents.enqueue_shipping_label(uow, order_id, 1, zebra, ship_from),
            documents.enqueue_packing_slip(uow, order_id, office, ship_from, "a4"),
        ]

    label_id, slip_id = run_unit_of_work(system_ctx, close_package)
    worker = print_queue.PrintWorker(system_ctx.database, system_ctx.actor.station_id)
    assert worker.run_pending() == 2
    assert label_id != slip_id
    zpl = check_zpl((tmp_path / "label-9101-1.zpl").read_bytes())
    assert "^PW1200" in zpl and "PRV-9101-1" in zpl
    slip = (tmp_path / "slip-9101.pdf").read_bytes()
    assert decode_pages(slip) == [[("Code128", "ORD:9101")]]

    def fails(uow: UnitOfWork) -> None:
        documents.enqueue_shipping_label(uow, order_id, 1, zebra, ship_from)
        raise ValidationFailed("the package could not be closed")

    with pytest.raises(ValidationFailed):
        run_unit_of_work(system_ctx, fails)
    assert len(print_queue.list_jobs(system_ctx)) == 2  # nothing queued for the failure


def test_badge_card_only_for_the_users_own_badge(system_ctx: ServiceContext) -> None:
    from wms_desk.services import users

    user = users.add_user(
        system_ctx, "zoe", "packer", "secret-pw", badge="B-7731", display_name="Zoë Müller"
    )
    card = documents.badge_card(system_ctx, user.id, "B-7731", "Northwind")
    assert card.badge_value == badge_barcode("B-7731") and card.display_name == "Zoë Müller"
    assert sorted(decode_pages(badge_cards_pdf([card]), 6)[0]) == [
        ("Code128", "BADGE:B-7731"),
        ("QRCode", "BADGE:B-7731"),
    ]
    with pytest.raises(ValidationFailed, match="not zoe's badge"):
        documents.badge_card(system_ctx, user.id, "B-0000")


def test_unallocated_lines_go_to_a_stocked_bin_or_none(
    system_ctx: ServiceContext, make_order: Callable[..., int]
) -> None:
    from sqlalchemy import delete, select

    from wms_desk.db.models import Bin, BinStock, OrderLine, Reservation

    order_id = make_order("9201", lines=2)
    with system_ctx.database.write_session() as session, session.begin():
        lines = list(
            session.scalars(
                select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
            )
        )
        session.execute(
            delete(Reservation).where(Reservation.order_line_id.in_([x.id for x in lines]))
        )
        shelf = Bin(code="C-09-01", zone="C", pick_sequence=1)
        session.add(shelf)
        session.flush()
        session.add(BinStock(bin_id=shelf.id, product_id=lines[0].product_id, on_hand=5))
    data = documents.pick_list(system_ctx, "9201")
    by_sku = {x.sku: x for x in data.lines}
    first, second = (by_sku[x.sku] for x in lines)
    assert (first.bin_code, first.pick_sequence) == ("C-09-01", 1)
    assert second.bin_code == documents.NO_BIN
    found = [text for _, text in decode_pages(pick_list_pdf(data))[0]]
    assert "C-09-01" in found and documents.NO_BIN not in found
    assert second.barcode in found  # the item itself is still scannable
