"""Barcodes on PDF pages (reportlab graphics.barcode) and the GS1 rules they need."""

from __future__ import annotations

from typing import Any

FNC1 = "\xf1"  # reportlab's Code128 FNC1; a scanner sends the later ones as GS
GS = "\x1d"


def gs1_check_digit(digits: str) -> int:
    """GS1 mod-10: weights 3,1,3,... from the right, over the digits before the check digit."""
    if not digits.isdigit():
        raise ValueError(f"not all digits: {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid_sscc(sscc: str) -> bool:
    return len(sscc) == 18 and sscc.isdigit() and gs1_check_digit(sscc[:17]) == int(sscc[17])


def sscc_hri(sscc: str, prefix_length: int = 7) -> str:
    """`(00) 0 0614141 123456789 0`: extension, company prefix, serial reference, check."""
    p = 1 + prefix_length
    return f"(00) {sscc[0]} {sscc[1:p]} {sscc[p:17]} {sscc[17]}"


def gs1_element_string(*pairs: tuple[str, str]) -> str:
    """AIs joined the way a scanner reports them: variable-length fields end with GS."""
    fixed = {"00": 18, "01": 14, "02": 14, "11": 6, "13": 6, "15": 6, "17": 6, "20": 2}
    out = ""
    for i, (ai, value) in enumerate(pairs):
        out += ai + value
        last = i == len(pairs) - 1
        if not last and ai not in fixed:
            out += GS
    return out


def is_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and gs1_check_digit(code[:12]) == int(code[12])


def _code128(value: str, bar_height: float, bar_width: float) -> Any:
    from reportlab.graphics.barcode.code128 import Code128

    return Code128(value, barHeight=bar_height, barWidth=bar_width, humanReadable=False, quiet=True)


def code128_width(value: str, bar_height: float, bar_width: float) -> float:
    return float(_code128(value, bar_height, bar_width).width)


def draw_code128(
    canvas: Any,
    value: str,
    x: float,
    y: float,
    bar_height: float,
    bar_width: float = 1.0,
    max_width: float | None = None,
) -> float:
    """Code 128 (auto subsets), narrowed to fit `max_width`; returns the width drawn.

    reportlab silently drops characters Code 128 has no code for, so a value with any is
    refused here: a barcode must decode to exactly what was asked for.
    """
    if any(ord(ch) > 127 and ch != FNC1 for ch in value):
        raise ValueError(f"Code 128 cannot carry {value!r}")
    symbol = _code128(value, bar_height, bar_width)
    if max_width is not None and symbol.width > max_width:
        symbol = _code128(value, bar_height, bar_width * max_width / symbol.width)
    symbol.drawOn(canvas, x, y)
    return float(symbol.width)


def draw_gs1_128(
    canvas: Any,
    element_string: str,
    x: float,
    y: float,
    bar_height: float,
    bar_width: float = 1.4,
    max_width: float | None = None,
) -> float:
    """GS1-128: FNC1 first, and FNC1 where the element string has a GS separator."""
    value = FNC1 + element_string.replace(GS, FNC1)
    return draw_code128(canvas, value, x, y, bar_height, bar_width, max_width)


def _draw(canvas: Any, kind: str, x: float, y: float, **options: Any) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import createBarcodeDrawing

    renderPDF.draw(createBarcodeDrawing(kind, **options), canvas, x, y)


def draw_ean13(canvas: Any, code: str, x: float, y: float, bar_height: float) -> None:
    _draw(
        canvas,
        "EAN13",
        x,
        y,
        value=code[:12],
        barHeight=bar_height,
        barWidth=1.1,
        humanReadable=True,
        fontSize=8,
    )


def draw_qr(canvas: Any, value: str, x: float, y: float, size: float) -> None:
    _draw(canvas, "QR", x, y, value=value, width=size, height=size, barBorder=2)


def datamatrix_codewords(value: str, capacity: int) -> list[int]:
    """ECC200 data codewords in ASCII mode (digit pairs packed), then the standard padding."""
    words: list[int] = []
    i = 0
    while i < len(value):
        pair = value[i : i + 2]
        if len(pair) == 2 and all(ch in "0123456789" for ch in pair):
            words.append(130 + int(pair))
            i += 2
            continue
        code = ord(value[i])
        if code > 255:
            raise ValueError(f"DataMatrix cannot hold {value[i]!r}")
        words += [235, code - 127] if code > 127 else [code + 1]  # 235: upper shift
        i += 1
    if len(words) > capacity:
        raise ValueError(f"{value!r} is too long for a DataMatrix symbol")
    if len(words) < capacity:
        words.append(129)
        while len(words) < capacity:
            r = ((149 * (len(words) + 1)) % 253) + 1
            words.append((129 + r) % 254)
    return words


def draw_datamatrix(canvas: Any, value: str, x: float, y: float, size: float) -> None:
    """A 44x44 ECC200 symbol `size` points wide.

    reportlab's own encoder uses C40 and, when one C40 value is left over at the end, pads
    with Shift 1 so scanners read a stray NUL (`'1'` decodes as `'1\\x00'`); ASCII mode has
    no such case, so we swap in our encoder and keep reportlab's Reed-Solomon and drawing.
    """
    from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix

    class _AsciiDataMatrix(ECC200DataMatrix):
        def _encode_c40(self, value: str) -> list[int]:
            return datamatrix_codewords(value, self.cw_data)

    symbol = _AsciiDataMatrix(value=value, barWidth=size / 44)
    symbol.validate()
    symbol.encode()
    symbol.computeSize()
    symbol.x = symbol.y = 0  # drawOn translates; draw() adds these offsets
    symbol.drawOn(canvas, x, y)
