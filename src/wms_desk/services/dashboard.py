"""The supervisor's dashboard: one snapshot of the floor, and the orders behind each number."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from wms_desk.db.queries import dashboard as q
from wms_desk.db.queries.queue.request import QueueFilter
from wms_desk.domain import order_status
from wms_desk.domain.dashboard import (
    Backlog,
    ExceptionKind,
    Measure,
    WorkCell,
    WorkSlice,
    backlog_range,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.changes import Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import read_only

# What a dashboard re-reads after: order moves, boxes, labels, print jobs (failures), and
# audited actions (a wrong scan or a weighing writes only its audit row).
TOPICS: frozenset[Topic] = frozenset(
    {Topic.ORDERS, Topic.PACKAGES, Topic.SHIPMENTS, Topic.PRINT_JOBS, Topic.AUDIT}
)


@dataclass(frozen=True)
class OrderSelection:
    """The orders behind one number: what the queue shows when the number is clicked.

    A queue filter (statuses and backlog windows, which the queue re-evaluates live; today's
    exceptions as their order ids), or for today's work a `work` slice whose ids are read only
    when clicked (`orders_behind`), so a refresh never fetches thousands of ids.
    """

    title: str
    count: int
    filter: QueueFilter
    work: WorkSlice | None = None

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
    taken_at: datetime  # aware: the moment the numbers were counted at
    day_start: datetime  # the local day counted, as UTC bounds
    day_end: datetime
    statuses: tuple[Tile, ...]
    backlog: tuple[Tile, ...]
    exceptions: tuple[Tile, ...]
    packed_today: Tile
    shipped_today: Tile
    stations: tuple[WorkerRow, ...]
    packers: tuple[WorkerRow, ...]
    work: tuple[WorkCell, ...]  # for the hourly chart (domain.dashboard.hourly_chart)
    last_hour: int  # the local hour now: the chart runs from 00:00 to it

    def hour_selection(
        self, measure: Measure, hour: int, station: str | None = None, packer: str | None = None
    ) -> OrderSelection:
        """The orders behind one bar of the chart (optionally one station's or packer's)."""
        cells = [
            c for c in self.work
            if c.measure is measure and c.hour == hour
            and (station is None or c.station == station)
            and (packer is None or c.packer == packer)
        ]  # fmt: skip
        station_id = next((c.station_id for c in self.work if c.station == station), None)
        user_id = next((c.user_id for c in self.work if c.packer == packer), None)
        where = f" at {station}" if station else f" by {packer}" if packer else ""
        title = f"{measure.label} {hour:02d}:00–{hour + 1:02d}:00{where}"
        work = WorkSlice(self.day_start, self.day_end, measure, hour, station_id, user_id)
        return _work(title, sum(c.orders for c in cells), work)


# No order has id 0: an empty list finds nothing (an empty tuple would mean "any").
NOTHING = (0,)


def _ids(title: str, ids: tuple[int, ...]) -> OrderSelection:
    # Every status: an order short-picked this morning may have shipped since; it is still one.
    return OrderSelection(title, len(ids), QueueFilter(order_ids=ids or NOTHING))


def _work(title: str, count: int, work: WorkSlice) -> OrderSelection:
    return OrderSelection(title, count, QueueFilter(order_ids=NOTHING), work)


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


def _worker_rows(
    today: q.Today,
    cells: tuple[WorkCell, ...],
    totals: q.Totals,
    by: str,
) -> tuple[WorkerRow, ...]:
    if by == "station":
        people = {(c.station_id, c.station) for c in cells}
    else:
        people = {(c.user_id, c.packer) for c in cells}
    key = "station" if by == "station" else "user"
    rows = []
    for who, name in sorted(people, key=lambda p: p[1]):
        where = f" at {name}" if by == "station" else f" by {name}"

        def link(measure: Measure, who: int | None = who, where: str = where) -> OrderSelection:
            work = WorkSlice(
                today.start, today.end, measure,
                station_id=who if by == "station" else None,
                user_id=who if by != "station" else None,
            )  # fmt: skip
            n = totals.get((measure, key, who), 0)
            return _work(f"{measure.label} today{where}", n, work)

        rows.append(WorkerRow(name, link(Measure.PACKED), link(Measure.SHIPPED)))
    return tuple(rows)


def _tile(key: str, label: str, selection: OrderSelection) -> Tile:
    return Tile(key, label, selection.count, False, selection)


@read_only
def _snapshot(session: Session, now: datetime, utc_offset: timedelta) -> DashboardSnapshot:
    today = q.Today.at(now, utc_offset)
    counts = q.status_counts(session)
    backlog = q.backlog_counts(session, today)
    found, totals = q.work_today(session, today)
    cells = tuple(found)
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

    def total(measure: Measure) -> Tile:
        label = f"{measure.label} today"
        n = totals.get((measure, "all", None), 0)
        return _tile(
            measure.value, label, _work(label, n, WorkSlice(today.start, today.end, measure))
        )

    return DashboardSnapshot(
        taken_at=now,
        day_start=today.start,
        day_end=today.end,
        statuses=_status_tiles(counts),
        backlog=backlog_tiles,
        exceptions=exception_tiles,
        packed_today=total(Measure.PACKED),
        shipped_today=total(Measure.SHIPPED),
        stations=_worker_rows(today, cells, totals, "station"),
        packers=_worker_rows(today, cells, totals, "user"),
        work=cells,
        last_hour=(now.astimezone(UTC) + utc_offset).hour,
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


@read_only
def _work_ids(session: Session, work: WorkSlice) -> list[int]:
    return q.work_order_ids(session, work)


def orders_behind(ctx: ServiceContext, selection: OrderSelection) -> OrderSelection:
    """The selection with its orders named: a work slice is read now (on a worker), the
    others are returned as they are."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    if selection.work is None:
        return selection
    ids = tuple(_work_ids(ctx, selection.work))
    return replace(selection, count=len(ids), filter=QueueFilter(order_ids=ids or NOTHING))
