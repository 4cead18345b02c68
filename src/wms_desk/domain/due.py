"""When an open order is due: late (ship-by has passed), due today (local day), or later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from wms_desk.domain.order_status import OPEN, OrderStatus


class Due(StrEnum):
    LATE = "late"
    TODAY = "today"
    LATER = "later"

    @property
    def label(self) -> str:
        return {"late": "Late", "today": "Due today", "later": "Later"}[self.value]


SHIP_WINDOWS: tuple[str, ...] = tuple(d.value for d in Due)
# Only an order still to ship can be late: a shipped or cancelled one has no ship-by to meet.
DUE_STATUSES: frozenset[OrderStatus] = OPEN


def day_bounds(now: datetime, utc_offset: timedelta = timedelta(0)) -> tuple[datetime, datetime]:
    """Start and end of the local day containing `now`, in `now`'s own time zone."""
    local = now + utc_offset
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - utc_offset
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class ShipByRange:
    """ship_by >= lower (when set) and ship_by < upper (when set), for open orders only."""

    lower: datetime | None
    upper: datetime | None

    def contains(self, ship_by: datetime) -> bool:
        return (self.lower is None or ship_by >= self.lower) and (
            self.upper is None or ship_by < self.upper
        )


def window_range(
    window: Due | str, now: datetime, utc_offset: timedelta = timedelta(0)
) -> ShipByRange:
    """The ship-by range a window covers at `now`: what the SQL filter and the colours share."""
    due = Due(window)
    _start, end = day_bounds(now, utc_offset)
    if due is Due.LATE:
        return ShipByRange(None, now)
    if due is Due.TODAY:
        return ShipByRange(now, end)
    return ShipByRange(end, None)


def tomorrow_range(now: datetime, utc_offset: timedelta = timedelta(0)) -> ShipByRange:
    """The local day after today: the part of "later" a supervisor plans tomorrow's shift by."""
    _start, end = day_bounds(now, utc_offset)
    return ShipByRange(end, end + timedelta(days=1))


def due_state(
    ship_by: datetime | None,
    status: OrderStatus | str,
    now: datetime,
    utc_offset: timedelta = timedelta(0),
) -> Due | None:
    """Which window an order falls in; None when it has no ship-by or is no longer open."""
    if ship_by is None or status not in DUE_STATUSES:
        return None
    for due in Due:
        if window_range(due, now, utc_offset).contains(ship_by):
            return due
    raise AssertionError("the windows cover every time")  # pragma: no cover


def utc_offset_of(moment: datetime) -> timedelta:
    """The offset of an aware local time (naive counts as UTC)."""
    return moment.utcoffset() or timedelta(0)
