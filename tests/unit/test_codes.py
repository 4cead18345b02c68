"""Order barcode payloads: Code 128 carries them unchanged, and scans read them back."""

from __future__ import annotations

import pytest

from wms_desk.domain.codes import code128_safe, order_barcode, order_id_of
from wms_desk.domain.scan import ScanKind, interpret

UNPRINTABLE = ["#Z3-ÄÖ€漢字😀", "Ä1001", "漢字", "😀", "1001€", "A\tB", " 1001", "1001 "]


@pytest.mark.parametrize("number", ["1001", "#1001", "W1194", "A/B-7 x", "ID:5", "~^_>"])
def test_printable_numbers_keep_their_number(number: str) -> None:
    assert order_barcode(number, 42) == f"ORD:{number}"
    assert order_barcode(number) == f"ORD:{number}"  # no id needed


@pytest.mark.parametrize("number", UNPRINTABLE)
def test_numbers_code_128_cannot_carry_get_the_order_id(number: str) -> None:
    code = order_barcode(number, 42)
    assert code == "ORDID:42" and code128_safe(code)
    with pytest.raises(ValueError, match="needs its id"):
        order_barcode(number)


def test_order_id_scans_are_order_scans_without_a_number() -> None:
    scan = interpret("ORDID:42", "]C0")
    assert scan.kind is ScanKind.ORDER and scan.ok
    assert scan.order_number is None and scan.order_id == 42 and scan.order_ref == "ORDID:42"
    # The number form keeps working as before, including numbers that start with `#`.
    shop = interpret("ORD:#1001", "]C0")
    assert (shop.order_number, shop.order_id, shop.order_ref) == ("#1001", None, "#1001")
    # `ORD:ID:5` is an order numbered "ID:5", not an id.
    assert interpret("ORD:ID:5", "]C0").order_ref == "ID:5"


@pytest.mark.parametrize("data", ["ORDID:", "ORDID:abc", "ORDID:4x2", "ORDID:٤٢"])
def test_broken_order_id_scans_are_errors(data: str) -> None:
    scan = interpret(data, "]C0")
    assert scan.kind is ScanKind.ORDER and not scan.ok
    assert scan.order_id is None and scan.order_ref is None and scan.order_number is None
    assert order_id_of(data) is None


def test_code128_safe() -> None:
    assert code128_safe("ORD:#1001 ~")
    assert not code128_safe("")
    assert not code128_safe("ORD:Ä")
    assert not code128_safe("ORD:\x1d1")


def test_an_order_id_barcode_is_never_taken_for_a_tracking_number() -> None:
    from wms_desk.carriers.base import CarrierRejected
    from wms_desk.carriers.manual import clean_tracking

    with pytest.raises(CarrierRejected, match="one of our own barcodes"):
        clean_tracking("ORDID:42")
