"""A screen that is not built yet says what it will hold, instead of showing a blank page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from wms_desk.ui.navigation import ScreenSpec
from wms_desk.ui.widgets.named import named


class PlaceholderScreen(QWidget):
    def __init__(self, spec: ScreenSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        title = named(QLabel(spec.title), "ScreenTitle")
        subtitle = named(QLabel(spec.summary), "ScreenSubtitle")
        subtitle.setWordWrap(True)
        badge = named(QLabel("Coming in a later release"), "ComingSoon")
        badge.setAlignment(Qt.AlignmentFlag.AlignLeft)
        card = named(QFrame(), "PlaceholderCard")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(20, 16, 20, 16)
        card_layout.addWidget(QLabel("<b>This screen will hold:</b>"))
        items = "".join(f"<li>{item}</li>" for item in spec.planned)
        self.planned_list = named(QLabel(f"<ul>{items}</ul>"), "PlaceholderList")
        self.planned_list.setTextFormat(Qt.TextFormat.RichText)
        card_layout.addWidget(self.planned_list)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addWidget(badge, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(12)
        layout.addWidget(card)
        layout.addStretch(1)
