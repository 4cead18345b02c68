"""A dashboard tile: a big number over its label, a button that opens the orders behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from wms_desk.ui.widgets.named import repolish

CAP_TEXT = "+"


class NumberTile(QPushButton):
    """`tone` ("", "bad", "warn", "good", "quiet") colours it through the style sheet."""

    def __init__(self, label: str, tone: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DashTile")
        self.setProperty("tone", tone)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(96, 74)
        self.number = QLabel("–", self)
        self.number.setObjectName("DashTileNumber")
        self.caption = QLabel(label, self)
        self.caption.setObjectName("DashTileLabel")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        for part in (self.number, self.caption):
            # The button takes the click wherever it lands.
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(part)
        self._label = label

    def set_count(self, count: int, capped: bool = False, hint: str = "") -> None:
        self.number.setText(f"{count:,}{CAP_TEXT if capped else ''}")
        self.setProperty("empty", count == 0)
        self.setToolTip(hint or f"{self._label}: click to see these orders in the queue")
        self.setAccessibleName(f"{self._label}: {count:,}")
        repolish(self)

    @property
    def count_text(self) -> str:
        return self.number.text()
