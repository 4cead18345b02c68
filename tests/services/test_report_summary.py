"""The end-of-day summary: through the outbox to a real SMTP server on 127.0.0.1, the day's
figures in the body and the throughput PDF attached; once per day and address."""

from __future__ import annotations

from datetime import date

import pypdfium2
import pytest

from tests.services.reportdata import seed_history
from tests.services.smtp_server import smtp_server, use_server
from wms_desk.cli.main import main
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import smtp
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import OutboxKind, OutboxStatus
from wms_desk.services.report_summary import queue_end_of_day_summary

DAY = date(2026, 3, 2)  # O1 and O2 packed by anna at PACK-1; O1 shipped


def test_the_summary_reaches_the_supervisor_once(system_ctx: ServiceContext) -> None:
    seed_history(system_ctx.database)
    with smtp_server() as server:
        use_server(system_ctx, server)
        first = queue_end_of_day_summary(system_ctx, DAY, "floor@example.com")
        assert first.queued and "queued to floor@example.com" in first.message
        again = queue_end_of_day_summary(system_ctx, DAY, "floor@example.com")
        assert not again.queued and "queued before" in again.message
        worker = outbox.OutboxWorker(
            system_ctx.database, deliveries={OutboxKind.EMAIL: smtp.SmtpDelivery.from_context}
        )
        (done,) = worker.drain()
        assert done.status is OutboxStatus.SENT
        (received,) = server.received
    assert received.recipients == ["floor@example.com"]
    message = received.message
    assert message["Subject"].startswith("End-of-day summary 2026-03-02")
    body = message.get_body(("plain",)).get_content()
    assert "Orders packed: 2" in body  # O1 and O2
    assert "Units packed: 4" in body
    assert "Orders shipped: 1" in body  # O1
    assert "Wrong scans at packing: 2" in body  # anna's two on O1
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == "throughput-2026-03-02.pdf"
    document = pypdfium2.PdfDocument(pdf.get_content())
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Orders packed per hour" in text and "anna" in text


def test_no_smtp_or_a_bad_address_is_named(system_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationFailed, match="E-mail is not set up"):
        queue_end_of_day_summary(system_ctx, DAY, "floor@example.com")
    with pytest.raises(ValidationFailed, match="'floor' is not an e-mail address"):
        queue_end_of_day_summary(system_ctx, DAY, "floor")


def test_the_cli_queues_it(system_ctx: ServiceContext, db_url: str, capsys) -> None:
    with smtp_server() as server:
        use_server(system_ctx, server)
        code = main(["--db", db_url, "--station", "cli-test", "summary-email",
                     "--to", "floor@example.com", "--day", "2026-03-02"])  # fmt: skip
        out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "summary for 2026-03-02 is queued to floor@example.com" in out
    code = main(["--db", db_url, "summary-email", "--to", "floor@example.com", "--day", "03/02"])
    assert code == 2 and "is not a date" in capsys.readouterr().err
