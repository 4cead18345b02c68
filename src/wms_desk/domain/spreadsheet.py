"""Spreadsheet safety: values that a spreadsheet would run as formulas are neutralised on export."""

from __future__ import annotations

# OWASP's list: a cell starting with one of these is treated as a formula by Excel/LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def neutralise(value: object) -> str:
    """Prefix a single quote (what Symfony adopted for CVE-2021-41270), so it shows as text."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text
