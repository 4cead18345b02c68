"""A banner across the top of the window for a condition that blocks work, with one action."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    action_requested = Signal()

    def __init__(self, action_text: str = "Retry", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.message = QLabel(wordWrap=True)
        self.button = QPushButton(action_text)
        self.button.clicked.connect(self.action_requested)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.button.setEnabled(True)
        self.show()

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText("Trying…" if busy else "Retry")
