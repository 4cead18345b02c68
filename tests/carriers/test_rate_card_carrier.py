"""The offline rate-card carrier on the documented card: quotes, labels, numbers, void, manifest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.carriers.conftest import package as pkg
from tests.carriers.conftest import request_for
from tests.printing.helpers import check_zpl, decode_pages, page_texts, run_together
from wms_desk.carriers.base import CarrierRejected, LabelFormat, NotSupported, Purchase
from wms_desk.carriers.rate_card import MemorySerialSource, RateCardCarrier
from wms_desk.carriers.rate_card_file import rate_table
from wms_desk.domain.rates import RateCard
from wms_desk.domain.tracking_numbers import TrackingRange
from wms_desk.printing.model import Address

SMALL = pkg(900, 400, 300, 100)  # dimensional 2.4 kg


def carrier(card: RateCard) -> RateCardCarrier:
    return RateCardCarrier(card, MemorySerialSource())


def test_the_documented_example_costs_what_the_docs_say(card: RateCard) -> None:
    [quote] = carrier(card).rate(request_for(SMALL, service="STD"))
    assert (quote.amount, quote.currency, quote.transit_days) == (Decimal("12.38"), "EUR", 3)
    assert dict(quote.detail) == {
        "base": Decimal("8.50"), "residential": Decimal("2.50"), "fuel": Decimal("1.38"),
    }  # fmt: skip
    assert quote.delivery_date == date(2026, 12, 4)


def test_all_services_cheapest_first(card: RateCard) -> None:
    quotes = carrier(card).rate(request_for(SMALL))
    # Express: 18.00 + 2.50 residential, fuel 12.5 % of 20.50 = 2.5625 -> 2.56: 23.06.
    assert [(q.service, q.amount) for q in quotes] == [
        ("STD", Decimal("12.38")), ("EXP", Decimal("23.06")),
    ]  # fmt: skip


def test_a_destination_the_card_does_not_serve_is_refused_naming_the_order(
    card: RateCard,
) -> None:
    copenhagen = Address("Ole Hansen", lines=("Vesterbrogade 1",), postal_code="1620",
                         city="Copenhagen", country="DK")  # fmt: skip
    with pytest.raises(CarrierRejected, match=r"Order 100234: .*does not deliver to DK 1620"):
        carrier(card).rate(request_for(SMALL, to=copenhagen))


def test_pdf_label_carries_carrier_service_routing_and_a_valid_tracking_barcode(
    card: RateCard,
) -> None:
    c = carrier(card)
    [quote] = c.rate(request_for(SMALL, service="STD"))
    purchase = c.buy(request_for(SMALL, service="STD"), quote)
    [label] = purchase.labels
    assert label.tracking_number == "RR100000003SE"  # serial 10000000: 11 - 8 = 3
    assert card.tracking is not None and card.tracking.validate(label.tracking_number)
    assert ("Code128", "RR100000003SE") in decode_pages(label.data)[0]
    text = page_texts(label.data)[0]
    for expected in ("Nordpost Standard", "STO", "PKG 1 of 1", "TRACKING # RR100000003SE"):
        assert expected in text
    assert "PROVISIONAL" not in text
    assert (purchase.amount, purchase.master_tracking) == (Decimal("12.38"), "RR100000003SE")


def test_multi_piece_zpl_labels_get_consecutive_numbers_and_one_master(card: RateCard) -> None:
    c = carrier(card)
    request = request_for(SMALL, pkg(3000, 200, 200, 200), service="STD", fmt=LabelFormat.ZPL)
    purchase = c.buy(request, c.rate(request)[0])
    numbers = [label.tracking_number for label in purchase.labels]
    assert numbers == [card.tracking.format(10000000), card.tracking.format(10000001)]  # type: ignore[union-attr]
    assert {label.master_tracking for label in purchase.labels} == {numbers[0]}
    for seq, label in enumerate(purchase.labels, 1):
        text = check_zpl(label.data)
        assert label.format is LabelFormat.ZPL
        assert label.tracking_number in text and f"PKG {seq} of 2" in text and "STO" in text


def test_concurrent_stations_sharing_one_counter_never_get_the_same_number(
    card: RateCard,
) -> None:
    # The real counter is a database row (services); this checks the carrier takes a serial
    # exactly once per label from whatever source it is given.
    c = carrier(card)
    request = request_for(SMALL, service="STD", fmt=LabelFormat.ZPL)
    quote = c.rate(request)[0]
    bought: list[Purchase] = []
    run_together(lambda _: bought.append(c.buy(request, quote)), list(range(16)))
    numbers = [p.master_tracking for p in bought]
    assert len(set(numbers)) == 16
    assert all(card.tracking.validate(n) for n in numbers)  # type: ignore[union-attr]


def test_a_used_up_range_is_refused_with_what_to_do(card: RateCard) -> None:
    small_range = TrackingRange("RR", 10000000, 10000001, card.tracking.rule, "SE", 8)  # type: ignore[union-attr]
    c = carrier(replace(card, tracking=small_range))
    request = request_for(SMALL, SMALL, SMALL, service="STD")
    with pytest.raises(CarrierRejected, match="used up; ask the carrier for a new range"):
        c.buy(request, c.rate(request)[0])


def test_a_card_without_a_range_cannot_number_labels(card: RateCard) -> None:
    c = carrier(replace(card, tracking=None))
    with pytest.raises(NotSupported, match=r"no \[tracking\] range"):
        c.buy(request_for(SMALL, service="STD"), c.rate(request_for(SMALL, service="STD"))[0])


def test_void_inside_the_window_only(card: RateCard) -> None:
    c = carrier(card)
    request = request_for(SMALL, service="STD", fmt=LabelFormat.ZPL)
    purchase = c.buy(request, c.rate(request)[0])
    result = c.void(purchase)
    assert (result.accepted, result.tracking_number) == (True, purchase.master_tracking)
    old = replace(purchase, bought_at=datetime.now(UTC) - timedelta(hours=25))
    with pytest.raises(CarrierRejected, match="older than 24 h"):
        c.void(old)
    assert c.capabilities().void_window == timedelta(hours=24)


def test_manifest_lists_every_label_behind_one_barcode(card: RateCard) -> None:
    c = carrier(card)
    one = request_for(SMALL, service="STD", fmt=LabelFormat.ZPL)
    two = request_for(SMALL, SMALL, service="EXP", fmt=LabelFormat.ZPL)
    purchases = [c.buy(one, c.rate(one)[0]), c.buy(two, c.rate(two)[0])]
    manifest = c.manifest(purchases, date(2026, 12, 1))
    assert len(manifest.tracking_numbers) == 3
    assert manifest.manifest_ref.startswith("NORDPOST-2026-20261201-")
    assert ("Code128", manifest.manifest_ref) in decode_pages(manifest.document)[0]
    text = page_texts(manifest.document)[0]
    assert all(n in text for n in manifest.tracking_numbers) and "3 packages" in text
    assert c.manifest(list(reversed(purchases)), date(2026, 12, 1)).manifest_ref == (
        manifest.manifest_ref
    )
    with pytest.raises(CarrierRejected, match="appears twice"):
        c.manifest([purchases[0], purchases[0]], date(2026, 12, 1))
    with pytest.raises(CarrierRejected, match="no Nordpost labels"):
        c.manifest([], date(2026, 12, 1))


def test_the_supervisor_table_shows_every_break(card: RateCard) -> None:
    rows = rate_table(card)
    assert len(rows) == 13  # STD Z1 3 + extra kg, Z2 3, Z3 3 + extra kg, EXP Z1 2
    assert rows[0].service_name == "Standard" and rows[0].up_to_kg == Decimal(1)
    assert rows[3].up_to_kg is None and rows[3].price == Decimal("1.20")
    caps = RateCardCarrier(card, MemorySerialSource()).capabilities()
    assert caps.offline and caps.multi_piece and caps.services == ("STD", "EXP")
