"""What the supervisor's dashboard counts: exception kinds, backlog windows, hourly throughput."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from wms_desk.domain.due import Due, ShipByRange, tomorrow_range, window_range
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.reports import Chart, ChartKind, Series
from wms_desk.domain.weighing import WeightCheck


class ExceptionKind(StrEnum):
    SHORT_PICK = "short_pick"
    WRONG_SCAN = "wrong_scan"
    WEIGHT_MISMATCH = "weight_mismatch"
    PRINT_FAILURE = "print_failure"
    VOIDED_LABEL = "voided_label"

    @property
    def label(self) -> str:
        return _EXCEPTION_LABELS[self]


_EXCEPTION_LABELS = {
    ExceptionKind.SHORT_PICK: "Short picks",
    ExceptionKind.WRONG_SCAN: "Wrong scans",
    ExceptionKind.WEIGHT_MISMATCH: "Weight mismatches",
    ExceptionKind.PRINT_FAILURE: "Print failures",
    ExceptionKind.VOIDED_LABEL: "Voided labels",
}

# A wrong scan is one the pack station refused (red flash); NOT_COMPLETE answers COMPLETE, not
# an item scan, so it is no scanning mistake.
WRONG_SCAN_OUTCOMES: frozenset[ScanOutcome] = frozenset(
    o for o in ScanOutcome if not o.accepted and o is not ScanOutcome.NOT_COMPLETE
)
# A weighing outside the tolerance, whether the station only warned or blocked COMPLETE.
MISMATCHED_WEIGHTS: frozenset[WeightCheck] = frozenset({WeightCheck.WARN, WeightCheck.BLOCK})


class Backlog(StrEnum):
    """Open orders against their ship-by: the first two are domain.due's windows."""

    LATE = "late"
    TODAY = "today"
    TOMORROW = "tomorrow"

    @property
    def label(self) -> str:
        return {"late": "Late", "today": "Due today", "tomorrow": "Due tomorrow"}[self.value]


def backlog_range(backlog: Backlog, now: datetime, utc_offset: timedelta) -> ShipByRange:
    if backlog is Backlog.TOMORROW:
        return tomorrow_range(now, utc_offset)
    return window_range(Due(backlog.value), now, utc_offset)


class Measure(StrEnum):
    PACKED = "packed"
    SHIPPED = "shipped"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class WorkCell:
    """How many orders were packed (or shipped) in one local hour of today, at one station, by
    one person: the unit the hourly chart and the per-station and per-packer totals add up."""

    measure: Measure
    hour: int  # 0..23, local
    station_id: int | None
    station: str
    user_id: int | None
    packer: str
    orders: int


@dataclass(frozen=True)
class WorkSlice:
    """Which of today's work a number stands for (None: any), within the day it was counted."""

    day_start: datetime
    day_end: datetime
    measure: Measure | None = None
    hour: int | None = None
    station_id: int | None = None
    user_id: int | None = None


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def hourly_chart(
    cells: Iterable[WorkCell],
    last_hour: int,
    station: str | None = None,
    packer: str | None = None,
) -> Chart:
    """Orders packed and shipped per local hour of today, up to `last_hour`, optionally at one
    station or by one packer."""
    per: dict[tuple[Measure, int], int] = {}
    for cell in cells:
        if station is not None and cell.station != station:
            continue
        if packer is not None and cell.packer != packer:
            continue
        key = (cell.measure, cell.hour)
        per[key] = per.get(key, 0) + cell.orders
    hours = range(0, max(last_hour, 0) + 1)
    series = tuple(
        Series(
            measure.label,
            tuple((hour_label(h), Decimal(per.get((measure, h), 0))) for h in hours),
        )
        for measure in Measure
    )
    who = f" at {station}" if station else f" by {packer}" if packer else ""
    return Chart(ChartKind.BAR, f"Orders per hour today{who}", "Hour", "Orders", series)
