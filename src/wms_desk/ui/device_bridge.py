"""Device driver callbacks (any thread) -> Qt signals delivered on the GUI thread."""

from __future__ import annotations

import ctypes
import sys
from functools import cache
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot


class _Probe(QObject):
    probed = Signal()


@cache
def _emit_loses_a_reference_to_true() -> bool:
    # PySide6 6.12.0 on CPython 3.11: SignalInstance.emit() returns True without taking a
    # reference, so every emit drops one from True; after a few hundred the interpreter aborts
    # ("bool_dealloc: deallocating True"). Measured once, so a fixed PySide needs no change here.
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.probed.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # pay back what the probe itself cost
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost > 0


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, giving back the reference to True that PySide6 6.12 loses."""
    # The stubs say emit() returns None; at run time it returns True (without a reference).
    result: Any = signal.emit(*args)  # type: ignore[func-returns-value]
    if result is True and _emit_loses_a_reference_to_true():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


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
        emit(self._scan_queued, result)

    def on_reading(self, reading: Any) -> None:
        emit(self._reading_queued, reading)

    def on_state(self, device: str, state: str, detail: str = "") -> None:
        emit(self._state_queued, device, state, detail)

    def callbacks(self) -> dict[str, Any]:
        """Keyword arguments for StationDevices(bindings, **bridge.callbacks())."""
        return {"on_scan": self.on_scan, "on_reading": self.on_reading, "on_state": self.on_state}

    # -- GUI thread -------------------------------------------------------------------------

    @Slot(object)
    def _deliver_scan(self, result: Any) -> None:
        self.last_scan = result
        emit(self.scan_received, result)

    @Slot(object)
    def _deliver_reading(self, reading: Any) -> None:
        self.last_reading = reading
        emit(self.weight_changed, reading)

    @Slot(str, str, str)
    def _deliver_state(self, device: str, state: str, detail: str) -> None:
        self.details[device] = detail
        if self.states.get(device) == state:
            return
        self.states[device] = state
        emit(self.device_state_changed, device, state)
