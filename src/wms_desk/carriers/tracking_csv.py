"""Rate-card carriers' tracking files: a CSV of scans (documented in docs/carriers.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from wms_desk.domain.tracking import ExceptionKind, TrackingEvent, TrackingStatus

S = TrackingStatus
K = ExceptionKind
COLUMNS = ("tracking", "status", "at", "where", "description")
REQUIRED = ("tracking", "status", "at")

# The fixed set of status words a tracking CSV may use (case, spaces, "-" and "_" ignored):
# (status, exception kind). Documented in docs/carriers.md; a word not here refuses the row.
STATUS_WORDS: dict[str, tuple[TrackingStatus, ExceptionKind | None]] = {
    "unknown": (S.UNKNOWN, None),
    "pre transit": (S.PRE_TRANSIT, None),
    "label created": (S.PRE_TRANSIT, None),
    "info received": (S.PRE_TRANSIT, None),
    "accepted": (S.IN_TRANSIT, None),
    "picked up": (S.IN_TRANSIT, None),
    "in transit": (S.IN_TRANSIT, None),
    "transit": (S.IN_TRANSIT, None),
    "out for delivery": (S.OUT_FOR_DELIVERY, None),
    "available for pickup": (S.AVAILABLE_FOR_PICKUP, None),
    "at pickup point": (S.AVAILABLE_FOR_PICKUP, None),
    "delivered": (S.DELIVERED, None),
    "exception": (S.EXCEPTION, None),
    "failure": (S.EXCEPTION, None),
    "delivery failed": (S.EXCEPTION, None),
    "damaged": (S.EXCEPTION, K.DAMAGED),
    "address problem": (S.EXCEPTION, K.ADDRESS_PROBLEM),
    "bad address": (S.EXCEPTION, K.ADDRESS_PROBLEM),
    "returned to sender": (S.RETURNED_TO_SENDER, K.RETURNED_TO_SENDER),
    "return to sender": (S.RETURNED_TO_SENDER, K.RETURNED_TO_SENDER),
    "returned": (S.RETURNED_TO_SENDER, K.RETURNED_TO_SENDER),
    "cancelled": (S.CANCELLED, None),
    "canceled": (S.CANCELLED, None),
}


class TrackingFileError(ValueError):
    """The whole file cannot be read (no header, wrong columns); the message says the fix."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # the line number in the file (the header is line 1)
    tracking: str
    message: str

    def __str__(self) -> str:
        named = f" ({self.tracking})" if self.tracking else ""
        return f"row {self.row}{named}: {self.message}"


@dataclass(frozen=True)
class ParsedRows:
    events: tuple[tuple[int, TrackingEvent], ...]  # (row, event)
    problems: tuple[RowProblem, ...]


def status_of(word: str) -> tuple[TrackingStatus, ExceptionKind | None] | None:
    normal = " ".join(word.lower().replace("-", " ").replace("_", " ").split())
    return STATUS_WORDS.get(normal)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def parse_tracking_csv(text: str, carrier: str, source: str = "tracking file") -> ParsedRows:
    """Each row is one scan. Bad rows are reported by line number; the good ones are kept."""
    text = text.lstrip("\ufeff")
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise TrackingFileError(f"{source} is empty: write a header line {','.join(COLUMNS)}.")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise TrackingFileError(
            f"{source}: the header line lacks {', '.join(missing)} (it has "
            f"{', '.join(n for n in names if n) or 'nothing'}); the columns are "
            f"{','.join(COLUMNS)} (where and description may be left out)."
        )
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise TrackingFileError(
            f"{source}: unknown column {unknown[0]!r}; the columns are {','.join(COLUMNS)}."
        )
    index = {name: i for i, name in enumerate(names)}
    events: list[tuple[int, TrackingEvent]] = []
    problems: list[RowProblem] = []
    for row_no, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        tracking = cell("tracking")
        if not tracking:
            problems.append(RowProblem(row_no, "", "no tracking number"))
            continue
        found = status_of(cell("status"))
        if found is None:
            problems.append(
                RowProblem(
                    row_no,
                    tracking,
                    f"unknown status {cell('status')!r}; use one of the words in "
                    "docs/carriers.md (delivered, in transit, returned to sender ...)",
                )
            )
            continue
        try:
            at = _time(cell("at"))
        except ValueError:
            problems.append(
                RowProblem(
                    row_no,
                    tracking,
                    f"{cell('at')!r} is not a date and time like 2026-12-03T14:05:00Z",
                )
            )
            continue
        status, kind = found
        events.append(
            (
                row_no,
                TrackingEvent(
                    tracking=tracking,
                    status=status,
                    at=at,
                    where=cell("where"),
                    description=cell("description"),
                    source=f"csv:{carrier}",
                    exception=kind,
                ),
            )
        )
    return ParsedRows(tuple(events), tuple(problems))
