"""Canvas helpers shared by the PDF documents: text that shrinks, wraps or is cut to fit."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from wms_desk.printing.fonts import SANS, ensure_fonts, runs

T = TypeVar("T")
INCH = 72.0
LABEL_4X6 = (4 * INCH, 6 * INCH)
MIN_SIZE = 5.0


def load_renderer() -> None:
    """Import what the first PDF page would otherwise import while a packer waits (reportlab's
    canvas and Code 128: ~0.1 s); the station calls it on a worker at start (app.station)."""
    from reportlab.graphics.barcode import code128  # noqa: F401
    from reportlab.pdfgen import canvas  # noqa: F401


def render_pages(
    pagesize: tuple[float, float],
    title: str,
    items: Iterable[T],
    draw: Callable[[Any, T], None],
) -> bytes:
    """One page per item, drawn by `draw(canvas, item)`; the fonts are embedded (subset)."""
    from reportlab.pdfgen.canvas import Canvas

    ensure_fonts()
    buffer = io.BytesIO()
    # No compression: ~1.7 ms less per 4x6 label; ~80 KB instead of ~45 KB is fine on a LAN.
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=0, initialFontName=SANS)
    canvas.setTitle(title)
    canvas.setCreator("wms-desk")
    for item in items:
        draw(canvas, item)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def string_width(text: str, size: float, bold: bool = False) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(sum(stringWidth(piece, font, size) for font, piece in runs(text, bold)))


def _draw_runs(canvas: Any, text: str, x: float, y: float, size: float, bold: bool) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for font, piece in runs(text, bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += stringWidth(piece, font, size)


def fit_text(
    canvas: Any,
    text: str,
    x: float,
    y: float,
    max_width: float,
    size: float,
    bold: bool = False,
    align: str = "left",
    min_size: float = MIN_SIZE,
) -> float:
    """Draw one line: shrink down to `min_size`, then cut with an ellipsis; returns the size."""
    text = " ".join(text.split())
    width = string_width(text, size, bold)
    if width > max_width:
        size = max(min_size, size * max_width / width)
        width = string_width(text, size, bold)
        while text and width > max_width:
            text = text[:-2] + "…" if len(text) > 2 else ""
            width = string_width(text, size, bold)
    if align == "right":
        x += max_width - width
    elif align == "center":
        x += (max_width - width) / 2
    _draw_runs(canvas, text, x, y, size, bold)
    return size


def wrap_lines(text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap by measured width; a word wider than a line (e.g. CJK) breaks anywhere."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split() or [""]:
            candidate = f"{line} {word}" if line else word
            if string_width(candidate, size, bold) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and string_width(line, size, bold) > max_width:
                cut = len(line) - 1
                while cut > 1 and string_width(line[:cut], size, bold) > max_width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def wrap_text(
    canvas: Any,
    text: str,
    x: float,
    y: float,
    max_width: float,
    size: float,
    max_lines: int,
    bold: bool = False,
    leading: float | None = None,
) -> float:
    """Draw wrapped lines downwards from baseline `y`; the last kept line ends in an ellipsis."""
    leading = leading or size * 1.2
    lines = cap_lines(wrap_lines(text, size, max_width, bold), max_lines)
    for line in lines:
        fit_text(canvas, line, x, y, max_width, size, bold)
        y -= leading
    return y


def cap_lines(lines: list[str], max_lines: int) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    return [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + " …"]


def rule(canvas: Any, x1: float, y: float, x2: float, width: float = 1.0) -> None:
    canvas.setLineWidth(width)
    canvas.line(x1, y, x2, y)
