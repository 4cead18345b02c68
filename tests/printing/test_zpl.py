"""ZPL: golden files, structure, escaping and the injection guarantee."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from tests.printing.helpers import FIELD, check_zpl, unescape
from wms_desk.printing.label import shipping_label_zpl
from wms_desk.printing.model import Address, BinLabel, ProductLabel, ShippingLabel, SsccLabel
from wms_desk.printing.sscc_label import sscc_label_zpl
from wms_desk.printing.zpl import Zpl, code128_mode_n, escape

GOLDEN = Path(__file__).parent / "golden"
# WMS_DESK_UPDATE_GOLDEN=1 rewrites the files after an intended layout change.
UPDATE = os.environ.get("WMS_DESK_UPDATE_GOLDEN") == "1"


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} changed; check it, then WMS_DESK_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("dpi", [203, 300])
def test_shipping_label_matches_golden(sample_label: ShippingLabel, dpi: int) -> None:
    zpl = shipping_label_zpl(sample_label, dpi)
    check_zpl(zpl)
    _golden(f"label_{dpi}.zpl", zpl)


@pytest.mark.parametrize("dpi", [203, 300])
def test_sscc_label_matches_golden(sample_sscc: SsccLabel, dpi: int) -> None:
    zpl = sscc_label_zpl(sample_sscc, dpi)
    text = check_zpl(zpl)
    assert ">;>800006141411234567890" in text  # FNC1, AI 00, the 18 digits in subset C
    assert ">;>84201500002" in text  # AI 420 + postal code 150-0002 as letters/digits only
    assert "(00) 0 0614141 123456789 0" in text
    _golden(f"sscc_{dpi}.zpl", zpl)


def test_label_sizes_follow_dpi(sample_label: ShippingLabel) -> None:
    assert b"^PW812\n^LL1218" in shipping_label_zpl(sample_label, 203)
    assert b"^PW1200\n^LL1800" in shipping_label_zpl(sample_label, 300)
    with pytest.raises(ValueError):
        shipping_label_zpl(sample_label, 600)


def test_escape_hexes_prefixes_escape_char_and_control_bytes() -> None:
    assert escape("a^b~c_d\x1de\n", 100) == "a_5Eb_7Ec_5Fd_1De_0A"
    assert escape("Zoë 東京", 100) == "Zoë 東京"  # UTF-8 passes through (^CI28)
    assert escape("x" * 50, 10) == "x" * 10


def test_injection_in_ship_to_name_stays_data(sample_label: ShippingLabel) -> None:
    evil = "^XZ^XA^MMT~JA"
    label = dataclasses.replace(
        sample_label,
        ship_to=dataclasses.replace(sample_label.ship_to, name=evil),
        service="~JA^XZ",
        order_number="_5E^FS",
        tracking_number="1Z^XZ~JA_1",
    )
    zpl = shipping_label_zpl(label)
    text = check_zpl(zpl)
    assert text.count("^XA") == 1 and text.count("^XZ") == 1
    assert "^MMT" not in text and "~JA" not in text
    fields = [unescape(f) for f in FIELD.findall(text)]
    assert evil in fields  # printed as text, exactly
    assert any("_5E^FS" in f for f in fields)
    assert ">:1Z^XZ~JA_1" in fields  # the barcode carries the same text, escaped as well


def test_long_values_shrink_then_get_capped(sample_label: ShippingLabel) -> None:
    long_name = "Maximilian Alexander von und zu Hohenzollern-Sigmaringen-Überlingen " * 3
    label = dataclasses.replace(
        sample_label, ship_to=dataclasses.replace(sample_label.ship_to, name=long_name)
    )
    text = check_zpl(shipping_label_zpl(label))
    line = next(x for x in text.splitlines() if "Maximilian" in x)
    height = int(line.split("^A0N,")[1].split(",")[0])
    assert height < 50  # shrunk from the 50-dot name size
    assert len(unescape(FIELD.findall(line)[0])) <= 60


def test_field_outside_label_is_refused() -> None:
    z = Zpl(203)
    with pytest.raises(ValueError):
        z.text(700, 10, "too wide", 30, 200)
    with pytest.raises(ValueError):
        z.box(10, 1200, 100, 30)


@pytest.mark.parametrize(
    ("data", "gs1", "expected"),
    [
        ("ABC", False, ">:ABC"),
        ("123456", False, ">;123456"),
        ("PRV-100234-1", False, ">:PRV->;100234>:-1"),
        ("A>B", False, ">:A><B"),
        ("00006141411234567890", True, ">;>800006141411234567890"),
        ("420SW1A1AA", True, ">;>842>:0SW1A1AA"),
    ],
)
def test_code128_subsets(data: str, gs1: bool, expected: str) -> None:
    assert code128_mode_n(data, gs1)[0] == expected


def test_code128_refuses_non_ascii() -> None:
    with pytest.raises(ValueError):
        code128_mode_n("Zoë")


def test_bin_and_product_labels_are_well_formed() -> None:
    from wms_desk.printing.cards import bin_labels_zpl, product_labels_zpl

    bins = check_zpl(bin_labels_zpl([BinLabel("A-01-03", "A"), BinLabel("B-02-01", "B")]))
    assert bins.count("^XA") == 2 and ">:A-01-03" in bins
    products = check_zpl(product_labels_zpl([ProductLabel("SKU^1", "Mug ~ Zoë", "4006381333931")]))
    assert "SKU_5E1" in products and "Mug _7E Zoë" in products and "^BXN" in products
    assert "^BEN,160,Y,N^FH_^FD400638133393^FS" in products  # EAN-13: 12 digits + printer's check


def test_address_lines_skip_blanks() -> None:
    address = Address("A", "", ("", "Street 1"), "City", "", "123", "US")
    assert address.text_lines() == ["A", "Street 1", "City, 123", "US"]
