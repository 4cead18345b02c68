"""The manual carrier: scanned tracking numbers of labels made elsewhere."""

from __future__ import annotations

import pytest

from tests.carriers.conftest import package, request_for
from wms_desk.carriers.base import CarrierRejected, LabelFormat, NotSupported
from wms_desk.carriers.manual import ManualCarrier, clean_tracking

BOX = package(900, 400, 300, 100)


def test_scans_become_labels_with_the_first_as_master() -> None:
    purchase = ManualCarrier().record(
        request_for(BOX, BOX), [" 1z999aa10123456784 ", "RB123456785GB"], "UPS Ground"
    )
    assert [label.tracking_number for label in purchase.labels] == [
        "1Z999AA10123456784", "RB123456785GB",
    ]  # fmt: skip
    assert {label.master_tracking for label in purchase.labels} == {"1Z999AA10123456784"}
    assert all(label.format is LabelFormat.NONE and label.data == b"" for label in purchase.labels)
    assert [label.package_seq for label in purchase.labels] == [1, 2]


@pytest.mark.parametrize(
    ("scan", "message"),
    [
        ("ORD:100234", "one of our own barcodes"),
        ("CMD:COMPLETE", "one of our own barcodes"),
        ("12-34", "does not look like a tracking number"),
        ("ABC", "does not look like a tracking number"),
        ("RB123456784GB", "wrong check digit"),  # the S10 check digit is 5
    ],
)
def test_what_is_not_a_tracking_number_is_refused(scan: str, message: str) -> None:
    with pytest.raises(CarrierRejected, match=message):
        clean_tracking(scan)


def test_one_scan_per_package_and_never_the_same_twice() -> None:
    manual = ManualCarrier()
    with pytest.raises(CarrierRejected, match="has 2 packages but 1 tracking numbers"):
        manual.record(request_for(BOX, BOX), ["RB123456785GB"])
    with pytest.raises(CarrierRejected, match="scanned twice"):
        manual.record(request_for(BOX, BOX), ["RB123456785GB", "rb123456785gb"])


def test_it_buys_nothing_and_says_what_to_do() -> None:
    manual = ManualCarrier()
    assert manual.rate(request_for(BOX)) == []
    with pytest.raises(NotSupported, match="scan its tracking number for order 100234"):
        manual.buy(request_for(BOX), None)  # type: ignore[arg-type]
    purchase = manual.record(request_for(BOX), ["RB123456785GB"])
    result = manual.void(purchase)
    assert result.accepted and "cancel the label with the carrier" in result.message
    caps = manual.capabilities()
    assert caps.offline and not caps.rates and caps.void_window is None
