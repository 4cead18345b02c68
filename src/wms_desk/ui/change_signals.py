"""The change bus on the GUI thread: one signal screens refresh from, local and remote alike."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from wms_desk.services.changes import ChangeBus, ChangeSet


class ChangeSignals(QObject):
    """`changed(ChangeSet)` on the GUI thread after any commit on this database (this process's
    units of work, and other stations' heard through LISTEN/NOTIFY or polling).

    Screens connect to `changed`, check the topics they show, and re-query; nothing else tells
    them to refresh.
    """

    changed = Signal(object)  # ChangeSet
    _heard = Signal(object)

    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._heard.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(self._from_any_thread)

    def _from_any_thread(self, changes: ChangeSet) -> None:
        try:
            self._heard.emit(changes)
        except RuntimeError:  # the window is gone at shutdown
            pass

    @Slot(object)
    def _deliver(self, changes: ChangeSet) -> None:
        self.changed.emit(changes)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
