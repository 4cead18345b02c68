"""The station's devices for the life of the process: drivers, the Qt bridge, the wedge filter.

Devices belong to the station, not to whoever is signed in: they start once the station is
known and keep running across sign-outs, so a badge scan can sign the next packer in.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from wms_desk.settings import Settings
from wms_desk.ui.device_bridge import DeviceBridge

log = logging.getLogger(__name__)
DEVICES = ("scanner", "scale")


def effective_bindings(saved: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The station's saved bindings with the command line / env / config overrides on top."""
    bindings = copy.deepcopy(saved)
    if settings.scanner_port:
        bindings.setdefault("scanner", {})["port"] = settings.scanner_port
    if settings.scale_port:
        bindings.setdefault("scale", {})["port"] = settings.scale_port
    if settings.scale_protocol:
        bindings.setdefault("scale", {})["protocol"] = settings.scale_protocol
    return bindings


class StationRuntime(QObject):
    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.bridge = DeviceBridge(self)
        self.devices: Any = None
        self.demo: Any = None
        self.wedge: Any = None
        self.states: dict[str, str] = dict.fromkeys(DEVICES, "not configured")
        self.bridge.device_state_changed.connect(self._remember_state)

    def start(self, saved_bindings: dict[str, Any]) -> None:
        from wms_desk.devices.station import StationDevices

        bindings = effective_bindings(saved_bindings, self.settings)
        if self.settings.demo:
            from wms_desk.devices.station import start_demo_simulators

            # The demo brings its own simulated scale and scanner, whatever was saved.
            self.demo = start_demo_simulators()
            bindings.update(self.demo.bindings)
        for device in DEVICES:
            if (bindings.get(device) or {}).get("port"):
                self.states[device] = "connecting"
        self.devices = StationDevices(bindings, **self.bridge.callbacks()).start()
        app = QApplication.instance()
        if app is not None and (bindings.get("wedge") or {}).get("enabled", True):
            from wms_desk.ui.wedge_filter import install_wedge_filter

            self.wedge = install_wedge_filter(app, bindings.get("wedge"), self.bridge)

    def _remember_state(self, device: str, state: str) -> None:
        self.states[device] = state

    def provide(self, ui: Any) -> None:
        """Put the devices where screens find them; before the window builds any screen."""
        ui.extras["device_bridge"] = self.bridge
        ui.extras["station_devices"] = self.devices

    def attach(self, status_bar: Any) -> None:
        """Show the devices' states in a signed-in window's status bar, live."""
        for device, state in self.states.items():
            status_bar.set_device_state(device, state)
        self.bridge.device_state_changed.connect(status_bar.set_device_state)

    def detach(self, status_bar: Any) -> None:
        try:
            self.bridge.device_state_changed.disconnect(status_bar.set_device_state)
        except (RuntimeError, TypeError):  # already gone with its window
            pass

    def stop(self) -> None:
        app = QApplication.instance()
        if self.wedge is not None and app is not None:
            app.removeEventFilter(self.wedge)
        if self.devices is not None:
            self.devices.stop()
        if self.demo is not None:
            self.demo.stop()
