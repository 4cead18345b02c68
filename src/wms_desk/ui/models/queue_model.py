"""The queue's table model: order ids in SQL order plus a row cache, loaded a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from shiboken6 import isValid

from wms_desk.services import queue as queue_service
from wms_desk.services.queue import QueueFilter, QueuePage, QueueRowData
from wms_desk.ui.context import UiContext

T = TypeVar("T")


def guarded(owner: QObject, callback: Callable[[T], None]) -> Callable[[T], None]:
    """A task callback that does nothing once `owner` is deleted (a screen closed while its
    query was still running must not crash when the answer arrives)."""

    def call(value: T) -> None:
        if isValid(owner):
            callback(value)

    return call


Index = QModelIndex | QPersistentModelIndex

OPEN_STATUSES = ("new", "allocated", "backordered", "picking", "picked", "packing", "packed")
LATE_BRUSH = QBrush(QColor("#f8d7da"))
TODAY_BRUSH = QBrush(QColor("#fff3cd"))
ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort: str | None = None  # the SQL sort key, if the column can be sorted
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("number", "Order", "number"),
    Column("status", "Status", "status"),
    Column("customer", "Customer", "customer"),
    Column("ship_by", "Ship by", "ship_by"),
    Column("priority", "Priority", "priority", numeric=True),
    Column("channel", "Channel"),
    Column("service", "Service"),
    Column("lines", "Lines", numeric=True),
    Column("units", "Units", numeric=True),
    Column("tags", "Tags"),
    Column("station", "Station"),
    Column("packer", "Packer"),
    Column("email", "E-mail"),
    Column("country", "Country"),
    Column("created_at", "Created", "created"),
    Column("total", "Total", numeric=True),
    Column("hold_reason", "Hold reason"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


def status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()


def format_time(value: datetime | None, now: datetime | None = None) -> str:
    """Short and local: "Today 14:30", "Tomorrow 09:00", "Mon 23 Nov 17:45"."""
    if value is None:
        return ""
    local = value.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    days = (local.date() - today).days
    named = {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}.get(days)
    return f"{named} {local:%H:%M}" if named else local.strftime("%a %d %b %H:%M")


class QueueModel(QAbstractTableModel):
    """Rows are order ids in the database's sort order; cells come from a per-id row cache.

    Every load runs through ui.tasks; a result that arrives after the filter or sort changed
    again is dropped (the generation number), so a slow query never overwrites a newer one.
    """

    counts_changed = Signal(dict)
    load_failed = Signal(str)
    loading_changed = Signal(bool)
    # After a reload (False: new filter or sort) or a refresh that changed which orders are
    # shown (True): the view restores the selection, and for a refresh the scroll position.
    refreshed = Signal(bool)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._ids: list[int] = []
        self._rows: dict[int, QueueRowData] = {}
        self._has_more = False
        self._loading = False
        self._generation = 0
        self._now = datetime.now().astimezone()
        self._filter = QueueFilter(statuses=(*OPEN_STATUSES, "on_hold"))
        self._sort = "ship_by"
        self._descending = False
        self._started = False  # no query until the first reload (the screen sets it up first)
        self.page_size = queue_service.PAGE_SIZE

    # --- what is shown -------------------------------------------------------------------
    @property
    def filter(self) -> QueueFilter:
        return self._filter

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    @property
    def loading(self) -> bool:
        return self._loading

    def set_filter(self, f: QueueFilter) -> None:
        self._filter = f
        self.reload()

    def order_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, order_id: int) -> int | None:
        try:
            return self._ids.index(order_id)
        except ValueError:
            return None

    def row_data(self, row: int) -> QueueRowData | None:
        return self._rows.get(self._ids[row]) if 0 <= row < len(self._ids) else None

    # --- loading -------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _run(self, on_done: Any, offset: int, limit: int, with_counts: bool) -> None:
        self._generation += 1
        generation = self._generation
        self._set_loading(True)

        def done(page: QueuePage) -> None:
            if generation != self._generation:
                return  # superseded by a newer request
            self._set_loading(False)
            self._now = page.loaded_at
            on_done(page)
            if with_counts:
                self._load_counts(generation)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._set_loading(False)
                self.load_failed.emit(str(error))

        # The rows come first; the chips' counts follow in their own call (see _load_counts).
        self._ui.tasks.run(
            queue_service.load_page,
            self._ui.services,
            self._filter,
            self._sort,
            self._descending,
            offset,
            limit,
            False,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def _load_counts(self, generation: int) -> None:
        def done(counts: dict[str, int]) -> None:
            if generation == self._generation:
                self.counts_changed.emit(counts)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self.load_failed.emit(str(error))

        self._ui.tasks.run(
            queue_service.load_counts,
            self._ui.services,
            self._filter,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def reload(self) -> None:
        """Start again from the first page (a new filter or sort)."""
        self._started = True

        def done(page: QueuePage) -> None:
            self.beginResetModel()
            self._ids = list(page.ids)
            self._rows = dict(page.rows)
            self._has_more = page.has_more
            self.endResetModel()
            self.refreshed.emit(False)

        self._run(done, 0, self.page_size, True)

    def refresh(self) -> None:
        """Reload what is loaded so far (another station changed orders), keeping its extent."""
        extent = max(len(self._ids), self.page_size)

        def done(page: QueuePage) -> None:
            new_ids = list(page.ids)
            if new_ids == self._ids:
                # Same orders in the same places: repaint changed cells, selection untouched.
                self._rows = dict(page.rows)
                self._has_more = page.has_more
                if self._ids:
                    last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
                    self.dataChanged.emit(self.index(0, 0), last)
                return
            self.beginResetModel()
            self._ids = new_ids
            self._rows = dict(page.rows)
            self._has_more = page.has_more
            self.endResetModel()
            self.refreshed.emit(True)

        self._run(done, 0, extent, True)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or not self._has_more or self._loading:
            return

        def done(page: QueuePage) -> None:
            fresh = [i for i in page.ids if i not in self._rows]
            if fresh:
                first = len(self._ids)
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                self._ids.extend(fresh)
                self._rows.update({i: page.rows[i] for i in fresh if i in page.rows})
                self.endInsertRows()
            self._has_more = page.has_more and bool(fresh)

        self._run(done, len(self._ids), self.page_size, False)

    # --- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].sort is None:
                return "This column is not sortable (it has no index at a million orders)."
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def due_state(self, row: QueueRowData) -> str:
        """'late', 'today' or '' for an open order, by its ship-by time."""
        if row.ship_by is None or row.status not in (*OPEN_STATUSES, "on_hold"):
            return ""
        if row.ship_by < self._now:
            return "late"
        local = self._now.astimezone()
        end_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return "today" if row.ship_by < end_of_day else ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._rows.get(self._ids[index.row()])
        if row is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column.key)
        if role == ORDER_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole:
            state = self.due_state(row)
            return LATE_BRUSH if state == "late" else TODAY_BRUSH if state == "today" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            state = self.due_state(row)
            parts = []
            if state:
                parts.append("Late: ship-by has passed" if state == "late" else "Due today")
            if row.hold_reason:
                parts.append(f"On hold: {row.hold_reason}")
            if row.attention:
                parts.append(f"Needs attention: {row.attention}")
            return "\n".join(parts) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: QueueRowData, key: str) -> str:
        value = getattr(row, key)
        if key == "status":
            return status_label(value) + (" ⚠" if row.attention else "")
        if isinstance(value, datetime):
            return format_time(value)
        if isinstance(value, tuple):
            return ", ".join(value)
        if key == "priority":
            return f"{value:+d}" if value else "0"
        return "" if value is None else str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        sort = COLUMNS[column].sort
        assert sort is not None
        changed = (sort, order == Qt.SortOrder.DescendingOrder) != (self._sort, self._descending)
        self._sort = sort
        self._descending = order == Qt.SortOrder.DescendingOrder
        # The view asks to sort while it is being set up; only a real change costs a query.
        if changed and self._started:
            self.reload()

    def set_sort(self, sort: str, descending: bool = False) -> None:
        self._sort, self._descending = sort, descending
        self.reload()

    def sort_column(self) -> int:
        for i, column in enumerate(COLUMNS):
            if column.sort == self._sort:
                return i
        return -1
