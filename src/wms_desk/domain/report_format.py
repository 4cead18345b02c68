"""How report values are written out: JSON values, CSV cells and the text a person reads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wms_desk.domain.reports import Cell, Report, ValueKind


def json_value(value: Cell) -> Any:
    """Counts as numbers; decimals as strings (money and percentages stay exact); ISO times."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_cell(value: Cell) -> str:
    """A CSV cell: the plain value (seconds as a number, so a spreadsheet can sum it)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def display(value: Cell, kind: ValueKind) -> str:
    """What a person reads on paper or on screen."""
    if value is None:
        return "-"
    if kind is ValueKind.SECONDS and isinstance(value, int | Decimal):
        return duration(int(value))
    if kind is ValueKind.PERCENT:
        return f"{value} %"
    if kind is ValueKind.COUNT and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def duration(seconds: int) -> str:
    """1 d 2 h, 3 h 05 min, 12 min, 40 s."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def filter_text(report: Report) -> str:
    """One line naming the range and every filter, for headings and the CSV's first rows."""
    f = report.filters
    span = f"From {f.start or 'the beginning'} to {f.end or 'today'} ({f.timezone})"
    extra = [
        f"{label} {value}"
        for label, value in (
            ("channel", f.channel),
            ("carrier", f.carrier),
            ("station", f.station),
            ("packer", f.packer),
        )
        if value
    ]
    return ", ".join([span, *extra])
