"""The shipped TTF fonts: found beside the source checkout, registered with reportlab once.

Fonts live in `resources/fonts/` at the repository root (beside `src/`). We find that folder by
walking up from this file, so it works from a source checkout, an editable install and a
PyInstaller bundle (`sys._MEIPASS/resources`). `WMS_DESK_RESOURCES` overrides the search.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

SANS = "WmsSans"
SANS_BOLD = "WmsSans-Bold"
FALLBACK = "WmsFallback"  # CJK and other scripts DejaVu lacks

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallback.ttf",
}


class FontsMissing(RuntimeError):
    """The shipped fonts cannot be found; the message says where we looked."""


@functools.cache
def resources_dir() -> Path:
    """The `resources/` folder: env override, PyInstaller bundle, or walk up from this module."""
    candidates: list[Path] = []
    if os.environ.get("WMS_DESK_RESOURCES"):
        candidates.append(Path(os.environ["WMS_DESK_RESOURCES"]))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.extend(parent / "resources" for parent in Path(__file__).resolve().parents)
    for candidate in candidates:
        if (candidate / "fonts" / _FILES[SANS]).is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates[:4])
    raise FontsMissing(f"Cannot find resources/fonts/{_FILES[SANS]} (looked in {looked}).")


def font_path(name: str) -> Path:
    return resources_dir() / "fonts" / _FILES[name]


@functools.cache
def _registered(name: str) -> object:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(name, str(font_path(name)))
    pdfmetrics.registerFont(font)
    return font


def ensure_fonts() -> None:
    """Register the Latin/Greek/Cyrillic fonts (cheap); the large fallback loads on first use."""
    _registered(SANS)
    _registered(SANS_BOLD)


@functools.cache
def _covered() -> frozenset[int]:
    font = _registered(SANS)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


def font_for(text: str, bold: bool = False) -> str:
    """DejaVu when it has every glyph of `text`, else the CJK-capable fallback (never boxes)."""
    ensure_fonts()
    if text.isascii() or all(ord(ch) in _covered() for ch in text):
        return SANS_BOLD if bold else SANS
    _registered(FALLBACK)
    return FALLBACK


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """(font, piece) runs: DejaVu for what it covers, the fallback for the rest (e.g. CJK).

    The fallback font has no Latin glyphs, so mixed text such as `Mug 東京 1` is split.
    """
    main = font_for("", bold)
    if text.isascii():
        return [(main, text)]
    covered = _covered()
    out: list[tuple[str, str]] = []
    for ch in text:
        font = main if ord(ch) in covered or ch == " " else FALLBACK
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    if any(font == FALLBACK for font, _ in out):
        _registered(FALLBACK)
    return out
