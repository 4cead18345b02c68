"""A read-only table model over a domain Table (report breakdowns, the dashboard's per-packer)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from wms_desk.domain.reports import Cell, Column, Table, ValueKind

Index = QModelIndex | QPersistentModelIndex
_NUMERIC = frozenset(
    {ValueKind.COUNT, ValueKind.NUMBER, ValueKind.MONEY, ValueKind.PERCENT, ValueKind.SECONDS}
)


def format_seconds(value: Decimal) -> str:
    seconds = int(value)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def format_cell(value: Cell, kind: ValueKind) -> str:
    """How a report value reads on screen (exports keep the raw value)."""
    if value is None:
        return "—"
    if kind is ValueKind.COUNT and isinstance(value, int):
        return f"{value:,}"
    if kind in (ValueKind.NUMBER, ValueKind.MONEY) and isinstance(value, Decimal | int):
        return f"{Decimal(value):,.2f}"
    if kind is ValueKind.PERCENT and isinstance(value, Decimal | int):
        return f"{Decimal(value):.1f} %"
    if kind is ValueKind.SECONDS and isinstance(value, Decimal | int):
        return format_seconds(Decimal(value))
    if kind is ValueKind.DATETIME and isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone().strftime("%Y-%m-%d %H:%M")
    if kind is ValueKind.DATE and isinstance(value, date):
        return value.isoformat()
    return str(value)


class ReportTableModel(QAbstractTableModel):
    """Rows and columns exactly as the Table has them; sorting is the view's (a proxy)."""

    def __init__(self, table: Table | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table = table or Table("empty", "", ())

    @property
    def table(self) -> Table:
        return self._table

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def column(self, section: int) -> Column:
        return self._table.columns[section]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._table.rows):
            return None
        column = self._table.columns[index.column()]
        value = self._table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(value, column.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            # The raw value, for sorting numbers as numbers.
            return float(value) if isinstance(value, Decimal) else value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._table.columns):
            return self._table.columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._table.rows):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
