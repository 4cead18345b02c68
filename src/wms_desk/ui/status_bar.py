"""The status bar: database mode, station, user, and one indicator per device."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from wms_desk.ui.widgets.named import repolish

# Device state -> (text, style object name)
_STATES = {
    "connected": ("connected", "StatusOk"),
    "stable": ("connected", "StatusOk"),
    "motion": ("connected", "StatusOk"),
    "simulated": ("simulated", "StatusOk"),
    "offline": ("offline", "StatusWarn"),
    "disconnected": ("offline", "StatusWarn"),
    "not configured": ("not configured", "StatusWarn"),
    "error": ("error", "StatusBad"),
}


class StationStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = self._label()
        self.station = self._label()
        self.user = self._label()
        self._devices: dict[str, QLabel] = {}
        for label in (self.database, self.station, self.user):
            self.addPermanentWidget(label)

    @staticmethod
    def _label() -> QLabel:
        # Indicators may be clipped on a narrow screen; they must never set the window's width.
        # An explicit minimum width replaces the label's text-wide minimum size hint.
        label = QLabel()
        label.setMinimumWidth(40)
        return label

    def set_database(self, mode: str, where: str, ok: bool = True) -> None:
        # A long file path must not widen the window: show its last part, the rest in a tooltip.
        short = where.replace("\\", "/").rsplit("/", 1)[-1] if mode == "embedded" else where
        short = short if len(short) <= 40 else "…" + short[-39:]
        self.database.setText(f"Database: {mode} ({short})" + ("" if ok else " — unreachable"))
        self._style(self.database, "StatusOk" if ok else "StatusBad")
        self.database.setToolTip(where)

    def set_station(self, name: str) -> None:
        self.station.setText(f"Station: {name}")

    def set_user(self, display_name: str, role: str) -> None:
        self.user.setText(f"User: {display_name}" + (f" ({role})" if role else ""))

    def set_device_state(self, device: str, state: str) -> None:
        label = self._devices.get(device)
        if label is None:
            label = self._label()
            self._devices[device] = label
            self.insertPermanentWidget(0, label)
        text, style = _STATES.get(state, (state, "StatusWarn"))
        label.setText(f"{device.capitalize()}: {text}")
        self._style(label, style)

    def device_text(self, device: str) -> str:
        label = self._devices.get(device)
        return label.text() if label else ""

    @staticmethod
    def _style(label: QLabel, name: str) -> None:
        label.setObjectName(name)
        repolish(label)
