"""Settings > Devices: ports, protocol and line settings, a live test; saved per station."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wms_desk.devices.ports import PortInfo, UsbMatch, list_ports
from wms_desk.devices.scales import PROTOCOLS, driver_class
from wms_desk.devices.scanner import SUFFIXES
from wms_desk.devices.wedge import WedgeConfig
from wms_desk.services.stations import ensure_station, merge_bindings
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.screen_fit import scrolling
from wms_desk.ui.widgets.weight_display import WeightDisplay

BAUD_RATES = ("1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200")
DEVICE_KEYS = ("scanner", "scale", "wedge")  # the printers' keys belong to the printers panel


class PortLine(QWidget):
    """Port (enumerated or typed URL) with baud, data bits, parity and stop bits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.port = QComboBox()
        self.port.setEditable(True)  # socket://host:port, rfc2217://, loop:// are typed
        self.port.setMinimumContentsLength(20)
        self.baud = QComboBox()
        self.baud.addItems(BAUD_RATES)
        self.baud.setEditable(True)
        self.bytesize = QComboBox()
        self.bytesize.addItems(["8", "7"])
        self.parity = QComboBox()
        self.parity.addItems(["N", "E", "O"])
        self.stopbits = QComboBox()
        self.stopbits.addItems(["1", "2"])
        self.bind_usb = QCheckBox("Follow its USB id")
        self.bind_usb.setToolTip(
            "Find the device again by its USB vendor, product and serial number when the "
            "system gives it another port name (after a replug or a restart)"
        )
        self._loaded: tuple[str, UsbMatch | None] = ("", None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.port, self.baud, self.bytesize, self.parity, self.stopbits):
            layout.addWidget(widget)
        layout.addWidget(self.bind_usb)

    def set_ports(self, ports: list[PortInfo]) -> None:
        current = self.url()
        self.port.clear()
        for info in ports:
            self.port.addItem(info.label, info)
        self.set_url(current)

    def url(self) -> str:
        index = self.port.currentIndex()
        info = self.port.itemData(index) if index >= 0 else None
        if isinstance(info, PortInfo) and self.port.currentText() == info.label:
            return info.device
        return self.port.currentText().strip()

    def set_url(self, url: str) -> None:
        for index in range(self.port.count()):
            info = self.port.itemData(index)
            if isinstance(info, PortInfo) and info.device == url:
                self.port.setCurrentIndex(index)
                return
        self.port.setEditText(url)

    def binding(self) -> dict[str, Any]:
        index = self.port.currentIndex()
        info = self.port.itemData(index) if index >= 0 else None
        usb = info.usb if isinstance(info, PortInfo) and info.device == self.url() else None
        if usb is None and self.url() == self._loaded[0]:
            usb = self._loaded[1]  # bound earlier, unplugged now: keep its identity
        return {
            "port": self.url() or None,
            "baudrate": int(self.baud.currentText() or 9600),
            "bytesize": int(self.bytesize.currentText()),
            "parity": self.parity.currentText(),
            "stopbits": int(self.stopbits.currentText()),
            "usb": usb.as_binding() if usb and self.bind_usb.isChecked() else None,
        }

    def load(self, binding: dict[str, Any]) -> None:
        self._loaded = (str(binding.get("port") or ""), UsbMatch.from_binding(binding.get("usb")))
        self.set_url(str(binding.get("port") or ""))
        self.baud.setCurrentText(str(binding.get("baudrate") or 9600))
        self.bytesize.setCurrentText(str(binding.get("bytesize") or 8))
        self.parity.setCurrentText(str(binding.get("parity") or "N"))
        self.stopbits.setCurrentText(str(int(float(binding.get("stopbits") or 1))))
        self.bind_usb.setChecked(bool(binding.get("usb")))


