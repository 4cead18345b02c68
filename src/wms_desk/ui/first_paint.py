"""Work a screen needs once it is on screen, started when it has painted, not while it builds.

A screen's first query runs on a worker, but Python runs one thread at a time: a query started
while the GUI thread still builds and paints the screen only delays that paint (it was ~25 ms
of a supervisor's sign-in). Started after the first paint, the numbers arrive as soon as
before and the screen shows (with its "Counting…" placeholders) sooner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# A screen built but never shown (a test, a hidden page) still loads, a moment later.
FALLBACK_MS = 250


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], None], fallback_ms: int) -> None:
        super().__init__(widget)
        self._widget = widget
        self._callback = callback
        self._done = False
        widget.installEventFilter(self)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._run)
        self._fallback.start(fallback_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint and not self._done:
            self._widget.removeEventFilter(self)
            # The paint itself has not happened yet: run once the event loop is back.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        self._fallback.stop()
        self._widget.removeEventFilter(self)
        self._callback()


def after_first_paint(
    widget: QWidget, callback: Callable[[], None], fallback_ms: int = FALLBACK_MS
) -> None:
    """Call `callback` once, on the GUI thread, right after `widget` first paints (or after
    `fallback_ms` if it has not painted by then). Nothing runs if the widget is deleted first."""
    _FirstPaint(widget, callback, fallback_ms)
