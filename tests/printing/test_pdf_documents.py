"""Every barcode on every PDF document decodes back exactly; fonts embedded; pages numbered."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.printing.helpers import decode_pages, page_count, page_texts
from wms_desk.domain.codes import StationCommand, command_barcode, order_barcode
from wms_desk.printing import cards, label, picklist, slip, sscc_label
from wms_desk.printing.barcodes import GS, gs1_check_digit, is_valid_sscc, sscc_hri
from wms_desk.printing.model import (
    Address,
    BadgeCard,
    BinLabel,
    CommandCard,
    PackingSlip,
    PickLine,
    PickList,
    ProductLabel,
    ShippingLabel,
    SlipLine,
    SsccLabel,
)


def _slip(lines: int, **changes: object) -> PackingSlip:
    base = PackingSlip(
        company=Address("Northwind Fulfilment", lines=("12 Dock Road", "Springfield")),
        order_number="100234",
        order_barcode=order_barcode("100234"),
        order_date=date(2026, 11, 20),
        ship_date=date(2026, 11, 26),
        ship_to=Address(
            "Zoë Müller",
            lines=("Straße des 17. Juni 135",),
            city="Berlin",
            postal_code="10623",
            country="DE",
        ),
        bill_to=Address("山田 太郎", lines=("1-2-3 Shibuya",), city="Tokyo", country="JP"),
        lines=tuple(
            SlipLine(
                f"SKU-{i:03d}",
                f"Widget {i} Łódź edition",
                f"A-01-{i % 99:02d}",
                2,
                2 if i % 4 else 1,
                Decimal("9.99"),
            )
            for i in range(lines)
        ),
        subtotal=Decimal("99.90"),
        total=Decimal("109.90"),
    )
    return dataclasses.replace(base, **changes)


def test_shipping_label_barcode_and_provisional_marking(sample_label: ShippingLabel) -> None:
    pdf = label.shipping_label_pdf(sample_label)
    assert decode_pages(pdf) == [[("Code128", "PRV-100234-1")]]
    text = page_texts(pdf)[0]
    assert label.PROVISIONAL_NOTE in text
    assert "Zoë Müller" in text and "Straße des 17. Juni 135" in text and "Łódź" in text
    assert "PKG 1 of 2" in text and "1.250 kg" in text and "GROUND" in text


def test_real_tracking_number_is_not_marked_provisional(sample_label: ShippingLabel) -> None:
    real = dataclasses.replace(
        sample_label,
        tracking_number="1Z999AA10123456784",
        provisional=False,
        routing_code="420 9 12",
    )
    pdf = label.shipping_label_pdf(real)
    assert decode_pages(pdf) == [[("Code128", "1Z999AA10123456784")]]
    assert label.PROVISIONAL_NOTE not in page_texts(pdf)[0]


def test_many_labels_in_one_pdf(sample_label: ShippingLabel) -> None:
    labels = [dataclasses.replace(sample_label, tracking_number=f"PRV-{i}") for i in range(3)]
    pdf = label.shipping_labels_pdf(labels)
    assert decode_pages(pdf, 2) == [[("Code128", f"PRV-{i}")] for i in range(3)]


def test_shipped_fonts_are_embedded_for_any_script() -> None:
    slip_pdf = slip.packing_slip_pdf(_slip(2))
    names = set(re.findall(rb"/BaseFont /(?:[A-Z]{6}\+)?([\w-]+)", slip_pdf))
    assert names == {b"DejaVuSans", b"DejaVuSans-Bold", b"DroidSansFallback"}, names
    assert slip_pdf.count(b"/FontFile2") >= 3  # TrueType programs embedded, not referenced
    text = page_texts(slip_pdf)[0]
    for name in ("Zoë Müller", "Straße", "山田 太郎", "Łódź"):
        assert name in text


def test_packing_slip_decodes_to_the_order_barcode() -> None:
    pages = decode_pages(slip.packing_slip_pdf(_slip(3)))
    assert pages == [[("Code128", "ORD:100234")]]


def test_forty_line_order_gives_numbered_pages() -> None:
    pdf = slip.packing_slip_pdf(_slip(40), paper="a4")
    n = page_count(pdf)
    assert n >= 2
    texts = page_texts(pdf)
    for i, text in enumerate(texts, start=1):
        assert f"page {i} of {n}" in text
    every_sku = "".join(texts)
    assert all(f"SKU-{i:03d}" in every_sku for i in range(40))
    assert sum(t.count("SKU-") for t in texts) == 40  # no line lost or repeated
    assert "Total" in texts[-1] and "Total" not in texts[0]
    assert all(p == [("Code128", "ORD:100234")] for p in decode_pages(pdf, 2))


def test_gift_slip_hides_prices_and_shows_message() -> None:
    pdf = slip.packing_slip_pdf(_slip(2, gift=True, gift_message="Alles Gute, Zoë!"))
    text = page_texts(pdf)[0]
    assert "GIFT RECEIPT" in text and "Alles Gute, Zoë!" in text
    assert "9.99" not in text and "Total" not in text


def test_pick_list_for_a_batch_in_bin_order() -> None:
    lines = tuple(
        PickLine(
            f"A-0{seq}-01",
            seq,
            f"SKU-{seq}",
            f"40063813339{seq}",
            f"Item {seq}",
            1,
            f"10{seq % 2}",
            f"T{seq % 2}",
        )
        for seq in (5, 1, 3)
    )
    pick = PickList(
        "Batch W-1",
        datetime(2026, 11, 26, 9, 0),
        lines,
        "W-1",
        (("100", "ORD:100", "T0"), ("101", "ORD:101", "T1")),
    )
    pdf = picklist.pick_list_pdf(pick)
    found = decode_pages(pdf)[0]
    codes = [text for _, text in found]
    assert {"ORD:100", "ORD:101"} <= set(codes)
    assert {"A-01-01", "A-03-01", "A-05-01", "400638133391", "400638133393"} <= set(codes)
    text = page_texts(pdf)[0]
    assert text.index("A-01-01") < text.index("A-03-01") < text.index("A-05-01")
    assert "Tote T0" in text and "Tote T1" in text


def test_sscc_label_gs1_128_with_fnc1_and_postal_code(sample_sscc: SsccLabel) -> None:
    pdf = sscc_label.sscc_label_pdf(sample_sscc)
    found = sorted(decode_pages(pdf)[0])
    assert found == [("Code128", "00006141411234567890"), ("Code128", "4201500002")]
    assert "(00) 0 0614141 123456789 0" in page_texts(pdf)[0]


def test_gs1_barcode_keeps_group_separators() -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    from wms_desk.printing.barcodes import draw_gs1_128, gs1_element_string

    data = gs1_element_string(("420", "SW1A1AA"), ("00", "006141411234567890"))
    assert data == "420SW1A1AA" + GS + "00006141411234567890"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 120))
    draw_gs1_128(canvas, data, 10, 20, 80, 1.0, 280)
    canvas.save()
    assert decode_pages(buffer.getvalue()) == [[("Code128", data)]]


def test_gs1_check_digit() -> None:
    assert gs1_check_digit("00614141123456789") == 0
    assert is_valid_sscc("006141411234567890") and not is_valid_sscc("006141411234567891")
    assert gs1_check_digit("400638133393") == 1  # EAN-13 4006381333931
    assert sscc_hri("006141411234567890") == "(00) 0 0614141 123456789 0"


def test_bin_product_command_and_badge_barcodes() -> None:
    bins = cards.bin_labels_pdf([BinLabel("A-01-03", "A"), BinLabel("BK-12-04-2", "BK")])
    assert decode_pages(bins) == [[("Code128", "A-01-03")], [("Code128", "BK-12-04-2")]]
    products = cards.product_labels_pdf(
        [ProductLabel("SKU-1", "Mug", "4006381333931"), ProductLabel("SKU-2", "Zoë mug", "X-1")]
    )
    pages = [sorted(p) for p in decode_pages(products)]
    assert pages == [
        [("DataMatrix", "4006381333931"), ("EAN13", "4006381333931")],
        [("Code128", "X-1"), ("DataMatrix", "X-1")],
    ]
    commands = CommandCard("Commands", tuple((c.label, command_barcode(c)) for c in StationCommand))
    found = decode_pages(cards.command_card_pdf(commands), 2)[0]
    assert sorted(text for _, text in found) == sorted(command_barcode(c) for c in StationCommand)
    badge = BadgeCard("Zoë Müller", "zoe", "packer", "BADGE:8f3k2j", "Northwind")
    assert sorted(decode_pages(cards.badge_cards_pdf([badge]), 6)[0]) == [
        ("Code128", "BADGE:8f3k2j"),
        ("QRCode", "BADGE:8f3k2j"),
    ]


def test_carrier_labels_pass_through_byte_exact() -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 carrier bytes \x00\xff"
    zpl = b"^XA^FO10,10^FDcarrier ^FS^XZ\r\n"
    assert label.carrier_label(pdf, "pdf") is pdf
    assert label.carrier_label(zpl, "zpl") is zpl
    with pytest.raises(ValueError):
        label.carrier_label(b"GIF89a", "pdf")


def test_long_ship_to_values_stay_on_the_label(sample_label: ShippingLabel) -> None:
    import pypdfium2 as pdfium

    name = "Maximilian Alexander von und zu Hohenzollern-Sigmaringen-Überlingen " * 3
    data = dataclasses.replace(
        sample_label, ship_to=dataclasses.replace(sample_label.ship_to, name=name.strip())
    )
    page = pdfium.PdfDocument(label.shipping_label_pdf(data))[0]
    width, _ = page.get_size()
    text = page.get_textpage()
    content = text.get_text_range()
    assert "Maximilian" in content and "…" in content  # shrunk, then cut with an ellipsis
    boxes = [text.get_charbox(i) for i in range(text.count_chars())]
    assert all(left >= 0 and right <= width for left, _, right, _ in boxes)
