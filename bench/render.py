"""Render speed: ms per 4x6 label (ZPL and PDF), per one-page slip, and 1,000 labels in one PDF.

Prints one JSON line. Goals on the packing-station machine: ZPL label < 1 ms, PDF label < 5 ms,
one-page slip < 20 ms. Figures are medians of several timed batches after a warm-up (the first
render registers the fonts, about 0.1 s once per process).
`--screenshots DIR` instead writes docs/screenshots: pages of the real output, via pypdfium2.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from wms_desk.printing.label import shipping_label_pdf, shipping_label_zpl, shipping_labels_pdf
from wms_desk.printing.model import Address, PackingSlip, ShippingLabel, SlipLine
from wms_desk.printing.slip import packing_slip_pdf

LABEL = ShippingLabel(
    ship_from=Address("Northwind Fulfilment", lines=("12 Dock Road", "Springfield, IL 62701")),
    ship_to=Address(
        "Zoë Müller", "Łódź Trading", ("Straße des 17. Juni 135",), "Berlin", "", "10623", "DE"
    ),
    service="UPS GROUND",
    order_number="100234",
    ship_date=date(2026, 11, 26),
    tracking_number="1Z999AA10123456784",
    package_seq=1,
    package_count=1,
    weight_g=Decimal(1250),
)
SLIP = PackingSlip(
    company=Address("Northwind Fulfilment", lines=("12 Dock Road", "Springfield, IL 62701")),
    order_number="100234",
    order_barcode="ORD:100234",
    order_date=date(2026, 11, 20),
    ship_date=date(2026, 11, 26),
    ship_to=LABEL.ship_to,
    bill_to=None,
    lines=tuple(
        SlipLine(f"SKU-{i}", f"Widget {i}, blue", f"A-01-{i:02d}", 2, 2, Decimal("9.99"))
        for i in range(8)
    ),
    subtotal=Decimal("159.84"),
    total=Decimal("169.84"),
)


def per_call_ms(fn: Callable[[], object], calls: int, batches: int = 5) -> float:
    fn()  # warm-up: font registration, imports
    results = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        results.append((time.perf_counter() - start) * 1000 / calls)
    return round(statistics.median(results), 3)


def screenshots(folder: Path) -> None:
    import pypdfium2 as pdfium

    from wms_desk.printing.model import PickLine, PickList, SsccLabel
    from wms_desk.printing.picklist import pick_list_pdf
    from wms_desk.printing.sscc_label import sscc_label_pdf

    label = dataclasses.replace(
        LABEL,
        tracking_number="PRV-100234-1",
        provisional=True,
        package_count=2,
        service="UPS GROUND",
    )
    slip = dataclasses.replace(
        SLIP,
        bill_to=Address(
            "山田 太郎",
            lines=("1-2-3 Shibuya",),
            city="Tokyo",
            postal_code="150-0002",
            country="JP",
        ),
        gift=True,
        gift_message="Happy birthday, Zoë! Love from Łukasz.",
    )
    pick = PickList(
        "Batch W-0042 (3 orders)",
        datetime(2026, 11, 26, 9, 30),
        tuple(
            PickLine(
                f"{'AB'[i % 2]}-0{i % 4 + 1}-0{i % 3 + 1}",
                (i * 7) % 11,
                f"SKU-{i:03d}",
                f"4006381{i:05d}",
                f"Widget {i}, blue",
                i % 3 + 1,
                f"10{i % 3}",
                f"W-0042-0{i % 3 + 1}",
            )
            for i in range(9)
        ),
        "W-0042",
        tuple((f"10{i}", f"ORD:10{i}", f"W-0042-0{i + 1}") for i in range(3)),
    )
    sscc = SsccLabel(
        "006141411234567890",
        LABEL.ship_from,
        LABEL.ship_to,
        "100234",
        date(2026, 11, 26),
        1,
        2,
        Decimal(1250),
    )
    pages = {
        "label.png": (shipping_label_pdf(label), 203),
        "slip.png": (packing_slip_pdf(slip), 120),
        "picklist.png": (pick_list_pdf(pick), 120),
        "sscc.png": (sscc_label_pdf(sscc), 203),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, (pdf, dpi) in pages.items():
        image = pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72).to_pil().convert("L")
        image.save(folder / name, optimize=True)


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--screenshots":
        screenshots(Path(sys.argv[2]))
        return 0
    labels = [dataclasses.replace(LABEL, tracking_number=f"1Z999AA1{i:010d}") for i in range(1000)]
    start = time.perf_counter()
    batch = shipping_labels_pdf(labels)
    batch_ms = (time.perf_counter() - start) * 1000
    figures = {
        "zpl_label_ms": per_call_ms(lambda: shipping_label_zpl(LABEL), 500),
        "zpl_label_300dpi_ms": per_call_ms(lambda: shipping_label_zpl(LABEL, 300), 500),
        "pdf_label_ms": per_call_ms(lambda: shipping_label_pdf(LABEL), 60),
        "slip_one_page_ms": per_call_ms(lambda: packing_slip_pdf(SLIP), 20),
        "labels_1000_pdf_ms": round(batch_ms, 1),
        "labels_1000_pdf_bytes": len(batch),
        "goals_ms": {"zpl_label": 1, "pdf_label": 5, "slip_one_page": 20},
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
