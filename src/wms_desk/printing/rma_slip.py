"""The RMA slip: goes into the parcel; its barcode is what the returns station scans first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.pdf import INCH, fit_text, render_pages, rule

LETTER = (8.5 * INCH, 11 * INCH)


@dataclass(frozen=True)
class RmaSlipLine:
    sku: str
    name: str
    qty: int
    reason: str


@dataclass(frozen=True)
class RmaSlip:
    number: str
    barcode: str
    order_number: str
    customer: str
    resolution: str
    company: str
    lines: tuple[RmaSlipLine, ...]


def _draw(c: Any, slip: RmaSlip) -> None:
    width, height = LETTER
    margin = 0.6 * INCH
    y = height - margin - 24
    fit_text(c, f"Return {slip.number}", margin, y, width - 2 * margin, 22, bold=True)
    y -= 22
    fit_text(c, f"Order {slip.order_number} - {slip.customer}", margin, y, width - 2 * margin, 12)
    y -= 16
    fit_text(c, f"You asked for: {slip.resolution}", margin, y, width - 2 * margin, 12)
    y -= 70
    draw_code128(c, slip.barcode, margin, y, bar_height=56, bar_width=1.4, max_width=4 * INCH)
    y -= 16
    fit_text(c, slip.barcode, margin, y, 4 * INCH, 10)
    y -= 28
    fit_text(c, "SKU", margin, y, 1.6 * INCH, 10, bold=True)
    fit_text(c, "Item", margin + 1.7 * INCH, y, 3.2 * INCH, 10, bold=True)
    fit_text(c, "Qty", margin + 5.0 * INCH, y, 0.5 * INCH, 10, bold=True)
    fit_text(c, "Reason", margin + 5.6 * INCH, y, 1.6 * INCH, 10, bold=True)
    y -= 6
    rule(c, margin, y, width - margin)
    for line in slip.lines:
        y -= 16
        fit_text(c, line.sku, margin, y, 1.6 * INCH, 10)
        fit_text(c, line.name, margin + 1.7 * INCH, y, 3.2 * INCH, 10)
        fit_text(c, str(line.qty), margin + 5.0 * INCH, y, 0.5 * INCH, 10)
        fit_text(c, line.reason.replace("_", " "), margin + 5.6 * INCH, y, 1.6 * INCH, 10)
    y -= 36
    fit_text(
        c,
        f"Put this slip in the parcel with the items above and send it to {slip.company}.",
        margin,
        y,
        width - 2 * margin,
        11,
    )


LINES_PER_PAGE = 30


def rma_slip_pdf(slip: RmaSlip) -> bytes:
    """Letter pages of up to 30 lines, each with the header and the RMA barcode."""
    chunks = [slip.lines[i : i + LINES_PER_PAGE] for i in range(0, len(slip.lines), LINES_PER_PAGE)]
    pages = [replace(slip, lines=chunk) for chunk in chunks] or [slip]
    return render_pages(LETTER, f"Return {slip.number}", pages, _draw)
