"""What a report is: its name, its filters, and the figures, tables and chart it gives back.

One shape for every report so the CLI (json/csv/pdf), the PDF renderer and the Reports screen each
have a single way to show any of them. Pure values: the SQL that fills them lives in db/queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ReportName(StrEnum):
    """The CLI's NAME argument (a contract: `wms-desk report NAME`)."""

    STATUS = "status"
    THROUGHPUT = "throughput"
    FULFILMENT_TIME = "fulfilment-time"
    ACCURACY = "accuracy"
    RETURNS = "returns"
    CARRIER_SPEND = "carrier-spend"
    STOCK = "stock"

    @property
    def label(self) -> str:
        """What a person reads (`title` is str's own method on a StrEnum)."""
        return _TITLES[self]


_TITLES: dict[ReportName, str] = {
    ReportName.STATUS: "Orders by status",
    ReportName.THROUGHPUT: "Throughput",
    ReportName.FULFILMENT_TIME: "Fulfilment time",
    ReportName.ACCURACY: "Pick and pack accuracy",
    ReportName.RETURNS: "Returns",
    ReportName.CARRIER_SPEND: "Carrier spend",
    ReportName.STOCK: "Stock",
}


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


@dataclass(frozen=True)
class ReportFilters:
    """`start` and `end` are local calendar days, both inclusive; None means open-ended.

    `timezone` is the IANA zone the days and hours are counted in (the site's), so a day with a
    daylight-saving change has 23 or 25 hours and each real hour is counted once.
    """

    start: date | None = None
    end: date | None = None
    channel: str | None = None
    carrier: str | None = None
    station: str | None = None
    packer: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"The range ends ({self.end}) before it starts ({self.start}).")


class ValueKind(StrEnum):
    """How a cell or figure is shown and exported."""

    TEXT = "text"
    COUNT = "count"  # int
    NUMBER = "number"  # Decimal
    MONEY = "money"  # Decimal, in the report's currency column or figure label
    PERCENT = "percent"  # Decimal 0..100
    SECONDS = "seconds"  # Decimal duration
    DATE = "date"
    DATETIME = "datetime"  # aware UTC


Cell = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    key: str  # JSON/CSV key, snake_case
    title: str  # what a person reads
    kind: ValueKind = ValueKind.TEXT


@dataclass(frozen=True)
class Table:
    """One breakdown (per packer, per SKU, ...); rows line up with columns."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.key}: a row has {len(row)} cells for {len(self.columns)}")


@dataclass(frozen=True)
class Figure:
    """A headline number (median, 90th percentile, on-time rate, ...)."""

    key: str
    label: str
    value: Cell
    kind: ValueKind = ValueKind.COUNT


class ChartKind(StrEnum):
    BAR = "bar"
    LINE = "line"
    HISTOGRAM = "histogram"


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[str, Decimal], ...]  # (category or bucket label, value)


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Report:
    name: ReportName
    filters: ReportFilters
    generated_at: datetime
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. "No orders in this range."

    @property
    def title(self) -> str:
        return self.name.label

    @property
    def empty(self) -> bool:
        return not any(t.rows for t in self.tables)


class ReportCancelled(Exception):
    """The person who asked for the report cancelled it before it finished."""
