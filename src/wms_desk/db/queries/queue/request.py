"""What a queue page asks for: the filter, the sort, the window of rows, and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from wms_desk.domain import order_status
from wms_desk.domain.due import SHIP_WINDOWS

# Sort keys the queue offers, each backed by a (status, column...) index so every status is one
# short index range. The id is the tie-breaker that makes pages stable.
SORTS: dict[str, tuple[str, ...]] = {
    "ship_by": ("ship_by",),
    "created": ("created_at",),
    "number": ("number",),
    "customer": ("customer_name",),
    "priority": ("priority", "ship_by"),
    "status": ("ship_by",),  # within each status branch; branches concatenate in status order
}
PRIORITY_BANDS = ("raised", "normal", "lowered")
DEFAULT_LIMIT = 200

__all__ = [
    "DEFAULT_LIMIT",
    "PRIORITY_BANDS",
    "SHIP_WINDOWS",
    "SORTS",
    "QueueFilter",
    "QueueRequest",
]


@dataclass(frozen=True)
class QueueFilter:
    """What the supervisor asked to see. Empty tuples mean "any"."""

    statuses: tuple[str, ...] = ()
    channel_ids: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    priority: str = ""  # "", or one of PRIORITY_BANDS
    ship_window: str = ""  # "", or one of SHIP_WINDOWS (open orders only: domain.due)
    tags: tuple[str, ...] = ()
    station_id: int | None = None
    user_id: int | None = None
    search: str = ""
    # Set by a dashboard link: exactly these orders, or open orders due before this moment
    # (with ship_window "later": the orders due tomorrow). The filter bar has no control for them.
    order_ids: tuple[int, ...] = ()
    ship_by_before: datetime | None = None

    def without_status(self) -> QueueFilter:
        return replace(self, statuses=())

    def wanted_statuses(self) -> list[str]:
        """The statuses this filter can find, in lifecycle order; a ship-by window only ever
        finds open orders (the late rule is one definition, domain.due)."""
        wanted = [s for s in order_status.VALUES if not self.statuses or s in self.statuses]
        if self.ship_window:
            wanted = [s for s in wanted if s in order_status.OPEN]
        return wanted


@dataclass(frozen=True)
class QueueRequest:
    """One page of the queue: filter, sort, which rows, and the time that "late" is judged at.

    `now` None means "when the query runs"; `utc_offset` is the screen's local offset, which
    decides where "today" ends.
    """

    filter: QueueFilter = field(default_factory=QueueFilter)
    sort: str = "ship_by"
    descending: bool = False
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    now: datetime | None = None
    utc_offset: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; one of {', '.join(SORTS)}")
        if self.offset < 0 or self.limit < 0:
            raise ValueError("offset and limit cannot be negative")

    def at(self, now: datetime, utc_offset: timedelta | None = None) -> QueueRequest:
        """The same request with its clock set (every query of one page shares one `now`)."""
        offset = self.utc_offset if utc_offset is None else utc_offset
        return replace(self, now=now, utc_offset=offset)

    def clocked(self) -> QueueRequest:
        return self if self.now is not None else self.at(datetime.now().astimezone())

    def rows(self, offset: int, limit: int) -> QueueRequest:
        """Another window of rows under the same filter and sort."""
        return replace(self, offset=offset, limit=limit)

    @property
    def clock(self) -> datetime:
        return self.now or datetime.now().astimezone()
