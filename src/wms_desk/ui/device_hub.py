"""The station's devices for the life of the process: drivers, the Qt bridge, the wedge filter.

Devices belong to the station, not to whoever is signed in: the composition root starts them
once the station is known and they keep running across sign-outs, so a badge scan can sign the
next packer in. Screens reach them as `ui.devices` and never open a port themselves.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from wms_desk.ui.device_bridge import DeviceBridge

if TYPE_CHECKING:
    from wms_desk.devices.station import DemoSimulators, StationDevices
    from wms_desk.services.station_bindings import StationBindings
    from wms_desk.ui.status_bar import StationStatusBar
    from wms_desk.ui.wedge_filter import WedgeFilter

log = logging.getLogger(__name__)
DEVICES = ("scanner", "scale")


class DeviceHub(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = DeviceBridge(self)
        self.devices: StationDevices | None = None
        self.demo: DemoSimulators | None = None
        self.wedge: WedgeFilter | None = None
        self.bindings: StationBindings | None = None
        self.states: dict[str, str] = dict.fromkeys(DEVICES, "not configured")
        self.bridge.device_state_changed.connect(self._remember_state)

    def start(self, bindings: StationBindings, demo: bool = False) -> StationBindings:
        """Open what `bindings` names (the demo: its own simulated scale and scanner instead);
        returns the bindings the station now runs with."""
        from wms_desk.devices.station import StationDevices
        from wms_desk.services.station_bindings import ScaleBinding, ScannerBinding

        if demo:
            from wms_desk.devices.station import start_demo_simulators

            self.demo = start_demo_simulators()
            bindings = bindings.with_devices(
                ScannerBinding.from_saved(self.demo.bindings["scanner"]),
                ScaleBinding.from_saved(self.demo.bindings["scale"]),
            )
        self.bindings = bindings
        for device in DEVICES:
            if getattr(bindings, device) is not None:
                self.states[device] = "connecting"
        self.devices = StationDevices(bindings.device_bindings(), **self.bridge.callbacks())
        self.devices.start()
        app = QApplication.instance()
        if app is not None and bindings.wedge.enabled:
            from wms_desk.ui.wedge_filter import install_wedge_filter

            self.wedge = install_wedge_filter(app, bindings.wedge.as_binding(), self.bridge)
        return bindings

    def restart(self, device_bindings: dict[str, Any]) -> None:
        """Settings > Devices: try or apply new settings without restarting the app."""
        if self.devices is None:
            from wms_desk.devices.station import StationDevices

            self.devices = StationDevices(device_bindings, **self.bridge.callbacks()).start()
        else:
            self.devices.restart({**self.devices.bindings, **device_bindings})

    def running_bindings(self) -> dict[str, Any] | None:
        """What the drivers run with now (saved + this run's overrides, or the demo's)."""
        return dict(self.devices.bindings) if self.devices is not None else None

    def _remember_state(self, device: str, state: str) -> None:
        self.states[device] = state

    def building(self) -> AbstractContextManager[None]:
        """`with hub.building():` around building widgets on the GUI thread: the events the
        build sends skip the wedge filter (see WedgeFilter.suspended)."""
        return self.wedge.suspended() if self.wedge is not None else nullcontext()

    def attach(self, status_bar: StationStatusBar) -> None:
        """Show the devices' states in the status bar, live."""
        for device, state in self.states.items():
            status_bar.set_device_state(device, state)
        self.bridge.device_state_changed.connect(status_bar.set_device_state)

    def stop(self) -> None:
        app = QApplication.instance()
        if self.wedge is not None and app is not None:
            app.removeEventFilter(self.wedge)
        if self.devices is not None:
            self.devices.stop()
        if self.demo is not None:
            self.demo.stop()
