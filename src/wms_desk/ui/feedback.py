"""Scan feedback: a colour flash, a sound, and a line of large text that says what happened.

Every scan gets an answer here at once, whichever screen is in front (DESIGN: "a scan nothing can
use gets feedback, never silence"). Screens with their own status line (the pack screen) still
call `show()` so the sound and the flash are the same everywhere.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QWidget

from wms_desk.ui.theme import resources_dir
from wms_desk.ui.widgets.named import named


class Tone(StrEnum):
    SUCCESS = "success"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    COMPLETE = "complete"


# (flash background, settled background, text) per tone: readable from a metre away.
_COLOURS = {
    Tone.SUCCESS: ("#1e9e4a", "#e3f5e9", "#0c4a22"),
    Tone.COMPLETE: ("#1e9e4a", "#e3f5e9", "#0c4a22"),
    Tone.ERROR: ("#d0312d", "#fbe4e3", "#6e1411"),
    Tone.WARNING: ("#e0a100", "#fff4d6", "#5c4300"),
    Tone.INFO: ("#2f6fb3", "#e4eef9", "#143a63"),
}
FLASH_MS = 450


class FeedbackLine(QFrame):
    """The window's feedback line, under the banner: the last scan's answer in large type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FeedbackLine")
        self.label = named(QLabel(), "FeedbackText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        font = self.label.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.5)
        font.setBold(True)
        self.label.setFont(font)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.addWidget(self.label, 1)
        self.tone: Tone | None = None
        self._background = QColor(Qt.GlobalColor.transparent)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.timeout.connect(self._settled)
        self.hide()

    def show_message(self, tone: Tone, text: str) -> None:
        self.tone = tone
        self.label.setText(text)
        flash, _settled, _ink = _COLOURS[tone]
        self._paint(flash, "white")
        self.show()
        self._settle.start(FLASH_MS)

    def _settled(self) -> None:
        if self.tone is not None:
            _flash, settled, ink = _COLOURS[self.tone]
            self._paint(settled, ink)

    def _paint(self, background: str, ink: str) -> None:
        # Painted by hand (paintEvent) and the text's colour through its palette: setting a
        # style sheet re-polished the line and its label on every scan (~0.4 ms of the GUI
        # thread between a scan's answer and its repaint).
        colour = QColor(background)
        if colour != self._background:
            self._background = colour
            self.update()
        palette = self.label.palette()
        if palette.color(QPalette.ColorRole.WindowText) != QColor(ink):
            palette.setColor(QPalette.ColorRole.WindowText, QColor(ink))
            self.label.setPalette(palette)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The tone's background with rounded corners (what the style sheet drew before)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._background)
        painter.drawRoundedRect(QRectF(self.rect()), 4, 4)
        painter.end()
        super().paintEvent(event)

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


def _sound_effect_class() -> Any:
    """QSoundEffect when QtMultimedia (PySide6-Addons) is installed, else None."""
    try:
        module = importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None
    return getattr(module, "QSoundEffect", None)


class Sounds:
    """Plays a tone's WAV from resources/sounds through Qt's QSoundEffect when QtMultimedia is
    installed (it ships in PySide6-Addons, which the station does not need otherwise). Without
    it, or without an audio device, errors fall back to the system beep, so a wrong scan is
    never silent. `played` records every tone asked for, `files` the WAV each one maps to."""

    def __init__(self, volume: float = 0.8, folder: Path | None = None) -> None:
        self.folder = folder or resources_dir() / "sounds"
        self.files = {tone: self.folder / f"{tone.value}.wav" for tone in Tone}
        self.played: list[Tone] = []  # what was played, newest last (tests and the demo read it)
        self._effects: dict[Tone, Any] = {}
        self.backend = "beep"
        self._volume = 0.0
        sound_effect = _sound_effect_class()
        if sound_effect is not None:
            self.backend = "qt"
            for tone, path in self.files.items():
                if path.is_file():
                    effect = sound_effect()
                    effect.setSource(QUrl.fromLocalFile(str(path)))
                    self._effects[tone] = effect
        self.volume = volume

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = min(max(float(value), 0.0), 1.0)
        for effect in self._effects.values():
            effect.setVolume(self._volume)

    def play(self, tone: Tone) -> None:
        self.played.append(tone)
        del self.played[:-50]
        if self._volume <= 0:
            return
        effect = self._effects.get(tone)
        if effect is not None:
            effect.play()
        elif tone is Tone.ERROR:
            QApplication.beep()


class ScanFeedback(QObject):
    """`show(tone, text)`: flash, sound and text; `shown` tells tests what the user saw."""

    shown = Signal(str, str)  # tone, text

    def __init__(self, line: FeedbackLine, sounds: Sounds | None = None) -> None:
        super().__init__(line)
        self.line = line
        self.sounds = sounds or Sounds()

    def show(self, tone: Tone, text: str) -> None:
        self.line.show_message(tone, text)
        self.sounds.play(tone)
        self.shown.emit(tone.value, text)

    def success(self, text: str) -> None:
        self.show(Tone.SUCCESS, text)

    def error(self, text: str) -> None:
        self.show(Tone.ERROR, text)

    def info(self, text: str) -> None:
        self.show(Tone.INFO, text)

    def clear(self) -> None:
        self.line.hide()
