"""What an RMA prints and checks: serials against what was packed, the slip and its audited
reprint, and a return label bought through the carrier interface, decoded back and scanned."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.printing.helpers import decode_pages, page_texts
from tests.services.shipdata import import_nordpost
from tests.services.test_rma_support import MUG_CODE, seed_catalogue, shipped_order
from wms_desk.db.models import AuditEvent, Order, OrderLine, Package, PackCapture, PrintJob, Product
from wms_desk.domain.returns import Reason, Resolution, ReturnRefused
from wms_desk.domain.roles import Role
from wms_desk.printing.model import Address
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.returns.documents import (
    buy_return_label,
    create_rma_with_label,
    print_rma_slip,
)
from wms_desk.services.returns.receiving import find_rma_for_scan, receive_scan
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.views import rma_detail
from wms_desk.services.station_bindings import PrinterBinding, StationBindings

WAREHOUSE = Address("Acme Warehouse", lines=("Lagergatan 2", "164 40 Kista", "SE"))


@pytest.fixture
def service(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_catalogue(system_ctx)
    return make_ctx(Role.SERVICE)


def _packed_serials(ctx: ServiceContext, order_id: int, sku: str, serials: list[str]) -> None:
    """What pack verification records when a line needs serials: one capture per unit."""
    with ctx.database.write_session() as session, session.begin():
        line_id = session.scalar(
            select(OrderLine.id).where(OrderLine.order_id == order_id, OrderLine.sku == sku)
        )
        package = Package(order_id=order_id, seq=1)
        session.add(package)
        session.flush()
        for serial in serials:
            session.add(
                PackCapture(
                    order_line_id=line_id, package_id=package.id, kind="serial", value=serial
                )
            )


def test_a_serial_that_did_not_ship_on_the_order_is_refused_by_name(
    service: ServiceContext, system_ctx: ServiceContext
) -> None:
    order_id = shipped_order(service, "8101", [("MUG", 2, "10.00", "0", "0")])
    _packed_serials(system_ctx, order_id, "MUG", ["SN-A1", "SN-A2"])
    rma = create_rma(service, "8101", [ReturnLineRequest("MUG", 2, Reason.DAMAGED)])

    # At the station a unit of a line packed with serials names its serial ...
    with pytest.raises(ReturnRefused, match="MUG shipped on order 8101 with serial numbers"):
        receive_scan(system_ctx, rma.number, MUG_CODE)
    # ... and it must be one of those packed.
    with pytest.raises(ReturnRefused) as refused:
        receive_scan(system_ctx, rma.number, MUG_CODE, serial="SN-ZZ9")
    assert "Serial SN-ZZ9 of MUG did not ship with order 8101" in str(refused.value)
    assert rma_detail(service, rma.number).units == ()

    receive_scan(system_ctx, rma.number, MUG_CODE, serial="SN-A2")
    with pytest.raises(ReturnRefused, match="SN-A2 of MUG was already received back"):
        receive_scan(system_ctx, rma.number, MUG_CODE, serial="SN-A2")
    assert [u.serial for u in rma_detail(service, rma.number).units] == ["SN-A2"]


def test_without_serials_captured_at_packing_any_serial_is_kept(
    service: ServiceContext, system_ctx: ServiceContext
) -> None:
    shipped_order(service, "8102", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(service, "8102", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    receive_scan(system_ctx, rma.number, MUG_CODE, serial="ANY-1")
    assert [u.serial for u in rma_detail(service, rma.number).units] == ["ANY-1"]


def test_the_slip_prints_once_then_only_as_an_audited_reprint(
    service: ServiceContext, tmp_path
) -> None:
    shipped_order(service, "8103", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(service, "8103", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    printer = (tmp_path / "docs").as_uri()
    first = print_rma_slip(service, rma.number, "Acme", printer_url=printer)
    assert (first.reprint, first.message) == (False, f"RMA slip {rma.number} sent to the printer.")
    with pytest.raises(ValidationFailed, match=r"was printed before\. Say why"):
        print_rma_slip(service, rma.number, "Acme", printer_url=printer)
    again = print_rma_slip(service, rma.number, "Acme", "customer lost it", printer_url=printer)
    assert again.reprint
    with service.database.read_session() as session:
        payload = session.get(PrintJob, again.print_job_id).payload
        reasons = session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "rma.slip_reprinted")
        ).all()
    assert decode_pages(payload)[0] == [("Code128", f"RMA:{rma.number}")]
    assert [r["reason"] for r in reasons] == ["customer lost it"]


def _swedish_customer(ctx: ServiceContext, number: str) -> None:
    with ctx.database.write_session() as session, session.begin():
        session.execute(
            update(Order)
            .where(Order.number == number)
            .values(ship_country="SE", ship_postal_code="164 40", ship_city="Kista")
        )
        session.execute(update(Product).values(unit_weight_g=Decimal(450)))


@pytest.mark.parametrize("fmt", ["pdf", "zpl"])
def test_a_return_label_goes_from_the_customer_to_us_and_receiving_finds_it(
    service: ServiceContext, system_ctx: ServiceContext, tmp_path, fmt: str
) -> None:
    import_nordpost(system_ctx)
    shipped_order(service, "8104", [("MUG", 2, "10.00", "0", "0")])
    _swedish_customer(system_ctx, "8104")
    rma = create_rma(service, "8104", [ReturnLineRequest("MUG", 2, Reason.DAMAGED)])
    printer = (tmp_path / "labels").as_uri() if fmt == "pdf" else "tcp://127.0.0.1:9"

    label = buy_return_label(service, rma.number, WAREHOUSE, printer_url=printer)

    assert label.tracking.startswith("RR") and label.tracking.endswith("SE")
    assert label.message.startswith(f"Return label for {rma.number} (order 8104) bought")
    with service.database.read_session() as session:
        job = session.get(PrintJob, label.print_job_id)
        assert (job.document, job.format) == ("return_label", fmt)
        payload = job.payload
    if fmt == "pdf":
        assert ("Code128", label.tracking) in decode_pages(payload)[0]
        text = page_texts(payload)[0]
        # From the customer, to our warehouse: the addresses are swapped, marked RETURN.
        assert text.index("Ada Lovelace") < text.index("SHIP TO") < text.index("Acme Warehouse")
        assert "RETURN" in text
    else:
        zpl = payload.decode()
        assert f"^FD{label.tracking}^FS" in zpl.replace(">:", "").replace(">;", "")
        assert "^FDRETURN^FS" in zpl
    # Its tracking number is scannable at receiving and is on the RMA.
    assert find_rma_for_scan(system_ctx, label.tracking) == rma.number
    assert rma_detail(service, rma.number).return_tracking == label.tracking
    with pytest.raises(ReturnRefused, match=f"already has return label {label.tracking}"):
        buy_return_label(service, rma.number, WAREHOUSE, printer_url=printer)


def test_a_return_label_needs_a_carrier_and_weights(
    service: ServiceContext, system_ctx: ServiceContext, tmp_path
) -> None:
    shipped_order(service, "8105", [("MUG", 1, "10.00", "0", "0")])
    rma = create_rma(service, "8105", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    printer = (tmp_path / "labels").as_uri()
    with pytest.raises(ValidationFailed, match="weigh nothing in the catalogue"):
        buy_return_label(service, rma.number, WAREHOUSE, printer_url=printer)
    _swedish_customer(system_ctx, "8105")
    with pytest.raises(ValidationFailed, match="No carrier can issue a return label"):
        buy_return_label(service, rma.number, WAREHOUSE, printer_url=printer)
    assert rma_detail(service, rma.number).return_tracking == ""


def test_the_desk_creates_an_rma_with_its_label_and_keeps_the_rma_when_the_label_fails(
    service: ServiceContext, system_ctx: ServiceContext
) -> None:
    shipped_order(service, "8106", [("MUG", 2, "10.00", "0", "0")])
    lines = [ReturnLineRequest("MUG", 1, Reason.DAMAGED)]
    # No carrier yet: the RMA stands, the message says why there is no label and what to do.
    first = create_rma_with_label(service, "8106", lines, Resolution.CREDIT, ship_from=WAREHOUSE)
    assert not first.complete and first.label is None
    assert first.message.startswith(
        f"Return {first.created.number} created for order 8106: 1 unit, credit. No return label:"
    )
    assert first.message.endswith("Buy it from the return's detail.")
    assert rma_detail(service, first.created.number).status == "open"

    import_nordpost(system_ctx)
    _swedish_customer(system_ctx, "8106")
    # The station's bound label printer (a raw ZPL printer) takes it.
    printer = PrinterBinding("tcp://127.0.0.1:9", "zpl")
    bound = replace(service, bindings=StationBindings(label_printer=printer))
    second = create_rma_with_label(bound, "8106", lines, Resolution.REFUND, ship_from=WAREHOUSE)
    assert second.complete and second.label is not None
    assert second.message.endswith(
        f"Return label {second.label.tracking} sent to the label printer."
    )
