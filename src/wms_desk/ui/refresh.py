"""Screens refresh from the change bus: one helper, so each screen only names its topics."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.ui.context import UiContext

# A burst of commits (an import, a scan per second) becomes one re-query.
COALESCE_MS = 150


class RefreshOnChange(QObject):
    """Calls `refresh()` after a commit touching `topics`, at most once per burst, and only
    while `widget` is visible: a hidden screen is marked stale and refreshes when shown."""

    def __init__(
        self,
        ui: UiContext,
        widget: QWidget,
        topics: Iterable[Topic],
        refresh: Callable[[], None],
        delay_ms: int = COALESCE_MS,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._topics = frozenset(topics)
        self._refresh = refresh
        self.stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._fire)
        widget.installEventFilter(self)
        if ui.changes is not None:
            ui.changes.changed.connect(self._heard)

    def _heard(self, changes: ChangeSet) -> None:
        if self._topics & changes.topics:
            self._timer.start()

    def _fire(self) -> None:
        if self._widget.isVisible():
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._refresh()
        return False
