"""The order-received e-mail: per channel, off by default, queued once per order at intake."""

from __future__ import annotations

import json
from pathlib import Path

from tests.channels.intake import DATA, stocked, write
from tests.services.smtp_server import smtp_server, use_server
from wms_desk.domain.emails import OutgoingEmail
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import smtp, triggers
from wms_desk.services.import_setup import ensure_channel
from wms_desk.services.imports import import_file
from wms_desk.services.outbox import OutboxKind


def _page(tmp_path: Path) -> Path:
    return write(tmp_path, "page.json", (DATA / "shopify_orders.json").read_text("utf-8"))


def test_off_by_default_then_once_per_order_for_a_channel_that_wants_it(
    system_ctx: ServiceContext, tmp_path: Path
) -> None:
    stocked(system_ctx)
    with smtp_server() as server:
        use_server(system_ctx, server)
        channel = ensure_channel(system_ctx, "shop-a", "shopify")
        import_file(system_ctx, _page(tmp_path), channel="shop-a")
        assert outbox.list_messages(system_ctx) == []  # off unless the channel says so

        other = ensure_channel(system_ctx, "shop-b", "shopify")
        said = triggers.set_order_received(system_ctx, other.id, True)
        assert said == "Orders from shop-b now get an order-received e-mail."
        import_file(system_ctx, _page(tmp_path), channel="shop-b")
        queued = outbox.list_messages(system_ctx)
        payloads = [OutgoingEmail.from_json(m.payload) for m in queued]
        data = json.loads((DATA / "shopify_orders.json").read_text("utf-8"))
        expected = {
            o["name"]
            for o in data["orders"]
            if o.get("email")
            and not o.get("cancelled_at")
            and o.get("fulfillment_status") != "fulfilled"
        }
        assert {p.order_number for p in payloads} == expected
        assert all(m.key.startswith("order-received:") for m in queued)
        import_file(system_ctx, _page(tmp_path), channel="shop-b")  # the same page again
        assert len(outbox.list_messages(system_ctx)) == len(queued)
        assert channel.id != other.id

        worker = outbox.OutboxWorker(
            system_ctx.database, deliveries={OutboxKind.EMAIL: smtp.SmtpDelivery.from_context}
        )
        assert len(worker.drain()) == len(queued)
    assert len(server.received) == len(queued)
    # An international address: the domain in IDNA form, the local part through SMTPUTF8.
    assert ["zoë.müller@xn--exmple-cua.de"] in [r.recipients for r in server.received]
    subjects = sorted(str(r.message["Subject"]) for r in server.received)
    assert subjects == sorted(f"We have received your order {n}" for n in expected)
    body = server.received[0].message.get_content()
    assert "You will get another e-mail with the tracking number" in body
