"""Buying labels writes the shipment back to its channel, once, through the outbox (both backends).

Real parts: the local Shopify and WooCommerce servers (tests/channels/shop_servers.py), the
outbox worker, the label purchase, an export folder.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.channels.shop_servers import ShopifyShop, WooShop
from tests.services.shipdata import import_nordpost
from wms_desk.db.models import Channel, Order, OrderLine, Package, PackageItem
from wms_desk.services import alerts, outbox
from wms_desk.services.channel_targets import set_writeback
from wms_desk.services.channel_writeback import ChannelFulfilmentDelivery, FulfilmentPayload
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import OutboxKind, OutboxStatus, OutboxWorker
from wms_desk.services.shipping import labels, voids

KIND = OutboxKind.CHANNEL_FULFILMENT


@pytest.fixture
def shopify(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShopifyShop]:
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", ShopifyShop.TOKEN)
    shop = ShopifyShop()
    yield shop
    shop.close()


@pytest.fixture
def woo(monkeypatch: pytest.MonkeyPatch) -> Iterator[WooShop]:
    monkeypatch.setenv("TEST_WOO_SECRET", f"{WooShop.KEY}:{WooShop.SECRET}")
    shop = WooShop()
    yield shop
    shop.close()


@pytest.fixture
def printer(tmp_path: Path) -> str:
    return (tmp_path / "labels").as_uri()


def worker(database, timeout_s: float = 5.0) -> OutboxWorker:
    def factory(ctx):
        return ChannelFulfilmentDelivery(ctx, timeout_s=timeout_s)

    # No backoff: a failed message is due again at once, so the test drives every attempt.
    return OutboxWorker(database, deliveries={KIND: factory}, backoff_base=0.0)


def shop_order(database, channel: str, kind: str, external_id: str, number: str,
               lines: tuple[tuple[str, int], ...]) -> int:  # fmt: skip
    """A packed order of the shop's own ids: one package holding every line."""
    with database.write_session() as session, session.begin():
        row = session.scalar(select(Channel).where(Channel.name == channel))
        if row is None:
            row = Channel(name=channel, kind=kind)
            session.add(row)
            session.flush()
        order = Order(
            channel_id=row.id, external_id=external_id, number=number, status="packed",
            customer_name="Bob Norman", ship_name="Bob Norman", ship_street1="Storgatan 1",
            ship_city="Kista", ship_postal_code="164 40", ship_country="SE", currency="EUR",
            subtotal=Decimal("40.00"),
        )  # fmt: skip
        for no, (line_id, qty) in enumerate(lines, 1):
            order.lines.append(
                OrderLine(
                    line_no=no, external_line_id=line_id, sku=f"SKU-{no}", name="Thing", qty=qty
                )
            )
        package = Package(seq=1, weight_g=Decimal(900))
        order.packages.append(package)
        session.add(order)
        session.flush()
        for line in order.lines:
            session.add(PackageItem(package_id=package.id, order_line_id=line.id, qty=line.qty))
        return order.id


SHOPIFY_LINES = (("466157049", 1), ("518995019", 1), ("703073504", 1))


TRACK = "https://tracking.nordpost.example/?id={tracking}"  # the documented card's page


def shopify_setup(system_ctx, database, shop: ShopifyShop) -> int:
    import_nordpost(system_ctx)
    order_id = shop_order(database, "My Shopify", "shopify", str(shop.order_id), "#1001",
                          SHOPIFY_LINES)  # fmt: skip
    set_writeback(system_ctx, "My Shopify", url=shop.url, token_env="TEST_SHOPIFY_TOKEN")
    return order_id


def messages(system_ctx, status: OutboxStatus | None = None):
    return outbox.list_messages(system_ctx, status=status, kind=KIND)


def test_labels_enqueue_one_fulfilment_and_a_timeout_never_makes_a_second(
    make_ctx, system_ctx, database, shopify, printer
) -> None:
    order_id = shopify_setup(system_ctx, database, shopify)
    result = labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    (queued,) = messages(system_ctx)
    assert queued.status is OutboxStatus.QUEUED and queued.order_id == order_id
    assert queued.key.startswith("fulfilment:")
    payload = FulfilmentPayload.from_json(queued.payload)
    assert payload.tracking_numbers == (result.labels[0].tracking,)
    assert (
        payload.lines == tuple(sorted(SHOPIFY_LINES)) and payload.order_external_id == "450789469"
    )
    # The shop is slow: it creates the fulfilment only after our client gave up waiting.
    shopify.late_writes, shopify.stall_s = 1, 1.5
    first = worker(database, timeout_s=0.4).run_once()
    assert first is not None and first.status is OutboxStatus.FAILED
    assert "did not answer POST /fulfillments.json in time" in first.last_error
    assert shopify.done_late.wait(5)
    second = worker(database).run_once()  # looks first: finds the late one, creates nothing
    assert second is not None and second.status is OutboxStatus.SENT
    (made,) = shopify.live_fulfilments()
    assert second.reference == str(made["id"])
    assert made["tracking_numbers"] == [result.labels[0].tracking]
    assert made["tracking_company"] == "Nordpost" and made["notify_customer"] is False
    assert made["tracking_url"] == TRACK.format(tracking=result.labels[0].tracking)
    assert shopify.count("POST", r"/fulfillments\.json$") == 1
    assert worker(database).run_once() is None  # sent is sent