class DevicesPanel(QWidget):
    """`DevicesPanel(ui)` on the station's device hub (`ui.devices`): Test restarts the
    station's drivers with the form's settings; Save stores them as the station's binding."""

    bindings_saved = Signal(object)  # the saved StationInfo; .bindings is the full dict

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert ui.devices is not None, "the composition root gives every station a device hub"
        self.ui = ui
        self.hub = ui.devices
        bridge = self.bridge = ui.devices.bridge
        self.scanner_port = PortLine()
        self.scanner_suffix = QComboBox()
        self.scanner_suffix.addItems(list(SUFFIXES))
        self.scanner_aim = QCheckBox("Scanner sends AIM identifiers (]C1, ]E0 …)")
        self.scanner_aim.setChecked(True)
        self.scale_port = PortLine()
        self.scale_protocol = QComboBox()
        self.scale_protocol.addItems(list(PROTOCOLS))
        self.scale_pattern = QLineEdit()
        self.scale_pattern.setPlaceholderText(r"regex: (?P<weight>[\d.]+)\s*(?P<unit>kg|g|lb)")
        self.wedge_enabled = QCheckBox("Accept keyboard-wedge scans")
        self.wedge_suffix = QComboBox()
        self.wedge_suffix.addItems(list(SUFFIXES))
        self.wedge_fnc1 = QLineEdit()
        self.wedge_fnc1.setMaxLength(1)
        self.wedge_fnc1.setPlaceholderText("none")
        self.wedge_gap = QSpinBox()
        self.wedge_gap.setRange(5, 200)
        self.wedge_gap.setSuffix(" ms")
        self.wedge_min = QSpinBox()
        self.wedge_min.setRange(1, 64)
        self.refresh_button = QPushButton("Refresh ports")
        self.test_button = QPushButton("Test")
        self.save_button = QPushButton("Save")
        self.weight = WeightDisplay(point_size=32)
        self.last_scan = QLabel("Scan something to test the scanner.")
        self.last_scan.setWordWrap(True)
        self.device_states = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._build()
        self.scale_protocol.currentTextChanged.connect(self._protocol_changed)
        self.refresh_button.clicked.connect(self.refresh_ports)
        self.test_button.clicked.connect(self.start_test)
        self.save_button.clicked.connect(self.save)
        bridge.weight_changed.connect(self.weight.show_reading)
        bridge.device_state_changed.connect(self.weight.on_device_state)
        bridge.scan_received.connect(self._show_scan)
        bridge.device_state_changed.connect(self._show_states)
        self.load_bindings({})
        self.refresh_ports()
        self._load_station()

    def _build(self) -> None:
        scanner = QGroupBox("Serial scanner")
        form = QFormLayout(scanner)
        form.addRow("Port", self.scanner_port)
        form.addRow("Suffix", self.scanner_suffix)
        form.addRow("", self.scanner_aim)
        scale = QGroupBox("Scale")
        form = QFormLayout(scale)
        form.addRow("Port", self.scale_port)
        form.addRow("Protocol", self.scale_protocol)
        form.addRow("Pattern", self.scale_pattern)
        wedge = QGroupBox("Keyboard-wedge scanner")
        form = QFormLayout(wedge)
        form.addRow("", self.wedge_enabled)
        form.addRow("Suffix", self.wedge_suffix)
        form.addRow("FNC1 sent as", self.wedge_fnc1)
        form.addRow("Max gap between keys", self.wedge_gap)
        form.addRow("Min length", self.wedge_min)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.test_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        # The forms and the live test scroll; the buttons and the message stay in view, so the
        # panel never makes the window taller than a 768-pixel screen.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (scanner, scale, wedge):
            layout.addWidget(widget)
        layout.addWidget(self.weight)
        layout.addWidget(self.last_scan)
        layout.addWidget(self.device_states)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(scrolling(content), 1)
        outer.addLayout(buttons)
        outer.addWidget(self.message)

    # -- form <-> bindings ------------------------------------------------------------------

    def bindings(self) -> dict[str, Any]:
        scanner = self.scanner_port.binding()
        scanner.update(suffix=self.scanner_suffix.currentText(), aim=self.scanner_aim.isChecked())
        scale = self.scale_port.binding()
        protocol = self.scale_protocol.currentText()
        scale.update(protocol=protocol, pattern=self.scale_pattern.text().strip() or None)
        wedge = WedgeConfig(
            enabled=self.wedge_enabled.isChecked(),
            suffix=self.wedge_suffix.currentText(),
            fnc1=self.wedge_fnc1.text() or None,
            max_gap_ms=self.wedge_gap.value(),
            min_length=self.wedge_min.value(),
        )
        return {"scanner": scanner, "scale": scale, "wedge": wedge.as_binding()}

    def load_bindings(self, bindings: dict[str, Any]) -> None:
        scanner = bindings.get("scanner") or {}
        self.scanner_port.load(scanner)
        self.scanner_suffix.setCurrentText(str(scanner.get("suffix") or "cr"))
        self.scanner_aim.setChecked(bool(scanner.get("aim", True)))
        scale = bindings.get("scale") or {}
        self.scale_protocol.blockSignals(True)
        self.scale_protocol.setCurrentText(str(scale.get("protocol") or "mt-sics"))
        self.scale_protocol.blockSignals(False)
        self._protocol_changed(self.scale_protocol.currentText(), keep_line=True)
        self.scale_port.load(scale or self._protocol_line(self.scale_protocol.currentText()))
        self.scale_pattern.setText(str(scale.get("pattern") or ""))
        wedge = WedgeConfig.from_binding(bindings.get("wedge"))
        self.wedge_enabled.setChecked(wedge.enabled)
        self.wedge_suffix.setCurrentText(wedge.suffix)
        self.wedge_fnc1.setText(wedge.fnc1 or "")
        self.wedge_gap.setValue(int(wedge.max_gap_ms))
        self.wedge_min.setValue(wedge.min_length)

    @staticmethod
    def _protocol_line(protocol: str) -> dict[str, Any]:
        defaults = driver_class(protocol).port_defaults
        return defaults.as_binding()

    @Slot(str)
    def _protocol_changed(self, protocol: str, keep_line: bool = False) -> None:
        self.scale_pattern.setEnabled(protocol == "regex")
        if keep_line:
            return
        # Each protocol has its usual line settings (NCI and Toledo are 7E1): start from them.
        url = self.scale_port.url()
        self.scale_port.load({**self._protocol_line(protocol), "port": url})

    # -- actions ------------------------------------------------------------------------------

    @Slot()
    def refresh_ports(self) -> None:
        self.ui.tasks.run(list_ports, on_done=self._show_ports, on_error=self._ports_failed)

    def _show_ports(self, ports: list[PortInfo]) -> None:
        self.scanner_port.set_ports(ports)
        self.scale_port.set_ports(ports)

    @Slot()
    def start_test(self) -> None:
        """Run the devices with the form's settings; readings and scans show below."""
        self.hub.restart(self.bindings())
        self.message.setText("Testing: put something on the scale and scan a barcode.")

    @Slot()
    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            _merge_and_save,
            self.ui.services,
            self.bindings(),
            on_done=self._saved,
            on_error=self._show_error,
        )

    def _load_station(self) -> None:
        running = self.hub.running_bindings()
        if running is not None:
            # Show what runs now: the saved bindings plus command-line overrides (or the demo's).
            self.load_bindings(running)
            return
        self.ui.tasks.run(_station_bindings, self.ui.services, on_done=self.load_bindings)

    def _saved(self, info: Any) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(f"Saved the devices of station {info.name}.")
        self.bindings_saved.emit(info)

    def _show_error(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(f"Could not save: {error}")

    def _ports_failed(self, error: BaseException) -> None:
        self.message.setText(f"Could not list the serial ports: {error}")

    @Slot(object)
    def _show_scan(self, result: Any) -> None:
        text = result.data.replace("\x1d", "<GS>")
        lines = [f"Last scan: {text}", f"{result.symbology}, {result.kind}"]
        if result.gs1:
            lines.append("  ".join(f"({ai}) {value}" for ai, value in result.gs1.items()))
        if result.error:
            lines.append(f"Error: {result.error}")
        self.last_scan.setText("\n".join(lines))

    @Slot(str, str)
    def _show_states(self, device: str, state: str) -> None:
        states = self.bridge.states
        self.device_states.setText("   ".join(f"{name}: {value}" for name, value in states.items()))


def _station_bindings(ctx: Any) -> dict[str, Any]:
    return ensure_station(ctx.database, ctx.actor.station_name).bindings


def _merge_and_save(ctx: Any, device_bindings: dict[str, Any]) -> Any:
    """Save only the device keys; the printers' keys belong to the printers panel."""
    changes = {key: device_bindings[key] for key in DEVICE_KEYS}
    return merge_bindings(ctx, ctx.actor.station_id, changes)
