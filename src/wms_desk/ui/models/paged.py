"""The paged table-model base: row ids in SQL order plus a row cache, a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from shiboken6 import isValid

from wms_desk.ui.context import UiContext

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def guarded(owner: QObject, callback: Callable[[T], None]) -> Callable[[T], None]:
    """A task callback that does nothing once `owner` is deleted (a screen closed while its
    query was still running must not crash when the answer arrives)."""

    def call(value: T) -> None:
        if isValid(owner):
            callback(value)

    return call


@dataclass(frozen=True)
class Page:
    """One answer: row ids in order, their rows, and whether more follow."""

    ids: Sequence[Any]
    rows: Mapping[Any, Any]
    has_more: bool


@dataclass(frozen=True)
class PageTask:
    """The service call that loads a page, run on a worker through ui.tasks."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]


class PagedTableModel(QAbstractTableModel):
    """Row ids in the database's order, cells from a per-id row cache, loaded a page at a time.

    Subclasses say how to load (`page_task`), how to read an answer (`to_page`) and what the
    columns are (`column_count`, `cell`, `header`). Every load runs through ui.tasks; an answer
    that arrives after a newer request started is dropped (the generation number), so a slow
    query never overwrites a newer one.
    """

    load_failed = Signal(str)
    loading_changed = Signal(bool)
    # After every answer that landed (reload, refresh or a further page).
    loaded = Signal()
    # After a reload (False: new filter or sort) or a refresh that changed which rows are
    # shown (True): a view restores its selection, and for a refresh the scroll position.
    refreshed = Signal(bool)

    def __init__(self, ui: UiContext, page_size: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.page_size = page_size
        self._ids: list[Any] = []
        self._rows: dict[Any, Any] = {}
        self._has_more = False
        self._loading = False
        self._generation = 0

    # --- what subclasses provide -----------------------------------------------------------
    def page_task(self, offset: int, limit: int) -> PageTask | None:
        """The call that loads rows offset..offset+limit; None when there is nothing to show."""
        raise NotImplementedError

    def to_page(self, result: Any, limit: int) -> Page:
        """Read the service's answer; by default a list of rows with an `id` each."""
        rows = list(result)
        return Page([r.id for r in rows], {r.id: r for r in rows}, len(rows) >= limit)

    def column_count(self) -> int:
        raise NotImplementedError

    def cell(self, row: Any, column: int, role: int) -> Any:
        """The cell's value for `role` (the row is never None here)."""
        raise NotImplementedError

    def header(self, section: int, role: int) -> Any:
        return None

    def page_loaded(self, result: Any, generation: int) -> None:
        """Called after each answer landed (the queue then asks for its counts)."""

    # --- rows --------------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def generation(self) -> int:
        return self._generation

    def row_id(self, row: int) -> Any:
        return self._ids[row]

    def row_of(self, row_id: Any) -> int | None:
        return self._ids.index(row_id) if row_id in self._rows else None

    def row_data(self, row: int) -> Any:
        return self._rows.get(self._ids[row]) if 0 <= row < len(self._ids) else None

    # --- loading -------------------------------------------------------------------------
    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _run(self, offset: int, limit: int, apply: Callable[[Page], None]) -> None:
        self._generation += 1
        generation = self._generation
        task = self.page_task(offset, limit)
        if task is None:
            self._set_loading(False)
            apply(Page((), {}, False))
            self.loaded.emit()
            return
        self._set_loading(True)

        def done(result: Any) -> None:
            if generation != self._generation:
                return  # superseded by a newer request
            self._set_loading(False)
            apply(self.to_page(result, limit))
            self.loaded.emit()
            self.page_loaded(result, generation)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._set_loading(False)
                self.load_failed.emit(str(error))

        self._ui.tasks.run(
            task.fn,
            self._ui.services,
            *task.args,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def _replace(self, page: Page) -> None:
        self.beginResetModel()
        self._ids = list(page.ids)
        self._rows = dict(page.rows)
        self._has_more = page.has_more
        self.endResetModel()

    def reload(self) -> None:
        """Start again from the first page (a new filter, sort or search)."""

        def apply(page: Page) -> None:
            self._replace(page)
            self.refreshed.emit(False)

        self._run(0, self.page_size, apply)

    def refresh(self) -> None:
        """Reload what is loaded so far (something changed elsewhere), keeping its extent."""

        def apply(page: Page) -> None:
            if list(page.ids) == self._ids:
                # Same rows in the same places: repaint changed cells, selection untouched.
                self._rows = dict(page.rows)
                self._has_more = page.has_more
                if self._ids and self.column_count():
                    last = self.index(len(self._ids) - 1, self.column_count() - 1)
                    self.dataChanged.emit(self.index(0, 0), last)
                return
            self._replace(page)
            self.refreshed.emit(True)

        self._run(0, max(len(self._ids), self.page_size), apply)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return

        def apply(page: Page) -> None:
            fresh = [i for i in page.ids if i not in self._rows]
            if fresh:
                first = len(self._ids)
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                self._ids.extend(fresh)
                self._rows.update({i: page.rows[i] for i in fresh if i in page.rows})
                self.endInsertRows()
            # An answer with nothing new (rows moved meanwhile) must not loop for ever.
            self._has_more = page.has_more and bool(fresh)

        self._run(len(self._ids), self.page_size, apply)

    # --- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.column_count()

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < self.column_count():
            return self.header(section, role)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if not 0 <= index.column() < self.column_count():
            return None
        row = self._rows.get(self._ids[index.row()])
        if row is None:
            return None
        if role == ROW_ID_ROLE:
            return row.id
        return self.cell(row, index.column(), role)
