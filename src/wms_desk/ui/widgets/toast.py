"""A non-blocking toast: a short message over the window's corner that fades on its own."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class Toast(QFrame):
    """`show_message(title, detail)`; never takes focus, so scanning carries on underneath."""

    def __init__(self, parent: QWidget, msecs: int = 8000) -> None:
        super().__init__(parent)
        self.setObjectName("Toast")
        self._parent = parent
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(
            "#Toast { background: #3b3b3b; border-radius: 8px; }"
            "#Toast QLabel { color: white; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        self._timer = QTimer(self, singleShot=True, interval=msecs)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, title: str, detail: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setFixedWidth(min(460, max(self._parent.width() - 40, 200)))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start()

    def _place(self) -> None:
        parent = self._parent
        self.move(parent.width() - self.width() - 20, parent.height() - self.height() - 20)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def mousePressEvent(self, event: object) -> None:
        self.hide()  # a click dismisses it early
