"""ZPL II building blocks: every variable field goes through ^FH with hex escapes.

`^FH_` makes `_` the escape character; `^`, `~`, `_` and every byte below 0x20 (and DEL) in
data are written as `_XX`, so no customer text can end a field or start a printer command
(a ship-to name `^XZ^XA^MMT~JA` prints as text). `^CI28` makes the printer read UTF-8.
Layouts are written in 203-dpi dots and scaled for 300 dpi.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESCAPE = "_"
GS = "\x1d"
CHAR_WIDTH = 0.56  # ^A0 average advance per dot of height: what shrink-to-fit estimates with


def escape(text: str, max_len: int) -> str:
    """Cap at `max_len` characters, then hex-escape everything that could carry ZPL syntax."""
    out = []
    for ch in text[:max_len]:
        code = ord(ch)
        if ch in "^~" or ch == ESCAPE or code < 0x20 or code == 0x7F:
            out.append(f"{ESCAPE}{code:02X}")
        else:
            out.append(ch)
    return "".join(out)


def code128_mode_n(data: str, gs1: bool = False) -> tuple[str, int]:
    """Field data for `^BC...,N` with explicit subsets; GS in `data` means FNC1.

    Returns the field data and the number of symbol characters (for the symbol's width).
    Runs of 4+ digits go in subset C, the rest in B; a literal `>` is `><` in subset B.
    """
    if gs1:
        data = GS + data
    out: list[str] = []
    subset = ""
    symbols = 0
    i = 0

    def digit_run(start: int) -> int:
        end = start
        while end < len(data) and data[end].isdigit():
            end += 1
        return end - start

    while i < len(data):
        ch = data[i]
        if ch == GS:
            if not subset:  # a start code must come before the leading FNC1
                subset = "C" if digit_run(i + 1) >= 2 else "B"
                out.append(">;" if subset == "C" else ">:")
                symbols += 1
            out.append(">8")
            symbols += 1
            i += 1
            continue
        run = digit_run(i)
        if run >= 4 or (run >= 2 and subset == "C"):
            even = run - run % 2
            if subset != "C":
                out.append(">;")
                symbols += 1
                subset = "C"
            out.append(data[i : i + even])
            symbols += even // 2
            i += even
            continue
        if subset != "B":
            out.append(">:")
            symbols += 1
            subset = "B"
        if not 32 <= ord(ch) < 127:
            raise ValueError(f"Code 128 subset B cannot hold {ch!r}")
        out.append("><" if ch == ">" else ch)
        symbols += 1
        i += 1
    return "".join(out), symbols + 1  # + check character


@dataclass
class Zpl:
    """One label: `^XA` ... `^XZ`, sized by ^PW/^LL; coordinates given in 203-dpi dots."""

    dpi: int = 203
    width_in: float = 4.0
    height_in: float = 6.0
    parts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.dpi not in (203, 300):
            raise ValueError("ZPL labels are made for 203 or 300 dpi printers")
        self.width = round(self.width_in * self.dpi)
        self.height = round(self.height_in * self.dpi)
        self.parts = ["^XA", "^CI28", f"^PW{self.width}", f"^LL{self.height}", "^LH0,0"]

    def d(self, dots203: float) -> int:
        return round(dots203 * self.dpi / 203)

    def _origin(self, x: float, y: float, w: float = 0, h: float = 0) -> str:
        sx, sy = self.d(x), self.d(y)
        if sx < 0 or sy < 0 or sx + self.d(w) > self.width or sy + self.d(h) > self.height:
            raise ValueError(f"field at {x},{y} size {w}x{h} lies outside the label")
        return f"^FO{sx},{sy}"

    def text(
        self,
        x: float,
        y: float,
        text: str,
        height: float,
        max_width: float,
        max_len: int = 60,
        min_height: float = 18,
        lines: int = 1,
    ) -> float:
        """Shrink to fit, then wrap over `lines` lines (^FB), then cut; returns height used."""
        text = " ".join(text.split())[:max_len]
        h = height
        if len(text) * h * CHAR_WIDTH > max_width:
            h = max(min_height, max_width / (max(len(text), 1) * CHAR_WIDTH))
        per_line = max(int(max_width / (h * CHAR_WIDTH)), 1)
        n = min(lines, -(-len(text) // per_line)) if text else 1
        text = text[: per_line * n]
        hh = self.d(h)
        block = f"^FB{self.d(max_width)},{n},0,L,0" if n > 1 else ""
        self.parts.append(
            f"{self._origin(x, y, max_width, h * n)}^A0N,{hh},{hh}{block}"
            f"^FH{ESCAPE}^FD{escape(text, max_len)}^FS"
        )
        return h * n

    def box(self, x: float, y: float, w: float, h: float, thickness: float = 3) -> None:
        t = max(self.d(thickness), 1)
        self.parts.append(f"{self._origin(x, y, w, h)}^GB{self.d(w)},{self.d(h)},{t}^FS")

    def code128(
        self,
        x: float,
        y: float,
        data: str,
        height: float,
        max_width: float,
        module: float = 3,
        gs1: bool = False,
    ) -> None:
        """Code 128 (GS1-128 with `gs1`), module width reduced until it fits `max_width`."""
        encoded, symbols = code128_mode_n(data, gs1)
        modules = symbols * 11 + 13 + 20  # start..check, stop, 10X quiet zones
        m = max(self.d(module), 1)
        while m > 1 and modules * m > self.d(max_width):
            m -= 1
        if modules * m > self.d(max_width):
            raise ValueError(f"barcode {data!r} does not fit in {max_width} dots")
        self.parts.append(
            f"{self._origin(x, y, max_width, height)}^BY{m},3,{self.d(height)}"
            f"^BCN,{self.d(height)},N,N,N,N^FH{ESCAPE}^FD{escape(encoded, 200)}^FS"
        )

    def ean13(self, x: float, y: float, code: str, height: float, module: float = 3) -> None:
        """EAN-13 (^BE) with its digits printed below; the printer adds the check digit."""
        if not (len(code) in (12, 13) and code.isdigit()):
            raise ValueError(f"not an EAN-13: {code!r}")
        m = max(self.d(module), 1)
        self.parts.append(
            f"{self._origin(x, y, 113 * m * 203 / self.dpi, height + 30)}^BY{m},3,{self.d(height)}"
            f"^BEN,{self.d(height)},Y,N^FH{ESCAPE}^FD{code[:12]}^FS"
        )

    def qr(self, x: float, y: float, data: str, magnification: int = 5) -> None:
        mag = max(min(round(magnification * self.dpi / 203), 10), 1)
        self.parts.append(
            f"{self._origin(x, y)}^BQN,2,{mag}^FH{ESCAPE}^FDQA,{escape(data, 200)}^FS"
        )

    def datamatrix(self, x: float, y: float, data: str, module: float = 6) -> None:
        self.parts.append(
            f"{self._origin(x, y)}^BXN,{self.d(module)},200^FH{ESCAPE}^FD{escape(data, 200)}^FS"
        )

    def render(self, copies: int = 1) -> bytes:
        return ("\n".join([*self.parts, f"^PQ{copies}", "^XZ"]) + "\n").encode("utf-8")
