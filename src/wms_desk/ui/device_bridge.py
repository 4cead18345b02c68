"""Device driver callbacks (any thread) -> Qt signals delivered on the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot


class DeviceBridge(QObject):
    """Pass `on_scan`, `on_reading` and `on_state` to StationDevices; connect to the signals.

    Each callback emits a private signal that is queued to this object's (GUI) thread, where the
    public signal is emitted. So a lambda connected to `scan_received` runs on the GUI thread too,
    whichever reader thread the scan came from.
    """

    scan_received = Signal(object)  # domain.scan.ScanResult
    weight_changed = Signal(object)  # devices.scales.base.Reading
    device_state_changed = Signal(str, str)  # device name, state ("connected", "offline", ...)

    _scan_queued = Signal(object)
    _reading_queued = Signal(object)
    _state_queued = Signal(str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.states: dict[str, str] = {}
        self.details: dict[str, str] = {}
        self.last_reading: Any = None
        self.last_scan: Any = None
        queued = Qt.ConnectionType.QueuedConnection
        self._scan_queued.connect(self._deliver_scan, queued)
        self._reading_queued.connect(self._deliver_reading, queued)
        self._state_queued.connect(self._deliver_state, queued)

    # -- callbacks for the drivers (any thread) ---------------------------------------------

    def on_scan(self, result: Any) -> None:
        self._queue(self._scan_queued, result)

    def on_reading(self, reading: Any) -> None:
        self._queue(self._reading_queued, reading)

    def on_state(self, device: str, state: str, detail: str = "") -> None:
        self._queue(self._state_queued, device, state, detail)

    @staticmethod
    def _queue(signal: Any, *args: Any) -> None:
        # A reader thread may outlive the window at shutdown: its last event has nowhere to go.
        try:
            signal.emit(*args)
        except RuntimeError:
            pass

    def callbacks(self) -> dict[str, Any]:
        """Keyword arguments for StationDevices(bindings, **bridge.callbacks())."""
        return {"on_scan": self.on_scan, "on_reading": self.on_reading, "on_state": self.on_state}

    # -- GUI thread -------------------------------------------------------------------------

    @Slot(object)
    def _deliver_scan(self, result: Any) -> None:
        self.last_scan = result
        self.scan_received.emit(result)

    @Slot(object)
    def _deliver_reading(self, reading: Any) -> None:
        self.last_reading = reading
        self.weight_changed.emit(reading)

    @Slot(str, str, str)
    def _deliver_state(self, device: str, state: str, detail: str) -> None:
        self.details[device] = detail
        if self.states.get(device) == state:
            return
        self.states[device] = state
        self.device_state_changed.emit(device, state)
