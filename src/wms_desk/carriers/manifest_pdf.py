"""The end-of-day manifest a driver signs: carrier, date, one barcode, every tracking number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.pdf import fit_text, render_pages, rule

A4 = (595.0, 842.0)
ROWS_PER_PAGE = 40


@dataclass(frozen=True)
class ManifestLine:
    tracking_number: str
    service: str
    package_seq: int
    package_count: int


@dataclass(frozen=True)
class _Page:
    carrier: str
    ref: str
    ship_date: date
    lines: tuple[ManifestLine, ...]
    first_row: int
    total: int
    page: int
    pages: int


def _draw(c: Any, page: _Page) -> None:
    w, h = A4
    m = 36.0
    fit_text(c, f"{page.carrier} - manifest", m, h - m - 14, w - 2 * m, 16, bold=True)
    fit_text(c, f"Ship date {page.ship_date.isoformat()}", m, h - m - 32, 250, 10)
    fit_text(c, f"{page.total} packages", m, h - m - 46, 250, 10, bold=True)
    fit_text(c, f"page {page.page} of {page.pages}", m, h - m - 32, w - 2 * m, 9, align="right")
    draw_code128(c, page.ref, w - m - 240, h - m - 100, 40, 1.0, 240)
    fit_text(c, page.ref, w - m - 240, h - m - 112, 240, 9, align="center")
    y = h - m - 135
    rule(c, m, y, w - m, 1.0)
    for i, line in enumerate(page.lines, page.first_row):
        y -= 16
        fit_text(c, str(i), m, y, 30, 9, align="right")
        fit_text(c, line.tracking_number, m + 40, y, 220, 10, bold=True)
        fit_text(c, line.service, m + 270, y, 140, 9)
        fit_text(c, f"{line.package_seq} of {line.package_count}", m + 420, y, 80, 9)
    if page.page == page.pages:
        rule(c, m, 70, m + 220, 0.8)
        fit_text(c, "Driver signature / date", m, 58, 220, 8)


def manifest_pdf(carrier: str, ref: str, ship_date: date, lines: list[ManifestLine]) -> bytes:
    chunks = [lines[i : i + ROWS_PER_PAGE] for i in range(0, len(lines), ROWS_PER_PAGE)] or [[]]
    pages = [
        _Page(carrier, ref, ship_date, tuple(chunk), n * ROWS_PER_PAGE + 1, len(lines), n + 1,
              len(chunks))
        for n, chunk in enumerate(chunks)
    ]  # fmt: skip
    return render_pages(A4, f"Manifest {ref}", pages, _draw)
