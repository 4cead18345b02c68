"""Table models of the Ship screen: the day's labels and an order's rate shop (frozen rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from wms_desk.domain.service_selection import Option
from wms_desk.services.shipping.manifests import BoardRow

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

CHOSEN = QColor("#d9f2dc")
VOIDED = QColor("#9a9a9a")


class RowsModel(QAbstractTableModel, Generic[R]):
    """A read-only table over a tuple of frozen rows; `set_rows` replaces them all."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[R], str]]], parent: Any = None):
        super().__init__(parent)
        self._columns = tuple(columns)
        self.rows: tuple[R, ...] = ()

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section][0]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.rows):
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[index.column()][1](row)
        return self.style(row, role)

    def style(self, row: R, role: int) -> Any:
        return None


class BoardModel(RowsModel[BoardRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            (
                ("Tracking", lambda r: r.tracking),
                ("Order", lambda r: r.order_number),
                ("Carrier", lambda r: r.carrier),
                ("Service", lambda r: r.service),
                ("Package", lambda r: r.package),
                ("Status", lambda r: r.status),
                ("Tracking status", lambda r: r.tracking_words),
                ("Price", lambda r: f"{r.price} {r.currency}"),
                ("Manifest", lambda r: r.manifest),
            ),
            parent,
        )

    def style(self, row: BoardRow, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "voided":
            return QBrush(VOIDED)
        return None


class RatesModel(RowsModel[Option]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            (
                ("Carrier", lambda o: o.carrier),
                ("Service", lambda o: f"{o.service_name or o.service} ({o.service})"),
                ("Price", lambda o: f"{o.price} {o.currency}"),
                ("Transit", lambda o: "" if o.transit_days is None else f"{o.transit_days} d"),
                ("Delivery", lambda o: o.delivery_date.isoformat() if o.delivery_date else ""),
                ("Why", lambda o: ("chosen: " if o.chosen else "") + o.reason),
            ),
            parent,
        )

    def style(self, row: Option, role: int) -> Any:
        if row.chosen and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(CHOSEN)
        if row.chosen and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None
