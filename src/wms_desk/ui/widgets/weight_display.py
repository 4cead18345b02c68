"""A large live weight: big digits readable from a metre away, coloured by the scale's state."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

# state -> (background, text colour, caption). Offline is grey: an old number must not look live.
STATE_STYLES = {
    "stable": ("#2e7d32", "#ffffff", "STABLE"),
    "motion": ("#f9a825", "#000000", "SETTLING…"),
    "overload": ("#c62828", "#ffffff", "OVERLOAD — remove weight"),
    "underload": ("#c62828", "#ffffff", "UNDERLOAD — zero the scale"),
    "error": ("#c62828", "#ffffff", "SCALE ERROR"),
    "offline": ("#616161", "#ffffff", "SCALE OFFLINE"),
    "none": ("#424242", "#ffffff", "NO SCALE"),
}


def format_weight(reading: Any) -> str:
    """`0001.250` kg -> `1.250 kg`: leading zeros dropped, the scale's decimals kept."""
    if reading is None or reading.weight is None:
        return "—"
    try:
        value = Decimal(reading.weight)
    except InvalidOperation:
        return "—"
    text = f"{value:f}"
    if value == 0:
        text = text.lstrip("-")
    return f"{text} {reading.unit or ''}".strip()


class WeightDisplay(QFrame):
    """Connect `bridge.weight_changed` to `show_reading`; `state` says what is shown."""

    def __init__(self, parent: QWidget | None = None, *, point_size: int = 56) -> None:
        super().__init__(parent)
        self.setObjectName("WeightDisplay")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.digits = QLabel("—")
        self.digits.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont()
        font.setPointSize(point_size)
        font.setBold(True)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.digits.setFont(font)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption_font = QFont()
        caption_font.setPointSize(max(10, point_size // 3))
        self.caption.setFont(caption_font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.digits)
        layout.addWidget(self.caption)
        self.state = ""
        self.reading: Any = None
        self._apply_state("none")

    @Slot(object)
    def show_reading(self, reading: Any) -> None:
        self.reading = reading
        status = getattr(reading.status, "value", str(reading.status))
        if status == "disconnected":
            # Keep nothing that could be mistaken for a live weight.
            self.digits.setText("—")
            self._apply_state("offline")
            return
        if status in ("overload", "underload", "error"):
            self.digits.setText("—")
        else:
            self.digits.setText(format_weight(reading))
        self._apply_state(status if status in STATE_STYLES else "error")

    @Slot(str, str)
    def on_device_state(self, device: str, state: str) -> None:
        """Connect to `bridge.device_state_changed`: a lost or silent scale greys the display."""
        if device == "scale" and state in ("offline", "disconnected", "error", "stopped"):
            self.digits.setText("—")
            self._apply_state("error" if state == "error" else "offline")

    def weight_text(self) -> str:
        return self.digits.text()

    def _apply_state(self, state: str) -> None:
        self.state = state
        background, foreground, caption = STATE_STYLES[state]
        self.caption.setText(caption)
        self.setStyleSheet(
            f"#WeightDisplay {{ background: {background}; border-radius: 8px; }}"
            f"#WeightDisplay QLabel {{ color: {foreground}; background: transparent; }}"
        )
