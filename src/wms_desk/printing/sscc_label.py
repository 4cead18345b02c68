"""The GS1 logistics label: SSCC as GS1-128 (AI 00) and the ship-to postal code (AI 420)."""

from __future__ import annotations

from typing import Any

from wms_desk.printing.barcodes import draw_gs1_128, gs1_element_string, sscc_hri
from wms_desk.printing.model import SsccLabel, weight_text
from wms_desk.printing.pdf import LABEL_4X6, fit_text, render_pages, rule
from wms_desk.printing.zpl import Zpl

W, H = LABEL_4X6
M = 12.0
MAX_POSTAL = 20  # AI 420 is X..20


def postal_code(label: SsccLabel) -> str:
    """The ship-to postal code as AI 420 allows it: letters and digits only, at most 20."""
    code = "".join(ch for ch in label.ship_to.postal_code.upper() if ch.isalnum() and ch.isascii())
    return code[:MAX_POSTAL]


def element_strings(label: SsccLabel) -> tuple[str, str]:
    """(AI 420 element string or '', AI 00 element string)."""
    postal = postal_code(label)
    return (
        gs1_element_string(("420", postal)) if postal else "",
        gs1_element_string(("00", label.sscc)),
    )


def draw_sscc_label(c: Any, label: SsccLabel, prefix_length: int = 7) -> None:
    inner = W - 2 * M
    half = inner / 2
    fit_text(c, "FROM", M, H - M - 8, half, 7, bold=True)
    y = H - M - 18
    for line in label.ship_from.text_lines()[:4]:
        fit_text(c, line, M, y, half - 6, 8)
        y -= 9.5
    fit_text(c, "TO", M + half, H - M - 8, half, 7, bold=True)
    y = H - M - 20
    for i, line in enumerate(label.ship_to.text_lines()[:6]):
        fit_text(c, line, M + half, y, half, 10 if i == 0 else 9, bold=i == 0)
        y -= 11.5
    rule(c, M, H - 100, W - M, 1.2)
    postal, sscc = element_strings(label)
    if postal:
        fit_text(
            c, f"SHIP TO POST CODE (420) {postal_code(label)}", M, H - 114, inner, 9, bold=True
        )
        draw_gs1_128(c, postal, M + 10, H - 168, 48, 1.2, inner - 20)
    rule(c, M, H - 178, W - M, 1.2)
    details = [
        ("ORDER", label.order_number),
        ("PACKAGE", f"{label.package_seq} of {label.package_count}"),
        ("GROSS WEIGHT", weight_text(label.weight_g)),
        ("SHIP DATE", label.ship_date.isoformat()),
    ]
    for i, (title, value) in enumerate(details):
        x = M + (i % 2) * half
        yy = H - 194 - (i // 2) * 30
        fit_text(c, title, x, yy, half - 6, 7, bold=True)
        fit_text(c, value, x, yy - 13, half - 6, 12)
    rule(c, M, H - 250, W - M, 1.2)
    fit_text(c, "SSCC", M, H - 264, inner, 9, bold=True)
    fit_text(
        c, sscc_hri(label.sscc, prefix_length), M, H - 284, inner, 14, bold=True, align="center"
    )
    # 0.5 mm modules (GS1 logistics minimum is about 0.495 mm) and 32 mm of height.
    draw_gs1_128(c, sscc, M + 12, 40, 91, 1.42, inner - 24)
    fit_text(c, sscc_hri(label.sscc, prefix_length), M, 24, inner, 11, align="center")


def sscc_label_pdf(label: SsccLabel, prefix_length: int = 7) -> bytes:
    return render_pages(
        LABEL_4X6,
        f"SSCC {label.sscc}",
        [label],
        lambda c, item: draw_sscc_label(c, item, prefix_length),
    )


def sscc_label_zpl(label: SsccLabel, dpi: int = 203, prefix_length: int = 7) -> bytes:
    z = Zpl(dpi)
    half = 376
    z.text(30, 24, "FROM", 20, 200)
    y = 50.0
    for line in label.ship_from.text_lines()[:4]:
        y += z.text(30, y, line, 22, half - 20) + 4
    z.text(30 + half, 24, "TO", 20, 200)
    y = 50.0
    for i, line in enumerate(label.ship_to.text_lines()[:6]):
        y += z.text(30 + half, y, line, 30 if i == 0 else 24, half) + 4
    z.box(30, 270, 752, 3)
    postal, sscc = element_strings(label)
    if postal:
        z.text(30, 285, f"SHIP TO POST CODE (420) {postal_code(label)}", 26, 752)
        z.code128(60, 320, postal, 130, 700, module=3, gs1=True)
    z.box(30, 480, 752, 3)
    details = [
        ("ORDER", label.order_number),
        ("PACKAGE", f"{label.package_seq} of {label.package_count}"),
        ("GROSS WEIGHT", weight_text(label.weight_g)),
        ("SHIP DATE", label.ship_date.isoformat()),
    ]
    for i, (title, value) in enumerate(details):
        x = 30 + (i % 2) * half
        yy = 500 + (i // 2) * 80
        z.text(x, yy, title, 20, half - 20)
        z.text(x, yy + 26, value, 34, half - 20)
    z.box(30, 670, 752, 3)
    z.text(30, 690, "SSCC", 26, 200)
    z.text(30, 730, sscc_hri(label.sscc, prefix_length), 44, 752)
    z.code128(46, 800, sscc, 260, 736, module=4, gs1=True)
    z.text(30, 1080, sscc_hri(label.sscc, prefix_length), 36, 752)
    return z.render()