def test_a_4xx_is_dead_with_the_shops_words_and_a_fixed_token_retries(
    make_ctx, system_ctx, database, shopify, printer, monkeypatch
) -> None:
    order_id = shopify_setup(system_ctx, database, shopify)
    labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", "shpat_revoked")
    dead = worker(database).run_once()
    assert dead is not None and dead.status is OutboxStatus.DEAD
    assert "401" in dead.last_error and "Invalid API key or access token" in dead.last_error
    assert [m.id for m in messages(system_ctx, OutboxStatus.DEAD)] == [dead.id]
    (alert,) = alerts.list_alerts(system_ctx)  # the supervisors' alert banner shows it too
    assert (alert.kind, alert.order_number) == ("channel.writeback", "#1001")
    assert "Order #1001 (My Shopify)" in alert.message and "401" in alert.message
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", ShopifyShop.TOKEN)
    outbox.retry(make_ctx("supervisor"), dead.id)
    sent = worker(database).run_once()
    assert sent is not None and sent.status is OutboxStatus.SENT
    assert len(shopify.live_fulfilments()) == 1


def test_429_is_waited_out_or_retried_by_the_outbox(
    make_ctx, system_ctx, database, shopify, printer
) -> None:
    order_id = shopify_setup(system_ctx, database, shopify)
    labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    shopify.rate_limited = 5  # more than one delivery's patience (3 tries)
    first = worker(database).run_once()
    assert first is not None and first.status is OutboxStatus.FAILED
    assert "429" in first.last_error
    second = worker(database).run_once()
    assert second is not None and second.status is OutboxStatus.SENT
    assert len(shopify.live_fulfilments()) == 1


def test_void_cancels_the_shopify_fulfilment(make_ctx, system_ctx, database, shopify, printer):
    order_id = shopify_setup(system_ctx, database, shopify)
    packer = make_ctx("packer")
    result = labels.ship_order(packer, order_id, printer_url=printer)
    worker(database).drain()
    assert len(shopify.live_fulfilments()) == 1
    voids.void_label(packer, result.labels[0].tracking, "wrong box")
    done = worker(database).drain()
    assert [m.key.split(":")[0] for m in done] == ["fulfilment-cancel"]
    assert done[0].status is OutboxStatus.SENT and done[0].reference.endswith("cancelled")
    assert shopify.live_fulfilments() == []


def test_woocommerce_completes_the_order_once(make_ctx, system_ctx, database, woo, printer):
    import_nordpost(system_ctx)
    order_id = shop_order(database, "Woo", "woocommerce", "727", "727", (("315", 2), ("316", 1)))
    set_writeback(system_ctx, "Woo", url=woo.url, token_env="TEST_WOO_SECRET")
    labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    woo.stall_writes, woo.stall_s = 1, 1.5  # done, answered too late
    sent = worker(database, timeout_s=0.4).run_once()
    assert sent is not None and sent.status is OutboxStatus.SENT and sent.reference == "727"
    assert woo.orders[727]["status"] == "completed" and woo.count("PUT", r"/orders/727$") == 1


def test_woocommerce_refusal_is_dead(make_ctx, system_ctx, database, woo, printer):
    import_nordpost(system_ctx)
    order_id = shop_order(database, "Woo", "woocommerce", "999", "999", (("1", 1),))
    set_writeback(system_ctx, "Woo", url=woo.url, token_env="TEST_WOO_SECRET")
    labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    dead = worker(database).run_once()
    assert dead is not None and dead.status is OutboxStatus.DEAD
    assert "Order 999" in dead.last_error and "Invalid ID." in dead.last_error


