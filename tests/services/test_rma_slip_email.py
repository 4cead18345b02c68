"""The RMA slip e-mailed to the customer: through the outbox to a real SMTP server on
127.0.0.1, the PDF attached and its barcode reading RMA:<number>; refusals say what to do."""

from __future__ import annotations

import pytest

from tests.printing.helpers import decode_pages
from tests.services.smtp_server import smtp_server, use_server
from tests.services.test_rma_support import seed_catalogue, shipped_order
from wms_desk.cli.main import main
from wms_desk.domain.returns import Reason
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import smtp
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import OutboxKind, OutboxStatus
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.slip_email import email_rma_slip


@pytest.fixture
def rma(system_ctx: ServiceContext) -> str:
    seed_catalogue(system_ctx)
    shipped_order(
        system_ctx, "8001", [("MUG", 2, "10.00", "0", "0")], customer="Ada Lovelace",
        ship_email="ada@example.com",
    )  # fmt: skip
    created = create_rma(system_ctx, "8001", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)])
    return created.number


def test_the_slip_reaches_the_customer_once_with_its_barcode(system_ctx, rma) -> None:
    with smtp_server() as server:
        use_server(system_ctx, server)
        sent = email_rma_slip(system_ctx, rma)
        assert sent.message == (
            f"RMA slip {rma} (order 8001) is queued to ada@example.com; the Outbox shows when "
            "it is sent."
        )
        worker = outbox.OutboxWorker(
            system_ctx.database, deliveries={OutboxKind.EMAIL: smtp.SmtpDelivery.from_context}
        )
        (done,) = worker.drain()
        assert done.status is OutboxStatus.SENT
        (received,) = server.received
    assert received.recipients == ["ada@example.com"]
    message = received.message
    assert message["Subject"] == f"Your return {rma} for order 8001"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Hello Ada Lovelace,") and "Nordic Shop" in body
    (pdf,) = [part for part in message.iter_attachments()]
    assert pdf.get_filename() == f"{rma}.pdf"
    assert decode_pages(pdf.get_content()) == [[("Code128", f"RMA:{rma}")]]


def test_no_address_or_no_smtp_is_named(system_ctx, rma) -> None:
    with pytest.raises(ValidationFailed, match="E-mail is not set up"):
        email_rma_slip(system_ctx, rma)
    with smtp_server() as server:
        use_server(system_ctx, server)
        with pytest.raises(ValidationFailed, match=r"\('not-an-address' is not one\); type"):
            email_rma_slip(system_ctx, rma, to="not-an-address")


def test_the_cli_sends_it_to_another_address(system_ctx, rma, db_url, capsys) -> None:
    with smtp_server() as server:
        use_server(system_ctx, server)
        code = main(["--db", db_url, "--station", "cli-test", "rma", "email-slip", rma,
                     "--to", "returns@ada.example"])  # fmt: skip
        out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.strip().startswith(f"RMA slip {rma} (order 8001) is queued to returns@ada.example")
