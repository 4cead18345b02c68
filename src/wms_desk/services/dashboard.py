"""The supervisor's dashboard: one snapshot of the floor, and the orders behind each number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from wms_desk.db.queries import dashboard as q
from wms_desk.db.queries.queue.request import QueueFilter
from wms_desk.domain import order_status
from wms_desk.domain.dashboard import (
    Backlog,
    ExceptionKind,
    Measure,
    WorkDone,
    backlog_range,
    orders_of,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.changes import Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import read_only

# What a dashboard re-reads after: order moves, boxes, labels, print jobs (failures).
TOPICS: frozenset[Topic] = frozenset(
    {Topic.ORDERS, Topic.PACKAGES, Topic.SHIPMENTS, Topic.PRINT_JOBS}
)


@dataclass(frozen=True)
class OrderSelection:
    """The orders behind one number: what the queue shows when the number is clicked.

    Either a queue filter (statuses, backlog windows: the queue re-evaluates them live) or,
    for today's work and exceptions, which no queue filter can express, the order ids.
    """

    title: str
    count: int
    filter: QueueFilter

    @property
    def description(self) -> str:
        noun = "order" if self.count == 1 else "orders"
        return f"{self.title}: {self.count:,} {noun}"


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    count: int
    capped: bool  # the count stopped at the cap: show "10,000+"
    selection: OrderSelection


@dataclass(frozen=True)
class WorkerRow:
    """Today's totals for one station or one packer, each a link to its orders."""

    name: str
    packed: OrderSelection
    shipped: OrderSelection


@dataclass(frozen=True)
class DashboardSnapshot:
    taken_at: datetime  # aware, the local time the numbers were counted at
    statuses: tuple[Tile, ...]
    backlog: tuple[Tile, ...]
    exceptions: tuple[Tile, ...]
    packed_today: Tile
    shipped_today: Tile
    stations: tuple[WorkerRow, ...]
    packers: tuple[WorkerRow, ...]
    work: tuple[WorkDone, ...]  # for the hourly chart (domain.dashboard.hourly_chart)
    last_hour: int  # the local hour now: the chart runs from 00:00 to it

    def hour_selection(
        self, measure: Measure, hour: int, station: str | None = None, packer: str | None = None
    ) -> OrderSelection:
        """The orders behind one bar of the chart (optionally one station's or packer's)."""
        ids = orders_of(self.work, measure, hour, station, packer)
        where = f" at {station}" if station else f" by {packer}" if packer else ""
        return _ids(f"{measure.label} {hour:02d}:00–{hour + 1:02d}:00{where}", ids)


def _ids(title: str, ids: tuple[int, ...]) -> OrderSelection:
    # Every status: an order packed this morning may have shipped since; it is still one of
    # them. No order has id 0, so an empty list finds nothing (an empty tuple would mean "any").
    return OrderSelection(title, len(ids), QueueFilter(order_ids=ids or (0,)))


def _status_tiles(counts: dict[str, int]) -> tuple[Tile, ...]:
    tiles = []
    for status in order_status.ALL:
        n = counts.get(status.value, 0)
        capped = status not in order_status.OPEN and n > q.COUNT_CAP
        selection = OrderSelection(status.label, n, QueueFilter(statuses=(status.value,)))
        tiles.append(Tile(status.value, status.label, n, capped, selection))
    return tuple(tiles)


def _backlog_filter(backlog: Backlog, today: q.Today) -> QueueFilter:
    open_statuses = order_status.in_order(order_status.OPEN)
    if backlog is Backlog.TOMORROW:
        upper = backlog_range(backlog, today.now, today.utc_offset).upper
        return QueueFilter(statuses=open_statuses, ship_window="later", ship_by_before=upper)
    return QueueFilter(statuses=open_statuses, ship_window=backlog.value)


def _worker_rows(work: tuple[WorkDone, ...], by: str) -> tuple[WorkerRow, ...]:
    names = sorted({d.station if by == "station" else d.packer for d in work})
    rows = []
    for name in names:
        station, packer = (name, None) if by == "station" else (None, name)
        where = f" at {name}" if by == "station" else f" by {name}"
        rows.append(
            WorkerRow(
                name,
                _ids(
                    f"Packed today{where}", orders_of(work, Measure.PACKED, None, station, packer)
                ),
                _ids(
                    f"Shipped today{where}", orders_of(work, Measure.SHIPPED, None, station, packer)
                ),
            )
        )
    return tuple(rows)


def _tile(key: str, label: str, selection: OrderSelection) -> Tile:
    return Tile(key, label, selection.count, False, selection)


@read_only
def _snapshot(session: Session, now: datetime, utc_offset: timedelta) -> DashboardSnapshot:
    today = q.Today.at(now, utc_offset)
    counts = q.status_counts(session)
    backlog = q.backlog_counts(session, today)
    work = tuple(q.work_done(session, today))
    exceptions = q.exception_orders(session, today)
    backlog_tiles = tuple(
        Tile(b.value, b.label, backlog[b], False, OrderSelection(
            b.label, backlog[b], _backlog_filter(b, today)
        ))
        for b in Backlog
    )  # fmt: skip
    exception_tiles = tuple(
        _tile(kind.value, kind.label, _ids(f"{kind.label} today", exceptions[kind]))
        for kind in ExceptionKind
    )
    packed = orders_of(work, Measure.PACKED)
    shipped = orders_of(work, Measure.SHIPPED)
    local_now = now.astimezone(UTC) + utc_offset
    return DashboardSnapshot(
        taken_at=now,
        statuses=_status_tiles(counts),
        backlog=backlog_tiles,
        exceptions=exception_tiles,
        packed_today=_tile("packed", "Packed today", _ids("Packed today", packed)),
        shipped_today=_tile("shipped", "Shipped today", _ids("Shipped today", shipped)),
        stations=_worker_rows(work, "station"),
        packers=_worker_rows(work, "packer"),
        work=work,
        last_hour=local_now.hour,
    )


def _local_now() -> tuple[datetime, timedelta]:
    now = datetime.now().astimezone()
    return now, now.utcoffset() or timedelta(0)


def dashboard(
    ctx: ServiceContext, now: datetime | None = None, utc_offset: timedelta | None = None
) -> DashboardSnapshot:
    """The floor right now, counted in the station's local day (or at `now` / `utc_offset`)."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    local_now, local_offset = _local_now()
    return _snapshot(ctx, now or local_now, local_offset if utc_offset is None else utc_offset)
