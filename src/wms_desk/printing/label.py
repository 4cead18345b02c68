"""The 4x6 in shipping label as PDF and as ZPL II (203/300 dpi), and carrier labels as-is."""

from __future__ import annotations

from typing import Any

from wms_desk.domain.codes import code128_safe
from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.model import ShippingLabel, weight_text
from wms_desk.printing.pdf import LABEL_4X6, fit_text, render_pages, rule
from wms_desk.printing.zpl import Zpl

PROVISIONAL_NOTE = "PROVISIONAL REFERENCE - NOT A CARRIER TRACKING NUMBER"
RETURN_NOTE = "RETURN"
W, H = LABEL_4X6
M = 12.0  # margin in points


def tracking_caption(label: ShippingLabel) -> str:
    if label.provisional:
        return f"REF {label.tracking_number}"
    return f"TRACKING # {label.tracking_number}"


def _band(label: ShippingLabel) -> str:
    """The white-on-black band under the service: a provisional reference or a return."""
    if label.provisional:
        return PROVISIONAL_NOTE
    return RETURN_NOTE if label.return_label else ""


def _footer(label: ShippingLabel) -> str:
    kind = "RETURN · " if label.return_label else ""
    return kind + (
        f"ORDER {label.order_number} · PKG {label.package_seq} of {label.package_count} · "
        f"{label.ship_date.isoformat()}"
    )


def draw_label(c: Any, label: ShippingLabel) -> None:
    inner = W - 2 * M
    y = H - M - 8
    fit_text(c, "FROM:", M, y, 40, 7, bold=True)
    for line in label.ship_from.text_lines()[:4]:
        fit_text(c, line, M + 34, y, inner * 0.6 - 34, 7)
        y -= 8.5
    fit_text(c, label.ship_date.isoformat(), M, H - M - 8, inner, 8, align="right")
    fit_text(c, weight_text(label.weight_g), M, H - M - 20, inner, 10, bold=True, align="right")
    fit_text(
        c,
        f"PKG {label.package_seq} of {label.package_count}",
        M,
        H - M - 33,
        inner,
        10,
        bold=True,
        align="right",
    )
    y = H - M - 46
    rule(c, M, y, W - M, 1.5)
    fit_text(c, "SHIP TO:", M, y - 12, 60, 8, bold=True)
    lines = label.ship_to.text_lines()[:7]
    y -= 30
    for i, line in enumerate(lines):
        size = 16 if i == 0 else 13
        fit_text(c, line, M + 16, y, inner - 16, size, bold=i == 0 or line == lines[-1], min_size=9)
        y -= size + 4
    y = 222.0
    rule(c, M, y, W - M, 1.5)
    fit_text(c, label.service or "SERVICE NOT SET", M, y - 30, inner - 100, 22, bold=True)
    c.rect(W - M - 90, y - 44, 90, 40)
    fit_text(c, "ROUTING", W - M - 86, y - 13, 82, 6)
    fit_text(c, label.routing_code, W - M - 86, y - 36, 82, 16, bold=True, align="center")
    y -= 50
    rule(c, M, y, W - M, 1.5)
    band = _band(label)
    if band:
        c.setFillGray(0)
        c.rect(M, y - 17, inner, 13, fill=1)
        c.setFillGray(1)
        fit_text(c, band, M + 2, y - 14, inner - 4, 8, bold=True, align="center")
        c.setFillGray(0)
    bar_top = y - 22
    # A barcode that drops characters would name another parcel: then the caption alone.
    if code128_safe(label.tracking_number):
        draw_code128(c, label.tracking_number, M + 6, bar_top - 70, 70, 1.2, inner - 12)
    fit_text(c, tracking_caption(label), M, bar_top - 86, inner, 11, bold=True, align="center")
    rule(c, M, 40, W - M, 1.0)
    fit_text(c, _footer(label), M, 26, inner, 9, align="center")


def shipping_label_pdf(label: ShippingLabel) -> bytes:
    return render_pages(LABEL_4X6, f"Label {label.order_number}", [label], draw_label)


def shipping_labels_pdf(labels: list[ShippingLabel]) -> bytes:
    """Many labels, one per page, in one PDF (a batch sent to a PDF label printer)."""
    return render_pages(LABEL_4X6, "Labels", labels, draw_label)


def shipping_label_zpl(label: ShippingLabel, dpi: int = 203) -> bytes:
    z = Zpl(dpi)
    inner = 812 - 60
    z.text(30, 24, "FROM:", 20, 80)
    y = 24.0
    for line in label.ship_from.text_lines()[:4]:
        y += z.text(110, y, line, 20, 420) + 4
    z.text(560, 24, label.ship_date.isoformat(), 24, 222)
    z.text(560, 56, weight_text(label.weight_g), 30, 222)
    z.text(560, 94, f"PKG {label.package_seq} of {label.package_count}", 30, 222)
    z.box(30, 140, inner, 3)
    z.text(30, 155, "SHIP TO:", 24, 200)
    y = 190.0
    for i, line in enumerate(label.ship_to.text_lines()[:7]):
        y += z.text(70, y, line, 50 if i == 0 else 40, inner - 40, max_len=60) + 8
    z.box(30, 650, inner, 3)
    z.text(30, 680, label.service or "SERVICE NOT SET", 70, inner - 290, max_len=30)
    z.box(542, 660, 240, 120, 2)
    z.text(552, 668, "ROUTING", 18, 200)
    if label.routing_code:
        z.text(552, 700, label.routing_code, 60, 220, max_len=12)
    z.box(30, 790, inner, 3)
    y = 800.0
    band = _band(label)
    if band:
        z.box(30, y, inner, 34, 34)
        # Reverse print (^FR) so the warning reads white on black.
        z.parts.append(
            f"^FO{z.d(40)},{z.d(y + 6)}^FR^A0N,{z.d(24)},{z.d(24)}^FB{z.d(inner - 20)},"
            f"1,0,C,0^FH_^FD{band}^FS"
        )
    if code128_safe(label.tracking_number):
        z.code128(50, 850, label.tracking_number, 190, inner - 40)
    z.text(30, 1060, tracking_caption(label), 34, inner, max_len=70)
    z.box(30, 1120, inner, 2, 2)
    z.text(30, 1140, _footer(label), 28, inner, max_len=80)
    return z.render()


def carrier_label(payload: bytes, fmt: str) -> bytes:
    """A carrier's own label, passed through byte-exact: checked, never re-rendered."""
    if fmt == "pdf" and not payload.startswith(b"%PDF-"):
        raise ValueError("carrier label claims to be PDF but does not start with %PDF-")
    if fmt == "zpl" and b"^XA" not in payload[:512]:
        raise ValueError("carrier label claims to be ZPL but has no ^XA")
    if fmt not in ("pdf", "zpl"):
        raise ValueError(f"unknown carrier label format {fmt!r}")
    return payload
