"""The EasyPost adapter against a local server answering as the public API docs show."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.carriers.conftest import SHIP_FROM, package, request_for
from tests.carriers.easypost_server import FORM_PDF, LABEL_PDF, EasyPostServer
from wms_desk.carriers.base import (
    CarrierError,
    CarrierRejected,
    CarrierUnavailable,
    LabelFormat,
    NotSupported,
    ShipmentRequest,
)
from wms_desk.carriers.easypost import EasyPostCarrier, EasyPostConfig
from wms_desk.carriers.secrets import ApiKeyMissing, ApiKeySource
from wms_desk.printing.model import Address

ENV = "WMS_DESK_TEST_EASYPOST_KEY"
SF = Address("Dana Whitfield", lines=("388 Townsend St", "Apt 20"), city="San Francisco",
             region="CA", postal_code="94107", country="US")  # fmt: skip
BOX = package(900, 400, 300, 100, "PKG-1")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EasyPostServer]:
    monkeypatch.setenv(ENV, "EZTK_test_key")
    s = EasyPostServer("EZTK_test_key")
    yield s
    s.close()


def adapter(server: EasyPostServer, key: ApiKeySource | None = None) -> EasyPostCarrier:
    carrier = EasyPostCarrier(
        EasyPostConfig(
            api_key=key or ApiKeySource(ENV, label="EasyPost"),
            base_url=server.base_url,
            timeout_s=0.5,
            retries=2,
            backoff_s=0.0,
        )
    )
    server.clients.append(carrier)
    return carrier


def us_request(fmt: LabelFormat = LabelFormat.PDF, to: Address = SF) -> ShipmentRequest:
    return replace(request_for(BOX, to=to, fmt=fmt), ship_from=SHIP_FROM, currency="USD")


def test_rates_come_from_the_created_shipment_cheapest_first(server: EasyPostServer) -> None:
    quotes = adapter(server).rate(us_request())
    assert [(q.service, q.amount, q.transit_days) for q in quotes] == [
        ("USPS GroundAdvantage", Decimal("6.07"), 3),
        ("USPS Priority", Decimal("8.24"), 2),
    ]
    assert quotes[1].delivery_date == date(2026, 12, 3)
    [shipment] = server.shipments.values()
    assert {q.shipment_ref for q in quotes} == {shipment["id"]}
    assert quotes[0].rate_ref == "rate_ground"
    # Sent as EasyPost wants it: ounces and inches, rounded up; our order as the reference.
    assert shipment["parcel"]["weight"] == 31.8  # 900 g / 28.3495 = 31.75 oz
    assert (shipment["parcel"]["length"], shipment["parcel"]["height"]) == (15.8, 4.0)
    assert shipment["reference"] == "PKG-1"
    assert shipment["to_address"]["street2"] == "Apt 20"
    assert shipment["to_address"]["residential"] is True


def test_buy_downloads_the_label_byte_exact_without_sending_the_key(
    server: EasyPostServer,
) -> None:
    ep = adapter(server)
    quote = ep.rate(us_request())[0]
    purchase = ep.buy(us_request(), quote)
    [label] = purchase.labels
    assert label.data == LABEL_PDF and label.format is LabelFormat.PDF
    assert label.tracking_number == server.shipments[quote.shipment_ref]["tracking_code"]
    tracker = server.shipments[quote.shipment_ref]["tracker"]
    assert label.tracking_url == tracker["public_url"]  # the shipment e-mail's link
    assert (purchase.amount, purchase.service, purchase.shipment_ref) == (
        Decimal("6.07"), "USPS GroundAdvantage", quote.shipment_ref,
    )  # fmt: skip
    assert server.labels_bought[quote.shipment_ref] == 1
    assert server.file_auth_headers == [None]


def test_zpl_labels(server: EasyPostServer) -> None:
    ep = adapter(server)
    request = us_request(LabelFormat.ZPL)
    purchase = ep.buy(request, ep.rate(request)[0])
    assert purchase.labels[0].data.startswith(b"^XA")
    assert purchase.labels[0].tracking_number.encode() in purchase.labels[0].data


def test_a_buy_whose_answer_times_out_is_not_bought_again(server: EasyPostServer) -> None:
    ep = adapter(server)
    quote = ep.rate(us_request())[0]
    server.stall_buys = 1  # EasyPost buys, but its answer never arrives in time
    purchase = ep.buy(us_request(), quote)
    assert server.count("POST", "/buy") == 1  # looked at the shipment instead of buying again
    assert server.labels_bought == {quote.shipment_ref: 1}
    assert (
        purchase.labels[0].tracking_number
        == (server.shipments[quote.shipment_ref]["tracking_code"])
    )


def test_a_buy_lost_before_it_happened_is_tried_again_once(server: EasyPostServer) -> None:
    ep = adapter(server)
    quote = ep.rate(us_request())[0]
    server.drop_buys = 1  # the connection drops before EasyPost buys anything
    purchase = ep.buy(us_request(), quote)
    assert server.count("POST", "/buy") == 2
    assert server.labels_bought == {quote.shipment_ref: 1}
    assert purchase.labels[0].data == LABEL_PDF


def test_buying_again_after_a_crash_returns_the_same_label(server: EasyPostServer) -> None:
    ep = adapter(server)
    quote = ep.rate(us_request())[0]
    first = ep.buy(us_request(), quote)
    again = ep.buy(us_request(), quote)  # EasyPost answers 422 SHIPMENT.POSTAGE.EXISTS
    assert again.master_tracking == first.master_tracking
    assert server.labels_bought == {quote.shipment_ref: 1}


def test_a_4xx_shows_easyposts_own_message(server: EasyPostServer) -> None:
    no_street = replace(SF, lines=())
    with pytest.raises(CarrierRejected) as caught:
        adapter(server).rate(us_request(to=no_street))
    assert str(caught.value) == (
        "EasyPost refused it: Address not found (street1: House number is missing)"
    )
    assert (caught.value.code, caught.value.status) == ("ADDRESS.VERIFY.FAILURE", 422)


def test_a_refused_buy_names_the_order_and_easyposts_reason(server: EasyPostServer) -> None:
    ep = adapter(server)
    quote = replace(ep.rate(us_request())[0], rate_ref="rate_gone")
    with pytest.raises(CarrierRejected, match=r"Order 100234: EasyPost refused it: Rate rate_gone"):
        ep.buy(us_request(), quote)
    assert server.labels_bought == {}


def test_5xx_is_retried_and_no_answer_at_all_says_so(server: EasyPostServer) -> None:
    server.fail_creates = [503]
    assert adapter(server).rate(us_request())
    assert server.count("POST", "/v2/shipments") == 2
    server.stall_creates = 3
    with pytest.raises(CarrierUnavailable, match="did not answer the rate request after 3 tries"):
        adapter(server).rate(us_request())


def test_void_is_a_refund_and_a_refusal_is_explained(server: EasyPostServer) -> None:
    ep = adapter(server)
    quote = ep.rate(us_request())[0]
    purchase = ep.buy(us_request(), quote)
    result = ep.void(purchase)
    assert (result.accepted, result.status) == (True, "submitted")
    server.refuse_refunds = True
    assert ep.void(purchase).accepted  # asked again: the shipment already says submitted
    other = ep.buy(us_request(), ep.rate(us_request())[0])
    with pytest.raises(CarrierRejected, match="scanned by the carrier"):
        ep.void(other)


def test_scan_form_lists_the_labels_and_brings_the_form(server: EasyPostServer) -> None:
    ep = adapter(server)
    purchases = [ep.buy(us_request(), ep.rate(us_request())[0]) for _ in range(2)]
    manifest = ep.manifest(purchases, date(2026, 12, 1))
    assert manifest.manifest_ref.startswith("sf_")
    assert manifest.tracking_numbers == tuple(p.master_tracking for p in purchases)
    assert manifest.document == FORM_PDF


def test_one_package_per_shipment(server: EasyPostServer) -> None:
    with pytest.raises(NotSupported, match="rate each of the 2 packages on its own"):
        adapter(server).rate(replace(us_request(), packages=(BOX, BOX)))
    assert not adapter(server).capabilities().multi_piece


def test_the_api_key_comes_from_the_environment_or_a_private_file(
    server: EasyPostServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV)
    with pytest.raises(ApiKeyMissing, match=f"Set the environment variable {ENV}"):
        adapter(server).rate(us_request())
    key_file = tmp_path / "easypost.key"
    key_file.write_text("EZTK_test_key\n", encoding="utf-8")
    source = ApiKeySource(ENV, key_file, "EasyPost")
    if os.name == "posix":
        key_file.chmod(0o644)
        with pytest.raises(ApiKeyMissing, match=r"can be read by other users\. Run 'chmod 600"):
            adapter(server, source).rate(us_request())
        key_file.chmod(0o600)
    assert adapter(server, source).rate(us_request())
    key_file.write_text("EZTK_revoked\n", encoding="utf-8")
    with pytest.raises(CarrierRejected, match="api key is no longer active"):
        adapter(server, source).rate(us_request())


def test_odd_answers_are_errors_that_say_so_not_crashes(server: EasyPostServer) -> None:
    ep = adapter(server)
    server.half_answers = True
    with pytest.raises(CarrierError, match="shape this version does not understand"):
        ep.rate(us_request())
    server.half_answers = False
    quote = ep.rate(us_request())[0]
    server.broken_files = True
    with pytest.raises(CarrierError, match=r"label for shipment shp_\w+ \(tracking \d+\) is not"):
        ep.buy(us_request(), quote)
    server.broken_files = False
    assert ep.buy(us_request(), quote).labels[0].data == LABEL_PDF  # bought once, fetched now
    assert server.labels_bought == {quote.shipment_ref: 1}
