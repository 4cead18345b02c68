"""The queue's table model: order ids in SQL order plus a row cache, loaded a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from wms_desk.domain import order_status
from wms_desk.domain.due import Due, due_state, utc_offset_of
from wms_desk.domain.order_status import OrderStatus
from wms_desk.services import queue as queue_service
from wms_desk.services.queue import QueueFilter, QueuePage, QueueRequest, QueueRowData
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.paged import ROW_ID_ROLE, Index, Page, PagedTableModel, PageTask, guarded

__all__ = [
    "COLUMNS",
    "COLUMN_KEYS",
    "OPEN_FILTER",
    "ORDER_ID_ROLE",
    "Column",
    "QueueModel",
    "format_time",
    "guarded",
    "status_label",
]

# What the queue opens on: every order still to ship.
OPEN_FILTER = QueueFilter(statuses=order_status.in_order(order_status.OPEN))
LATE_BRUSH = QBrush(QColor("#f8d7da"))
TODAY_BRUSH = QBrush(QColor("#fff3cd"))
ORDER_ID_ROLE = ROW_ID_ROLE


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
    return OrderStatus(status).label


def format_time(value: datetime | None, now: datetime | None = None) -> str:
    """Short and local: "Today 14:30", "Tomorrow 09:00", "Mon 23 Nov 17:45"."""
    if value is None:
        return ""
    local = value.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    days = (local.date() - today).days
    named = {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}.get(days)
    return f"{named} {local:%H:%M}" if named else local.strftime("%a %d %b %H:%M")


class QueueModel(PagedTableModel):
    """Orders under the current filter and sort; the chips' counts follow each (re)load."""

    counts_changed = Signal(dict)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(ui, queue_service.PAGE_SIZE, parent)
        self._now = datetime.now().astimezone()
        self._request = QueueRequest(OPEN_FILTER)
        self._started = False  # no query until the first reload (the screen sets it up first)
        self._want_counts = False
        self._counts_generation = -1

    # --- what is shown -------------------------------------------------------------------
    @property
    def filter(self) -> QueueFilter:
        return self._request.filter

    @property
    def request(self) -> QueueRequest:
        """Filter and sort as shown now (an export writes exactly this)."""
        return self._request

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._request.sort, self._request.descending

    def set_filter(self, f: QueueFilter) -> None:
        self._request = replace(self._request, filter=f)
        self.reload()

    def order_id(self, row: int) -> int:
        return int(self.row_id(row))

    def row_data(self, row: int) -> QueueRowData | None:
        found: QueueRowData | None = super().row_data(row)
        return found

    # --- loading -------------------------------------------------------------------------
    def page_task(self, offset: int, limit: int) -> PageTask:
        if self._want_counts:
            self._counts_generation = self.generation
        # The rows come first; the chips' counts follow in their own call (see page_loaded).
        return PageTask(queue_service.load_page, (self._request.rows(offset, limit), False))

    def to_page(self, result: Any, limit: int) -> Page:
        page: QueuePage = result
        self._now = page.loaded_at
        return Page(page.ids, page.rows, page.has_more)

    def page_loaded(self, result: Any, generation: int) -> None:
        if generation != self._counts_generation:
            return

        def done(counts: dict[str, int]) -> None:
            if generation == self.generation:
                self.counts_changed.emit(counts)

        def failed(error: BaseException) -> None:
            if generation == self.generation:
                self.load_failed.emit(str(error))

        self._ui.tasks.run(
            queue_service.load_counts,
            self._ui.services,
            self._request.filter,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def reload(self) -> None:
        """Start again from the first page (a new filter or sort), counts too."""
        self._started = True
        self._want_counts = True
        super().reload()

    def refresh(self) -> None:
        """Reload what is loaded so far (another station changed orders), counts too."""
        self._want_counts = True
        super().refresh()

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        self._want_counts = False  # the chips' numbers do not change by scrolling
        super().fetchMore(parent)

    # --- cells ---------------------------------------------------------------------------
    def column_count(self) -> int:
        return len(COLUMNS)

    def header(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].sort is None:
            return "This column is not sortable (it has no index at a million orders)."
        return None

    def due_state(self, row: QueueRowData) -> str:
        """'late', 'today' or '' for an open order, by its ship-by time (domain.due's rule)."""
        local = self._now.astimezone()
        due = due_state(row.ship_by, row.status, local, utc_offset_of(local))
        return "" if due is None or due is Due.LATER else due.value

    def cell(self, row: QueueRowData, column: int, role: int) -> Any:
        key = COLUMNS[column].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.BackgroundRole:
            state = self.due_state(row)
            return LATE_BRUSH if state == "late" else TODAY_BRUSH if state == "today" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            state = self.due_state(row)
            parts = []
            if state:
                parts.append("Late: ship-by has passed" if state == "late" else Due.TODAY.label)
            if row.hold_reason:
                parts.append(f"On hold: {row.hold_reason}")
            if row.attention:
                parts.append(f"Needs attention: {row.attention}")
            return "\n".join(parts) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: QueueRowData, key: str) -> str:
        value = getattr(row, key)
        if key == "status":
            return status_label(value) + (" ⚠" if row.attention else "")
        if key == "total":
            return value.display()
        if isinstance(value, datetime):
            return format_time(value)
        if isinstance(value, tuple):
            return ", ".join(value)
        if key == "priority":
            return f"{value:+d}" if value else "0"
        return "" if value is None else str(value)

    # --- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        sort = COLUMNS[column].sort
        assert sort is not None
        descending = order == Qt.SortOrder.DescendingOrder
        changed = (sort, descending) != self.sort_key
        self._request = replace(self._request, sort=sort, descending=descending)
        # The view asks to sort while it is being set up; only a real change costs a query.
        if changed and self._started:
            self.reload()

    def set_sort(self, sort: str, descending: bool = False) -> None:
        self._request = replace(self._request, sort=sort, descending=descending)
        self.reload()

    def sort_column(self) -> int:
        for i, column in enumerate(COLUMNS):
            if column.sort == self._request.sort:
                return i
        return -1
