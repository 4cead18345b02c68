"""A station's serial devices from its bindings, reported through callbacks; demo simulators."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from wms_desk.devices.scales import scale_from_binding
from wms_desk.devices.scales.base import CommandOutcome, Reading
from wms_desk.devices.scanner import SCANNER_PORT_DEFAULTS, ScannerSettings, SerialScanner
from wms_desk.devices.transport import DeviceState, PortSettings, SerialLink
from wms_desk.domain.scan import ScanResult

log = logging.getLogger(__name__)

SCANNER, SCALE = "scanner", "scale"
ScanCallback = Callable[[ScanResult], None]
ReadingCallback = Callable[[Reading], None]
StateCallback = Callable[[str, str, str], None]  # device name, state, detail


class StationDevices:
    """Starts and stops the scanner and scale drivers a bindings dict names.

    Callbacks run on the devices' reader threads: a Qt front end passes them through
    ui.device_bridge.DeviceBridge, which delivers them on the GUI thread.
    """

    def __init__(
        self,
        bindings: dict[str, Any],
        on_scan: ScanCallback | None = None,
        on_reading: ReadingCallback | None = None,
        on_state: StateCallback | None = None,
    ) -> None:
        self.bindings = dict(bindings)
        self._on_scan = on_scan or (lambda result: None)
        self._on_reading = on_reading or (lambda reading: None)
        self._on_state = on_state or (lambda name, state, detail: None)
        self.links: dict[str, SerialLink] = {}
        self.scale: Any = None
        self.scanner: SerialScanner | None = None

    def start(self) -> StationDevices:
        """Open what is bound; a device that cannot be opened retries by itself (state says so)."""
        scanner_binding = self.bindings.get(SCANNER) or {}
        if scanner_binding.get("port"):
            try:
                self._start_scanner(scanner_binding)
            except (ValueError, TypeError) as exc:
                self._on_state(SCANNER, DeviceState.ERROR.value, f"bad scanner settings: {exc}")
        scale_binding = self.bindings.get(SCALE) or {}
        if scale_binding.get("port"):
            try:
                self._start_scale(scale_binding)
            except (ValueError, TypeError) as exc:
                self._on_state(SCALE, DeviceState.ERROR.value, f"bad scale settings: {exc}")
        return self

    def stop(self) -> None:
        for link in list(self.links.values()):
            link.stop()
        self.links.clear()
        self.scale = None
        self.scanner = None

    def restart(self, bindings: dict[str, Any]) -> None:
        """New bindings saved in the settings screen take effect without restarting the app."""
        self.stop()
        self.bindings = dict(bindings)
        self.start()

    def states(self) -> dict[str, str]:
        return {name: link.state.value for name, link in self.links.items()}

    def zero(self) -> Future[CommandOutcome]:
        return self._scale_command("zero")

    def tare(self) -> Future[CommandOutcome]:
        return self._scale_command("tare")

    def _scale_command(self, name: str) -> Future[CommandOutcome]:
        if self.scale is None:
            future: Future[CommandOutcome] = Future()
            future.set_result(CommandOutcome(name, False, "no scale is bound to this station"))
            return future
        return self.scale.zero() if name == "zero" else self.scale.tare()

    def _start_scanner(self, binding: dict[str, Any]) -> None:
        settings = ScannerSettings.from_binding(binding)
        port = PortSettings.from_binding(binding, SCANNER_PORT_DEFAULTS)
        self.scanner = SerialScanner(self._on_scan, settings)
        self._start_link(SCANNER, port, self.scanner)

    def _start_scale(self, binding: dict[str, Any]) -> None:
        self.scale, port = scale_from_binding(binding, self._on_reading)
        self._start_link(SCALE, port, self.scale)

    def _start_link(self, name: str, port: PortSettings, protocol: Any) -> None:
        def report(state: DeviceState, detail: str) -> None:
            self._on_state(name, state.value, detail)

        link = SerialLink(name, port, protocol, report)
        self.links[name] = link
        link.start()


@dataclass
class DemoSimulators:
    """The simulated scale and scanner behind `--demo`; `bindings` is what the station uses."""

    scale: Any
    scanner: Any
    bindings: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        self.scale.stop()
        self.scanner.stop()


def start_demo_simulators(protocol: str = "mt-sics", weight: str = "1.250 kg") -> DemoSimulators:
    """An in-process simulated scale and scanner (ptys, or TCP without them) for `--demo`.

    The demo can put things on the scale (`demo.scale.command("weight 2 kg")`) and scan
    (`demo.scanner.scan("ORD:100234")`); the app just binds the returned bindings.
    """
    from wms_desk.devices.simulators.endpoint import PTY_AVAILABLE
    from wms_desk.devices.simulators.scale import ScaleSimulator
    from wms_desk.devices.simulators.scanner import ScannerSimulator

    transport = "pty" if PTY_AVAILABLE else "tcp"  # Windows: socket:// on 127.0.0.1
    scale = ScaleSimulator(protocol, transport).start()
    scale.command(f"weight {weight}")
    scanner = ScannerSimulator(transport, aim=True, suffix="cr")
    bindings = {
        SCANNER: {
            "port": scanner.address,
            "baudrate": 9600,
            "bytesize": 8,
            "parity": "N",
            "stopbits": 1,
            "suffix": "cr",
            "aim": True,
            "usb": None,
        },
        SCALE: {"port": scale.address, "protocol": protocol, "pattern": None, "usb": None},
        "wedge": {"enabled": True, "suffix": "cr", "fnc1": None, "max_gap_ms": 30, "min_length": 4},
    }
    return DemoSimulators(scale, scanner, bindings)
