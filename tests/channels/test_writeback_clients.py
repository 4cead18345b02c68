"""Shopify, WooCommerce and export-file write-back against local servers and a real folder."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.channels.shop_servers import ShopifyShop, WooShop
from tests.printing.servers import closed_port
from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.channels.export_file import COLUMNS, ExportFileWriteback
from wms_desk.channels.shopify_api import ShopifyConfig, ShopifyWriteback, error_text
from wms_desk.channels.woocommerce_api import WooConfig, WooWriteback, meta_key
from wms_desk.channels.writeback import (
    FulfilmentRequest,
    LineQty,
    WritebackRejected,
    WritebackUnavailable,
)

SHIPPED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def request(order_id: int, tracking: str = "1ZTEST0001", shipment_id: int = 7, **kw: object):
    fields: dict[str, object] = {
        "order_external_id": str(order_id), "order_number": "#1001", "shipment_id": shipment_id,
        "carrier": "UPS", "service": "Standard", "tracking_numbers": (tracking,),
        "shipped_at": SHIPPED, **kw,
    }  # fmt: skip
    return FulfilmentRequest(**fields)  # type: ignore[arg-type]


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


def shopify_client(shop: ShopifyShop, timeout_s: float = 5.0, env: str = "TEST_SHOPIFY_TOKEN"):
    config = ShopifyConfig(shop.url, ApiKeySource(env, label="Shopify"), timeout_s=timeout_s)
    return ShopifyWriteback(config)


def woo_client(shop: WooShop, timeout_s: float = 5.0) -> WooWriteback:
    return WooWriteback(WooConfig(shop.url, ApiKeySource("TEST_WOO_SECRET"), timeout_s))


def test_shopify_creates_one_fulfilment_with_tracking_and_no_customer_mail(shopify):
    client = shopify_client(shopify)
    result = client.fulfil(request(shopify.order_id))
    assert result.created
    (made,) = shopify.live_fulfilments()
    assert str(made["id"]) == result.reference
    assert made["tracking_numbers"] == ["1ZTEST0001"] and made["tracking_company"] == "UPS"
    post = next(b for m, p, b in shopify.requests if m == "POST")
    assert post["fulfillment"]["notify_customer"] is False
    # Asked again (a retry): it finds its fulfilment and creates nothing.
    again = client.fulfil(request(shopify.order_id))
    assert (again.created, again.reference) == (False, result.reference)
    assert shopify.count("POST", r"/fulfillments\.json$") == 1
    client.close()


def test_shopify_ships_only_the_lines_of_this_shipment(shopify):
    client = shopify_client(shopify)
    first = request(shopify.order_id, lines=(LineQty("466157049", 1),))
    client.fulfil(first)
    fo = shopify.fulfillment_orders[shopify.order_id][0]
    assert [i["fulfillable_quantity"] for i in fo["line_items"]] == [0, 1, 1]
    # Lines Shopify does not list as open are refused, not replaced by "everything left".
    with pytest.raises(WritebackRejected, match="none of the lines in this shipment"):
        client.fulfil(request(shopify.order_id, "1ZTEST0002", 8, lines=(LineQty("466157049", 1),)))
    client.fulfil(request(shopify.order_id, "1ZTEST0002", 8))  # the rest, no line ids
    assert fo["status"] == "closed" and len(shopify.live_fulfilments()) == 2
    # Nothing left to fulfil: a clear, permanent refusal naming the order.
    with pytest.raises(WritebackRejected, match="nothing left to fulfil on order #1001"):
        client.fulfil(request(shopify.order_id, "1ZTEST0003", 9))
    client.close()


def test_shopify_timeout_after_create_finds_it_instead_of_a_second(shopify):
    shopify.stall_writes, shopify.stall_s = 1, 2.0
    client = shopify_client(shopify, timeout_s=0.5)
    result = client.fulfil(request(shopify.order_id))
    assert not result.created  # found by looking after the timeout
    assert len(shopify.live_fulfilments()) == 1
    assert shopify.count("POST", r"/fulfillments\.json$") == 1
    assert str(shopify.live_fulfilments()[0]["id"]) == result.reference
    client.close()


def test_shopify_429_waits_out_retry_after(shopify):
    shopify.rate_limited = 2
    client = shopify_client(shopify)
    assert client.fulfil(request(shopify.order_id)).created
    assert len(shopify.live_fulfilments()) == 1
    client.close()


def test_shopify_errors_are_readable_and_classified(shopify, monkeypatch):
    monkeypatch.setenv("WRONG_TOKEN", "shpat_wrong")
    with pytest.raises(WritebackRejected, match=r"401.*Invalid API key") as info:
        shopify_client(shopify, env="WRONG_TOKEN").fulfil(request(shopify.order_id))
    assert info.value.status == 401
    with pytest.raises(WritebackRejected, match=r"404.*Not Found"):
        shopify_client(shopify).fulfil(request(999))
    shopify.fail_next = [(422, {"errors": {"base": ["Tracking number is invalid"]}})]
    with pytest.raises(WritebackRejected, match=r"Order #1001.*422.*Tracking number is invalid"):
        shopify_client(shopify).fulfil(request(shopify.order_id))
    shopify.fail_next = [(503, {"errors": "Service Unavailable"})]
    with pytest.raises(WritebackUnavailable, match="server error"):
        shopify_client(shopify).fulfil(request(shopify.order_id))
    assert shopify.live_fulfilments() == []


def test_a_shop_that_is_not_there_is_temporary(monkeypatch):
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", ShopifyShop.TOKEN)
    config = ShopifyConfig(f"http://127.0.0.1:{closed_port()}", ApiKeySource("TEST_SHOPIFY_TOKEN"))
    with pytest.raises(WritebackUnavailable, match="could not be reached"):
        ShopifyWriteback(config).fulfil(request(1))


def test_shopify_error_shapes():
    assert error_text({"errors": "Not Found"}) == "Not Found"
    assert error_text({"errors": ["a", "b"]}) == "a; b"
    assert error_text({"errors": {"base": ["x"], "line_items": ["y"]}}) == "x; line_items: y"
    assert error_text({"error": "Not Acceptable"}) == "Not Acceptable"
    assert error_text("<html>") == ""


def test_shopify_cancel(shopify):
    client = shopify_client(shopify)
    ref = client.fulfil(request(shopify.order_id)).reference
    assert client.cancel(str(shopify.order_id), ref) == "cancelled"
    assert client.cancel(str(shopify.order_id), ref) == "cancelled"  # again: already done
    assert shopify.live_fulfilments() == []


def test_woo_completes_order_with_tracking_meta_once(woo):
    client = woo_client(woo)
    result = client.fulfil(request(woo.order_id))
    order = woo.orders[woo.order_id]
    assert result.created and order["status"] == "completed"
    meta = next(m for m in order["meta_data"] if m["key"] == meta_key(7))
    assert meta["value"]["tracking_numbers"] == ["1ZTEST0001"]
    assert not client.fulfil(request(woo.order_id)).created
    assert woo.count("PUT", r"/orders/727$") == 1


def test_woo_timeout_then_found(woo):
    woo.stall_writes, woo.stall_s = 1, 2.0
    result = woo_client(woo, timeout_s=0.5).fulfil(request(woo.order_id))
    assert not result.created and woo.count("PUT", r"/orders/727$") == 1


def test_woo_refusals(woo, monkeypatch):
    with pytest.raises(WritebackRejected, match=r"404.*Invalid ID\. \[woocommerce_rest_shop"):
        woo_client(woo).fulfil(request(1))
    woo.orders[woo.order_id]["status"] = "cancelled"
    with pytest.raises(WritebackRejected, match="#1001 is cancelled in WooCommerce"):
        woo_client(woo).fulfil(request(woo.order_id))
    monkeypatch.setenv("TEST_WOO_SECRET", "ck_test_4b1d:cs_wrong")
    with pytest.raises(WritebackRejected, match=r"401.*cannot view"):
        woo_client(woo).fulfil(request(woo.order_id))
    woo.rate_limited = 1
    monkeypatch.setenv("TEST_WOO_SECRET", f"{WooShop.KEY}:{WooShop.SECRET}")
    woo.orders[woo.order_id]["status"] = "processing"
    assert woo_client(woo).fulfil(request(woo.order_id)).created  # the 429 was waited out


def test_export_file_one_row_per_shipment(tmp_path: Path):
    target = ExportFileWriteback(tmp_path, "Wholesale CSV")
    assert target.fulfil(request(55, "1ZA 1", 1, tracking_numbers=("1ZA", "1ZB"))).created
    assert not target.fulfil(request(55, "1ZA", 1, tracking_numbers=("1ZA", "1ZB"))).created
    assert target.fulfil(request(56, "1ZC", 2, tracking_numbers=("1ZC",))).created
    with target.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert target.path.name == "Wholesale_CSV-shipments.csv"
    assert tuple(rows[0]) == COLUMNS
    assert [(r["external_id"], r["tracking_numbers"], r["shipment_id"]) for r in rows] == [
        ("55", "1ZA 1ZB", "1"),
        ("56", "1ZC", "2"),
    ]
    assert rows[0]["shipped_at"] == "2026-12-02T09:30:00+00:00"
    with pytest.raises(WritebackUnavailable, match="does not exist or is offline"):
        ExportFileWriteback(tmp_path / "missing", "x").fulfil(request(1))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root writes anywhere: nothing to test then
            with pytest.raises(WritebackRejected, match="Check the folder's permissions"):
                ExportFileWriteback(locked, "x").fulfil(request(1))
    finally:
        locked.chmod(0o700)
