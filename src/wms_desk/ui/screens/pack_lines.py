"""The pack screen's lines table: image, SKU, name, bin, ordered and verified, one row a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPixmap

from wms_desk.services.packing.session import SessionLine

COLUMNS = ("", "SKU", "Name", "Bin", "Ordered", "Verified")
IMAGE, SKU, NAME, BIN, ORDERED, VERIFIED = range(len(COLUMNS))
THUMB = 44
_DONE = QBrush(QColor("#e3f5e9"))
_LAST = QBrush(QColor("#fff4d6"))
_SHORT = QBrush(QColor("#fbe4e3"))

AnyIndex = QModelIndex | QPersistentModelIndex


def verified_text(line: SessionLine) -> str:
    text = f"{line.verified}"
    if line.shorted:
        text += f" (+{line.shorted} short)"
    return text + (" ✓" if line.done else "")


class PackLinesModel(QAbstractTableModel):
    """Rows are the open order's lines; `show(lines, last_line_id)` updates only changed rows,
    so a scan on a 200-line order repaints one row, not the table."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: tuple[SessionLine, ...] = ()
        self.last_line_id: int | None = None
        self._pixmaps: dict[str, QPixmap | None] = {}

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, column)
        if role == Qt.ItemDataRole.DecorationRole and column == IMAGE:
            return self._pixmap(line.image_path)
        if role == Qt.ItemDataRole.BackgroundRole:
            if line.line_id == self.last_line_id:
                return _LAST
            if line.shorted and line.done:
                return _SHORT
            return _DONE if line.done else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ORDERED, VERIFIED):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME:
            needs = [c for c, f in (("serial", line.needs_serial), ("lot", line.needs_lot)) if f]
            codes = ", ".join(
                f"{b.code}" + (f" (case of {b.qty})" if b.qty > 1 else "") for b in line.barcodes
            )
            return f"{line.name}\nBarcodes: {codes or 'none'}" + (
                f"\nNeeds a {' and '.join(needs)} scan" if needs else ""
            )
        return None

    @staticmethod
    def _text(line: SessionLine, column: int) -> str | None:
        if column == SKU:
            return line.sku
        if column == NAME:
            flags = [c for c, f in (("serial", line.needs_serial), ("lot", line.needs_lot)) if f]
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            return line.name + suffix + ("" if line.barcodes else "  [no barcode]")
        if column == BIN:
            return line.bin_code or "—"
        if column == ORDERED:
            return str(line.ordered)
        if column == VERIFIED:
            return verified_text(line)
        return None

    def _pixmap(self, path: str | None) -> QPixmap | None:
        if not path:
            return None
        if path not in self._pixmaps:
            image = QPixmap(path) if Path(path).is_file() else QPixmap()
            self._pixmaps[path] = (
                None
                if image.isNull()
                else image.scaled(
                    THUMB,
                    THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        return self._pixmaps[path]

    def show(self, lines: tuple[SessionLine, ...], last_line_id: int | None = None) -> None:
        same_rows = [a.line_id for a in lines] == [b.line_id for b in self.lines]
        if not same_rows:
            self.beginResetModel()
            self.lines, self.last_line_id = lines, last_line_id
            self.endResetModel()
            return
        old, old_last = self.lines, self.last_line_id
        self.lines, self.last_line_id = lines, last_line_id
        last_column = len(COLUMNS) - 1
        for row, (before, after) in enumerate(zip(old, lines, strict=True)):
            moved = after.line_id in (old_last, last_line_id) and old_last != last_line_id
            # A line the scan did not change is the very object it was (the pack snapshot
            # shares unchanged lines): identity first, so 200 untouched rows cost nothing.
            if (before is not after and before != after) or moved:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))

    def row_of(self, line_id: int | None) -> int | None:
        return next((r for r, line in enumerate(self.lines) if line.line_id == line_id), None)
