"""The pick list for one order or a batch: lines in bin pick sequence, bin and item barcodes."""

from __future__ import annotations

from typing import Any

from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.model import PickLine, PickList
from wms_desk.printing.pdf import fit_text, render_pages, rule
from wms_desk.printing.slip import PAPER

M = 36.0
ROW = 46.0  # a row holds two scannable barcodes, so it is tall
HEADER = 110.0
TOTE_ROW = 40.0


def scannable(value: str) -> bool:
    """Code 128 here holds printable ASCII only; anything else gets text, not a barcode."""
    return bool(value) and all(32 <= ord(ch) < 127 for ch in value)


def sorted_lines(pick: PickList) -> list[PickLine]:
    """Walk order: bin pick sequence, then bin code, then SKU, then order."""
    return sorted(pick.lines, key=lambda x: (x.pick_sequence, x.bin_code, x.sku, x.order_number))


def _pages(pick: PickList, paper: str) -> list[list[PickLine]]:
    _, page_h = PAPER[paper]
    first = int((page_h - 2 * M - HEADER - 32 - TOTE_ROW * _tote_rows(pick)) // ROW)
    rest = int((page_h - 2 * M - 60) // ROW)
    lines = sorted_lines(pick)
    pages = [lines[:first]]
    for i in range(first, len(lines), rest):
        pages.append(lines[i : i + rest])
    return pages


def _tote_rows(pick: PickList) -> int:
    return (len(pick.order_barcodes) + 2) // 3 if pick.batch_name else 0


def _draw_totes(c: Any, pick: PickList, y: float, page_w: float) -> float:
    """Batch: each order's tote, with the order barcode, so the packer can open it by scan."""
    col = (page_w - 2 * M) / 3
    for i, (number, code, tote) in enumerate(pick.order_barcodes):
        x = M + (i % 3) * col
        yy = y - (i // 3) * TOTE_ROW
        fit_text(c, f"Tote {tote or '—'} · order {number}", x, yy, col - 10, 9, bold=True)
        draw_code128(c, code, x - 6, yy - 26, 20, 0.9, col - 10)
    return y - _tote_rows(pick) * TOTE_ROW


def draw_page(
    c: Any, pick: PickList, lines: list[PickLine], n: int, total: int, paper: str
) -> None:
    page_w, page_h = PAPER[paper]
    width = page_w - 2 * M
    top = page_h - M
    fit_text(c, "PICK LIST", M, top - 18, 200, 18, bold=True)
    fit_text(c, pick.title, M, top - 36, width - 220, 12, bold=True)
    fit_text(c, pick.created.strftime("%Y-%m-%d %H:%M"), M, top - 50, 200, 9)
    y = top - 72
    if n == 1 and pick.batch_name:
        y = _draw_totes(c, pick, top - 72, page_w) - 12
    elif n == 1 and pick.order_barcodes:
        _, code, _ = pick.order_barcodes[0]
        draw_code128(c, code, page_w - M - 190, top - 44, 36, 1.0, 190)
        fit_text(c, code, page_w - M - 190, top - 54, 190, 7, align="center")
    headings = [("Bin", 0), ("Item", 150), ("Qty", width - 80)]
    if pick.batch_name:
        headings.append(("Tote", width - 40))
    for title, dx in headings:
        fit_text(c, title, M + dx, y, 60, 8, bold=True)
    rule(c, M, y - 4, page_w - M, 0.8)
    y -= 10
    totes = {number: tote for number, _, tote in pick.order_barcodes}
    for line in lines:
        if scannable(line.bin_code):
            draw_code128(c, line.bin_code, M, y - 26, 24, 0.9, 140)
        fit_text(c, line.bin_code, M, y - 36, 140, 9, bold=True)
        if scannable(line.barcode):
            draw_code128(c, line.barcode, M + 150, y - 26, 24, 0.9, 160)
        fit_text(c, f"{line.sku}  {line.barcode}", M + 150, y - 36, 160, 7)
        fit_text(c, line.description, M + 318, y - 12, width - 318 - 90, 9)
        if pick.batch_name:
            fit_text(c, f"order {line.order_number}", M + 318, y - 26, width - 318 - 90, 8)
        fit_text(c, str(line.qty), M + width - 80, y - 16, 34, 16, bold=True)
        if pick.batch_name:
            fit_text(
                c,
                line.tote or totes.get(line.order_number, ""),
                M + width - 40,
                y - 16,
                40,
                12,
                bold=True,
            )
        y -= ROW
        c.setStrokeGray(0.8)
        rule(c, M, y + 4, page_w - M, 0.3)
        c.setStrokeGray(0)
    fit_text(c, f"{pick.title} · page {n} of {total}", M, M - 12, width, 8, align="center")


def pick_list_pdf(pick: PickList, paper: str = "letter") -> bytes:
    pages = _pages(pick, paper)
    numbered = list(enumerate(pages, start=1))
    return render_pages(
        PAPER[paper],
        pick.title,
        numbered,
        lambda c, item: draw_page(c, pick, item[1], item[0], len(pages), paper),
    )
