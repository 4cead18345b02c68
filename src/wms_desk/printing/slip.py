"""The packing slip (Letter or A4): laid out first so every page can say `page n of m`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.model import Address, PackingSlip, SlipLine
from wms_desk.printing.pdf import cap_lines, fit_text, render_pages, rule, wrap_lines, wrap_text

PAPER = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
M = 40.0
ROW_SIZE = 9.0
LEADING = 11.0
BOTTOM = M + 24  # room for the page footer
FIRST_TABLE_TOP = 250.0  # distance from the page top to the first row, page 1
NEXT_TABLE_TOP = 120.0


@dataclass(frozen=True)
class _Row:
    line: SlipLine
    description: tuple[str, ...]

    @property
    def height(self) -> float:
        return len(self.description) * LEADING + 5


@dataclass(frozen=True)
class _Page:
    number: int
    rows: tuple[_Row, ...]
    last: bool


def _columns(width: float, prices: bool, shipped: bool = True) -> list[tuple[str, float, str]]:
    """(title, width, align) per column; the description takes what is left."""
    fixed = [("SKU", 80, "left"), ("Bin", 58, "left"), ("Ordered", 46, "right")]
    if shipped:
        fixed += [("Shipped", 46, "right"), ("Backord.", 48, "right")]
    if prices:
        fixed += [("Price", 52, "right"), ("Amount", 58, "right")]
    description = width - sum(w for _, w, _ in fixed) - 6 * len(fixed)
    return [fixed[0], ("Description", description, "left"), *fixed[1:]]


def _closing_height(slip: PackingSlip, width: float) -> float:
    height = 30.0
    if slip.show_prices:
        height += 4 * 13
    if slip.gift and slip.gift_message:
        height += 24 + len(wrap_lines(slip.gift_message, 10, width - 20)[:8]) * 13
    height += 20 + len(wrap_lines(slip.return_instructions, 8, width)[:4]) * 10
    return height


def paginate(slip: PackingSlip, paper: str = "letter") -> list[_Page]:
    """Split the lines into pages; the last page also holds totals, gift message, returns."""
    page_w, page_h = PAPER[paper]
    width = page_w - 2 * M
    desc_w = _columns(width, slip.show_prices, not slip.before_packing)[1][1]
    rows = [
        _Row(line, tuple(cap_lines(wrap_lines(line.description, ROW_SIZE, desc_w), 3)))
        for line in slip.lines
    ]
    pages: list[list[_Row]] = [[]]
    room = page_h - FIRST_TABLE_TOP - BOTTOM
    for row in rows:
        if row.height > room:
            pages.append([])
            room = page_h - NEXT_TABLE_TOP - BOTTOM
        pages[-1].append(row)
        room -= row.height
    if room < _closing_height(slip, width):
        pages.append([])
    return [_Page(i + 1, tuple(p), i == len(pages) - 1) for i, p in enumerate(pages)]


def _money(slip: PackingSlip, amount: Decimal) -> str:
    return f"{slip.currency} {Decimal(amount).quantize(Decimal('0.01')):,}"


def _address(c: Any, title: str, address: Address | None, x: float, y: float, w: float) -> None:
    fit_text(c, title, x, y, w, 8, bold=True)
    lines = address.text_lines() if address else ["(same as ship-to)"]
    for line in lines[:7]:
        y -= 12
        fit_text(c, line, x, y, w, 10)


def _header(c: Any, slip: PackingSlip, page: _Page, total: int, size: tuple[float, float]) -> float:
    page_w, page_h = size
    width = page_w - 2 * M
    top = page_h - M
    bar_w = 190.0
    draw_code128(c, slip.order_barcode, page_w - M - bar_w, top - 42, 40, 1.1, bar_w)
    fit_text(c, slip.order_barcode, page_w - M - bar_w, top - 54, bar_w, 8, align="center")
    text_x = M
    if slip.logo_path and page.number == 1:
        c.drawImage(slip.logo_path, M, top - 48, 48, 48, preserveAspectRatio=True, mask="auto")
        text_x = M + 56
    title = "GIFT RECEIPT" if slip.gift else "PACKING SLIP"
    fit_text(c, title, text_x, top - 16, width - bar_w - 60, 18, bold=True)
    fit_text(c, f"Order {slip.order_number}", text_x, top - 36, width - bar_w - 60, 13, bold=True)
    if page.number > 1:
        fit_text(c, "(continued)", text_x, top - 52, 150, 9)
        return page_h - NEXT_TABLE_TOP
    company = slip.company.text_lines()
    fit_text(c, company[0], text_x, top - 54, width - bar_w - 60, 10, bold=True)
    fit_text(c, " · ".join(company[1:]), text_x, top - 66, width - bar_w - 20, 8)
    y = top - 92
    rule(c, M, y + 10, page_w - M, 0.8)
    dates = [
        f"Order date: {slip.order_date.isoformat() if slip.order_date else '—'}",
        f"Ship date: {slip.ship_date.isoformat()}",
    ]
    if slip.service:
        dates.append(f"Service: {slip.service}")
    fit_text(c, "  ·  ".join(dates), M, y - 4, width, 9)
    col = (width - 20) / 2
    _address(c, "SHIP TO", slip.ship_to, M, y - 24, col)
    _address(c, "BILL TO", slip.bill_to, M + col + 20, y - 24, col)
    return page_h - FIRST_TABLE_TOP


def _table(c: Any, slip: PackingSlip, rows: tuple[_Row, ...], top: float, page_w: float) -> float:
    width = page_w - 2 * M
    shipped = not slip.before_packing
    columns = _columns(width, slip.show_prices, shipped)
    x = M
    y = top + 8
    for title, w, align in columns:
        fit_text(c, title, x, y, w, 8, bold=True, align=align)
        x += w + 6
    rule(c, M, y - 4, page_w - M, 0.8)
    y = top - 8
    for row in rows:
        line = row.line
        cells = [line.sku, "", line.bin, str(line.ordered)]
        if shipped:
            cells += [str(line.shipped), str(line.backordered) if line.backordered else ""]
        if slip.show_prices:
            quantity = line.shipped if shipped else line.ordered
            cells += [
                _money(slip, line.unit_price).split(" ")[1],
                _money(slip, line.unit_price * quantity).split(" ")[1],
            ]
        x = M
        for (_, w, align), cell in zip(columns, cells, strict=True):
            if cell:
                fit_text(c, cell, x, y, w, ROW_SIZE, align=align)
            x += w + 6
        desc_x = M + columns[0][1] + 6
        for i, text in enumerate(row.description):
            fit_text(c, text, desc_x, y - i * LEADING, columns[1][1], ROW_SIZE)
        y -= row.height
        c.setStrokeGray(0.8)
        rule(c, M, y + LEADING - 3, page_w - M, 0.3)
        c.setStrokeGray(0)
    return y


def _closing(c: Any, slip: PackingSlip, y: float, page_w: float) -> None:
    width = page_w - 2 * M
    y -= 8
    if slip.show_prices:
        for title, amount in (
            ("Subtotal", slip.subtotal),
            ("Shipping", slip.shipping),
            ("Tax", slip.tax),
            ("Total", slip.total),
        ):
            fit_text(c, title, page_w - M - 220, y, 100, 10, bold=title == "Total")
            fit_text(
                c,
                _money(slip, amount),
                page_w - M - 120,
                y,
                120,
                10,
                bold=title == "Total",
                align="right",
            )
            y -= 13
    if slip.gift and slip.gift_message:
        lines = wrap_lines(slip.gift_message, 10, width - 20)[:8]
        c.setStrokeGray(0.5)
        c.roundRect(M, y - 12 - len(lines) * 13, width, 24 + len(lines) * 13 - 4, 6)
        c.setStrokeGray(0)
        fit_text(c, "A gift for you", M + 10, y - 4, width - 20, 10, bold=True)
        wrap_text(c, slip.gift_message, M + 10, y - 18, width - 20, 10, 8, leading=13)
        y -= 24 + len(lines) * 13
    y -= 14
    fit_text(c, "Returns", M, y, width, 9, bold=True)
    wrap_text(c, slip.return_instructions, M, y - 11, width, 8, 4, leading=10)


def draw_page(c: Any, slip: PackingSlip, page: _Page, total: int, paper: str) -> None:
    size = PAPER[paper]
    top = _header(c, slip, page, total, size)
    y = _table(c, slip, page.rows, top, size[0])
    if page.last:
        _closing(c, slip, y, size[0])
    footer = f"Order {slip.order_number} · page {page.number} of {total}"
    fit_text(c, footer, M, M, size[0] - 2 * M, 8, align="center")


def packing_slip_pdf(slip: PackingSlip, paper: str = "letter") -> bytes:
    if paper not in PAPER:
        raise ValueError(f"paper must be one of {', '.join(PAPER)}")
    pages = paginate(slip, paper)
    return render_pages(
        PAPER[paper],
        f"Packing slip {slip.order_number}",
        pages,
        lambda c, page: draw_page(c, slip, page, len(pages), paper),
    )