def test_csv_channel_export_file(make_ctx, system_ctx, database, printer, tmp_path):
    import_nordpost(system_ctx)
    folder = tmp_path / "exports"
    folder.mkdir()
    ids = [shop_order(database, "Wholesale", "csv", f"W-{n}", f"W-{n}", (("", 1),)) for n in (1, 2)]
    set_writeback(system_ctx, "Wholesale", export_folder=str(folder))
    for order_id in ids:
        labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    sent = worker(database).drain()
    assert [m.status for m in sent] == [OutboxStatus.SENT, OutboxStatus.SENT]
    # The same message delivered again (a crash before "sent" was recorded): no second row.
    again = outbox.get_message(system_ctx, sent[0].id)
    message = outbox.OutboxMessage(again.id, KIND, again.key, again.payload, again.order_id, 2,
                                   again.created_at)  # fmt: skip
    ChannelFulfilmentDelivery(system_ctx).deliver(message)
    with (folder / "Wholesale-shipments.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["order_number"] for r in rows) == ["W-1", "W-2"]
    assert all(r["carrier"] and r["tracking_numbers"] and r["service"] for r in rows)


def test_no_target_no_message_and_bad_settings_refused(
    make_ctx, system_ctx, database, printer, shopify, tmp_path
) -> None:
    import_nordpost(system_ctx)
    order_id = shop_order(database, "Plain", "csv", "P-1", "P-1", (("", 1),))
    labels.ship_order(make_ctx("packer"), order_id, printer_url=printer)
    assert messages(system_ctx) == []
    with pytest.raises(ValidationFailed, match="has no shop API"):
        set_writeback(system_ctx, "Plain", url="https://x.example")
    with pytest.raises(ValidationFailed, match="does not exist"):
        set_writeback(system_ctx, "Plain", export_folder=str(tmp_path / "nope"))
    shop_order(database, "S", "shopify", "1", "1", (("", 1),))
    with pytest.raises(ValidationFailed, match="Use https://"):
        set_writeback(system_ctx, "S", url="http://shop.example.com")
    secret = tmp_path / "token"
    secret.write_text("shpat_x\n")
    secret.chmod(0o644)
    with pytest.raises(ValidationFailed, match="chmod 600"):
        set_writeback(system_ctx, "S", url="https://s.myshopify.com", token_file=str(secret))
    secret.chmod(0o600)
    info = set_writeback(system_ctx, "S", url="https://s.myshopify.com", token_file=str(secret))
    assert info is not None and info.secret_env == "WMS_DESK_CHANNEL_S_TOKEN"
    with database.read_session() as session:
        stored = session.scalar(select(Channel).where(Channel.name == "S")).settings
    assert "shpat_x" not in json.dumps(stored)  # the token never enters the database
    assert stored["writeback"]["secret_file"] == str(secret)


def test_a_cancel_waits_for_a_fulfilment_in_flight(
    make_ctx, system_ctx, database, shopify, printer
):
    from wms_desk.db.models import OutboxMessage as OutboxRow
    from wms_desk.services.uow import run_unit_of_work

    order_id = shopify_setup(system_ctx, database, shopify)
    packer = make_ctx("packer")
    result = labels.ship_order(packer, order_id, printer_url=printer)
    (fulfil,) = messages(system_ctx)

    def status(value: str):
        return lambda uow: setattr(uow.session.get(OutboxRow, fulfil.id), "status", value)

    run_unit_of_work(system_ctx, status("sending"))  # another station is sending it now
    voids.void_label(packer, result.labels[0].tracking, "wrong box")
    waiting = worker(database).run_once()
    assert waiting is not None and waiting.key.startswith("fulfilment-cancel:")
    assert waiting.status is OutboxStatus.FAILED and "being sent right now" in waiting.last_error
    run_unit_of_work(system_ctx, status("queued"))  # that station died before it got through
    outcomes = {m.key.split(":")[0]: m for m in worker(database).drain()}
    assert outcomes["fulfilment"].reference == "not sent: the label was voided first"
    assert outcomes["fulfilment-cancel"].reference.startswith("nothing to cancel")
    assert shopify.live_fulfilments() == [] and shopify.count("POST", "fulfillments") == 0


def test_woocommerce_void_marks_the_shipment_entry_void(
    make_ctx, system_ctx, database, woo, printer
):
    import_nordpost(system_ctx)
    order_id = shop_order(database, "Woo", "woocommerce", "727", "727", (("315", 2), ("316", 1)))
    set_writeback(system_ctx, "Woo", url=woo.url, token_env="TEST_WOO_SECRET")
    packer = make_ctx("packer")
    result = labels.ship_order(packer, order_id, printer_url=printer)
    worker(database).drain()
    voids.void_label(packer, result.labels[0].tracking, "wrong box")
    (voided,) = worker(database).drain()
    assert (
        voided.status is OutboxStatus.SENT and voided.reference == "order 727: tracking marked void"
    )
    order = woo.orders[727]
    (entry,) = [m for m in order["meta_data"] if m["key"].startswith("_wms_desk_shipment_")]
    assert entry["value"]["voided"] is True and entry["value"]["tracking_numbers"] == [
        result.labels[0].tracking
    ]
    assert order["status"] == "completed"  # no "uncomplete" in the REST API
