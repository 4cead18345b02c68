"""Table models for the Inventory screen: products, stock per bin, ledger moves (paged in SQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from wms_desk.services import inventory
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import guarded

Index = QModelIndex | QPersistentModelIndex
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Field:
    title: str
    get: Callable[[Any], object]
    numeric: bool = False


def _time(value: datetime) -> str:
    return value.astimezone().strftime("%d %b %Y %H:%M")


class PagedModel(QAbstractTableModel):
    """Ids in SQL order plus a row cache, a page at a time, every query through ui.tasks.

    `fetch(ctx, offset, limit)` returns frozen rows with an `id`; a reload drops late answers
    to an earlier request (the generation number).
    """

    load_failed = Signal(str)
    loaded = Signal()

    def __init__(
        self,
        ui: UiContext,
        fields: Sequence[Field],
        fetch: Callable[..., list[Any]] | None = None,
        page_size: int = 200,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ui = ui
        self._fields = tuple(fields)
        self._fetch = fetch
        self.page_size = page_size
        self._ids: list[Any] = []
        self._rows: dict[Any, Any] = {}
        self._has_more = False
        self._loading = False
        self._generation = 0

    @property
    def loading(self) -> bool:
        return self._loading

    def set_fetch(self, fetch: Callable[..., list[Any]] | None) -> None:
        self._fetch = fetch
        self.reload()

    def row(self, row: int) -> Any:
        return self._rows[self._ids[row]] if 0 <= row < len(self._ids) else None

    def row_of(self, row_id: Any) -> int | None:
        return self._ids.index(row_id) if row_id in self._rows else None

    def _load(self, offset: int, replace: bool) -> None:
        self._generation += 1
        generation = self._generation
        if self._fetch is None:
            self.beginResetModel()
            self._ids, self._rows, self._has_more = [], {}, False
            self.endResetModel()
            self.loaded.emit()
            return
        self._loading = True

        def done(rows: list[Any]) -> None:
            if generation != self._generation:
                return
            self._loading = False
            if replace:
                self.beginResetModel()
                self._ids = [r.id for r in rows]
                self._rows = {r.id: r for r in rows}
                self.endResetModel()
            else:
                fresh = [r for r in rows if r.id not in self._rows]
                if fresh:
                    first = len(self._ids)
                    self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                    self._ids.extend(r.id for r in fresh)
                    self._rows.update({r.id: r for r in fresh})
                    self.endInsertRows()
            self._has_more = len(rows) == self.page_size
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._loading = False
                self.load_failed.emit(str(error))

        self._ui.tasks.run(
            self._fetch,
            self._ui.services,
            offset,
            self.page_size,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def reload(self) -> None:
        self._load(0, replace=True)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._load(len(self._ids), replace=False)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._fields)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._fields):
            return self._fields[section].title
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if not 0 <= index.column() < len(self._fields):
            return None
        row = self._rows[self._ids[index.row()]]
        field = self._fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = field.get(row)
            return "" if value is None else str(value)
        if role == ROW_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and field.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


PRODUCT_FIELDS = (
    Field("SKU", lambda r: r.sku),
    Field("Name", lambda r: r.name),
    Field("Barcodes", lambda r: ", ".join(r.barcodes)),
    Field("On hand", lambda r: r.on_hand, numeric=True),
    Field("Reserved", lambda r: r.reserved, numeric=True),
    Field("Free", lambda r: r.free, numeric=True),
)
BIN_FIELDS = (
    Field("Bin", lambda r: r.bin),
    Field("Zone", lambda r: r.zone),
    Field("On hand", lambda r: r.on_hand, numeric=True),
    Field("Reserved", lambda r: r.reserved, numeric=True),
    Field("Free", lambda r: r.free, numeric=True),
)
LEDGER_FIELDS = (
    Field("When", lambda r: _time(r.at)),
    Field("From", lambda r: r.from_bin or "—"),
    Field("To", lambda r: r.to_bin or "—"),
    Field("Qty", lambda r: r.qty, numeric=True),
    Field("Reason", lambda r: r.reason),
    Field("Reference", lambda r: r.reference),
    Field("Who", lambda r: r.user + (f" @ {r.station}" if r.station else "")),
)


@dataclass(frozen=True)
class _KeyedBin:
    """A bin row keyed by its code (bins have no id in the service's answer)."""

    id: str
    row: inventory.BinRow

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def product_model(ui: UiContext, parent: QObject | None = None) -> PagedModel:
    return PagedModel(ui, PRODUCT_FIELDS, None, 200, parent)


def product_search(term: str) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        return inventory.search_products(ctx, term, offset, limit)

    return fetch


def bins_of(product_id: int) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        # A product sits in a handful of bins: one page holds them all.
        rows = inventory.product_bins(ctx, product_id) if offset == 0 else []
        return [_KeyedBin(r.bin, r) for r in rows]

    return fetch


def ledger_of(product_id: int) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        return inventory.ledger(ctx, product_id, offset, limit)

    return fetch
