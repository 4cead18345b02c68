"""Small printouts: bin and product labels (PDF and ZPL), the station command card, badges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wms_desk.printing.barcodes import draw_code128, draw_datamatrix, draw_ean13, draw_qr, is_ean13
from wms_desk.printing.model import BadgeCard, BinLabel, CommandCard, ProductLabel
from wms_desk.printing.pdf import INCH, fit_text, render_pages
from wms_desk.printing.slip import PAPER
from wms_desk.printing.zpl import Zpl

T = TypeVar("T")
SHELF = (4 * INCH, 2 * INCH)  # 4x2 in shelf and product labels
CARD = (85.6 / 25.4 * INCH, 53.98 / 25.4 * INCH)  # ISO/IEC 7810 ID-1, the size of a bank card


def draw_bin_label(c: Any, label: BinLabel) -> None:
    w, h = SHELF
    fit_text(c, label.code, 10, h - 40, w - 20, 30, bold=True, align="center")
    draw_code128(c, label.code, 20, 24, 60, 2.0, w - 40)
    if label.zone:
        fit_text(c, f"zone {label.zone}", 10, 10, w - 20, 8, align="center")


def bin_labels_pdf(labels: Sequence[BinLabel]) -> bytes:
    return render_pages(SHELF, "Bin labels", labels, draw_bin_label)


def _shelf_zpl(labels: Sequence[T], dpi: int, draw: Callable[[Zpl, T], None]) -> bytes:
    """One ^XA..^XZ per 4x2 in label, all in one job."""
    out = []
    for label in labels:
        z = Zpl(dpi, 4.0, 2.0)
        draw(z, label)
        out.append(z.render())
    return b"".join(out)


def _bin_zpl(z: Zpl, label: BinLabel) -> None:
    z.text(30, 16, label.code, 70, 752, max_len=32)
    z.code128(60, 100, label.code, 230, 700, module=4)
    if label.zone:
        z.text(30, 350, f"zone {label.zone}", 24, 400)


def bin_labels_zpl(labels: Sequence[BinLabel], dpi: int = 203) -> bytes:
    return _shelf_zpl(labels, dpi, _bin_zpl)


def draw_product_label(c: Any, label: ProductLabel) -> None:
    w, h = SHELF
    fit_text(c, label.sku, 10, h - 24, w - 90, 16, bold=True)
    fit_text(c, label.name, 10, h - 40, w - 90, 9)
    if is_ean13(label.barcode):
        draw_ean13(c, label.barcode, 14, 14, 56)
    else:
        draw_code128(c, label.barcode, 14, 24, 56, 1.2, w - 110)
        fit_text(c, label.barcode, 14, 12, w - 110, 8)
    draw_datamatrix(c, label.barcode, w - 78, 20, 64)


def product_labels_pdf(labels: Sequence[ProductLabel]) -> bytes:
    return render_pages(SHELF, "Product labels", labels, draw_product_label)


def _product_zpl(z: Zpl, label: ProductLabel) -> None:
    z.text(20, 16, label.sku, 40, 560, max_len=64)
    z.text(20, 62, label.name, 24, 560, max_len=120, lines=2)
    if is_ean13(label.barcode):
        z.ean13(40, 130, label.barcode, 160)
    else:
        z.code128(20, 130, label.barcode, 180, 580, module=3)
    z.datamatrix(620, 130, label.barcode, module=7)


def product_labels_zpl(labels: Sequence[ProductLabel], dpi: int = 203) -> bytes:
    return _shelf_zpl(labels, dpi, _product_zpl)


def draw_command_card(c: Any, card: CommandCard, paper: str = "letter") -> None:
    w, h = PAPER[paper]
    fit_text(c, card.title, 40, h - 60, w - 80, 20, bold=True)
    fit_text(
        c, "Scan a barcode at the pack station instead of using the mouse.", 40, h - 80, w - 80, 10
    )
    slot = (h - 140) / max(len(card.commands), 1)
    for i, (title, value) in enumerate(card.commands):
        top = h - 110 - i * slot
        fit_text(c, title, 40, top - 30, 200, 26, bold=True)
        draw_code128(c, value, 250, top - min(slot - 30, 90), min(slot - 30, 80), 2.0, w - 290)
        fit_text(c, value, 250, top - min(slot - 30, 90) - 12, w - 290, 8)


def command_card_pdf(card: CommandCard, paper: str = "letter") -> bytes:
    return render_pages(
        PAPER[paper], card.title, [card], lambda c, item: draw_command_card(c, item, paper)
    )


def draw_badge(c: Any, badge: BadgeCard) -> None:
    w, h = CARD
    if badge.company:
        fit_text(c, badge.company, 8, h - 16, w - 16, 8, bold=True)
    fit_text(c, badge.display_name, 8, h - 34, w - 90, 13, bold=True)
    fit_text(c, f"{badge.username} · {badge.role}", 8, h - 48, w - 90, 8)
    draw_qr(c, badge.badge_value, w - 80, h - 88, 74)
    draw_code128(c, badge.badge_value, 8, 10, 34, 0.9, w - 16)


def badge_cards_pdf(badges: Sequence[BadgeCard]) -> bytes:
    return render_pages(CARD, "Badges", badges, draw_badge)
