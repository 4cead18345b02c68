"""Issue 9 #3: every printed order barcode decodes to a value that opens the same order."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

import pytest

from tests.printing.helpers import FIELD, check_zpl, decode_pages, page_texts, unescape
from wms_desk.cli.main import main
from wms_desk.domain.codes import code128_safe
from wms_desk.printing.label import shipping_label_pdf, shipping_label_zpl
from wms_desk.printing.model import Address
from wms_desk.printing.picklist import pick_list_pdf
from wms_desk.printing.slip import packing_slip_pdf
from wms_desk.services import documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.order_detail import order_detail_by_number

# Accents, CJK, emoji, symbols; and the order `#Z3-` the truncated barcode used to open.
NUMBERS = ["#Z3-ÄÖ€漢字😀", "Ünïcødé-7", "注文-漢字", "😀-42", "№ 5 ½"]


def _opens(ctx: ServiceContext, scanned: str) -> int:
    """The order id a scanned payload resolves to, the way every handler resolves it."""
    with ctx.database.read_session() as session:
        return documents.find_order(session, scanned).id


def _bmp_prefix(text: str) -> str:
    return re.split(r"[\U00010000-\U0010FFFF]", text)[0]


def _zpl_barcodes(zpl: str) -> list[str]:
    """The data of every ^BC field, as the printer encodes it (subset switches removed)."""
    out = []
    for command in re.split(r"(?=\^FO)", zpl):
        if "^BC" in command:
            (data,) = FIELD.findall(command)
            plain = unescape(data).replace("><", "\0")
            plain = re.sub(r">[:;8]", "", plain).replace("\0", ">")
            out.append(plain)
    return out


@pytest.fixture
def orders(make_order: Callable[..., int]) -> dict[str, int]:
    ids = {number: make_order(number, lines=2, packages=1) for number in NUMBERS}
    ids["#Z3-"] = make_order("#Z3-", lines=1, packages=1)
    ids["#1001"] = make_order("#1001", lines=1, packages=1)
    return ids


@pytest.mark.parametrize("number", NUMBERS)
def test_slip_barcode_opens_the_same_order(
    system_ctx: ServiceContext, orders: dict[str, int], ship_from: Address, number: str
) -> None:
    data = documents.packing_slip(system_ctx, number, ship_from)
    pdf = packing_slip_pdf(data)
    [[(symbology, scanned)]] = decode_pages(pdf)
    assert symbology == "Code128" and scanned == data.order_barcode == f"ORDID:{orders[number]}"
    assert _opens(system_ctx, scanned) == orders[number] != orders["#Z3-"]
    # The number, as text beside it. (pdfium reads astral characters such as emoji back
    # truncated to 16 bits from reportlab's text map, so compare the text before any.)
    assert f"Order {_bmp_prefix(number)}" in page_texts(pdf)[0]


def test_printable_numbers_keep_ord_number(
    system_ctx: ServiceContext, orders: dict[str, int], ship_from: Address
) -> None:
    for number in ("#Z3-", "#1001"):
        pdf = packing_slip_pdf(documents.packing_slip(system_ctx, number, ship_from))
        assert decode_pages(pdf) == [[("Code128", f"ORD:{number}")]]
        assert _opens(system_ctx, f"ORD:{number}") == orders[number]


@pytest.mark.parametrize("number", NUMBERS)
def test_label_barcodes_pdf_and_zpl_name_the_same_order(
    system_ctx: ServiceContext, orders: dict[str, int], ship_from: Address, number: str
) -> None:
    label = documents.shipping_label(system_ctx, number, 1, ship_from, date(2026, 12, 1))
    reference = f"PRV-ID{orders[number]}-1"
    assert label.tracking_number == reference and label.order_number == number
    assert decode_pages(shipping_label_pdf(label)) == [[("Code128", reference)]]
    for dpi in (203, 300):
        zpl = check_zpl(shipping_label_zpl(label, dpi))  # no crash on any text
        assert _zpl_barcodes(zpl) == [reference]
        texts = [unescape(field) for field in FIELD.findall(zpl)]
        assert any(number in text for text in texts), "the number is printed as text"
        assert all(code128_safe(code) for code in _zpl_barcodes(zpl))


def test_every_label_barcode_is_one_code_128_carries(
    system_ctx: ServiceContext, orders: dict[str, int], ship_from: Address
) -> None:
    for number, order_id in orders.items():
        label = documents.shipping_label(system_ctx, number, 1, ship_from)
        [code] = _zpl_barcodes(shipping_label_zpl(label).decode())
        assert code128_safe(code)
        expected = f"PRV-{number}-1" if code128_safe(number) else f"PRV-ID{order_id}-1"
        assert code == expected


@pytest.mark.parametrize("number", NUMBERS)
def test_single_order_pick_list_barcode_opens_the_order(
    system_ctx: ServiceContext, orders: dict[str, int], number: str
) -> None:
    pdf = pick_list_pdf(documents.pick_list(system_ctx, number))
    found = [text for page in decode_pages(pdf) for _, text in page]
    order_codes = [text for text in found if text.startswith("ORD")]
    assert order_codes == [f"ORDID:{orders[number]}"]
    assert _opens(system_ctx, order_codes[0]) == orders[number]


def test_batch_pick_list_barcodes_open_each_order(
    system_ctx: ServiceContext, make_order: Callable[..., int]
) -> None:
    ids = {n: make_order(n, lines=1, batch="B-漢", tote=f"T{i}") for i, n in enumerate(NUMBERS)}
    ids["#Z3-"] = make_order("#Z3-", lines=1, batch="B-漢", tote="T9")
    pdf = pick_list_pdf(documents.pick_list(system_ctx, "B-漢"))
    found = {text for page in decode_pages(pdf) for _, text in page if text.startswith("ORD")}
    assert len(found) == len(ids)
    assert {_opens(system_ctx, code) for code in found} == set(ids.values())


def test_orders_show_accepts_the_number_or_the_scanned_payload(
    system_ctx: ServiceContext,
    orders: dict[str, int],
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = NUMBERS[0]
    for ref in (number, f"ORDID:{orders[number]}", f"  ORDID:{orders[number]} "):
        assert order_detail_by_number(system_ctx, ref).number == number
        code = main(["--db", db_url, "--station", "cli-test", "orders", "show", ref, "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert json.loads(out)["number"] == number
    code = main(["--db", db_url, "--station", "cli-test", "orders", "show", "ORDID:999999"])
    out, err = capsys.readouterr()
    assert code == 1 and "ORDID:999999" in err and "does not exist" in err


def test_pick_and_pack_open_the_order_by_its_id_barcode(
    system_ctx: ServiceContext, orders: dict[str, int]
) -> None:
    from sqlalchemy import update

    from wms_desk.db.models import Order
    from wms_desk.services import packing, picking

    number = NUMBERS[0]
    picked = picking.open_pick(system_ctx, f"ORDID:{orders[number]}")
    assert picked.ref.order_id == orders[number] and picked.name == number
    other = NUMBERS[1]
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.id == orders[other]).values(status="picked"))
    packed = packing.open_order(system_ctx, f"ORDID:{orders[other]}")
    assert (packed.order_id, packed.order_number) == (orders[other], other)
