"""Keys as a keyboard sends them: to the focused window, through Qt's own routing, timestamped."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtTest import QTest

SPECIAL = {"\t": Qt.Key.Key_Tab, "\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return}


def focus_window(qtbot) -> QWindow:
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None, timeout=10_000)
    window = QGuiApplication.focusWindow()
    assert window is not None
    return window


def press(qtbot, key: Qt.Key | str) -> None:
    """One key to whatever window has the focus; Qt routes it to the focused widget.

    Unlike qtbot.keyClick(widget, ...), the event goes the way a real key press does: through
    the QWindow (so a filter sees Qt's own dialogs exactly as in use) with a real timestamp.
    """
    window = focus_window(qtbot)
    if isinstance(key, str) and key in SPECIAL:
        key = SPECIAL[key]
    QTest.keyClick(window, key, Qt.KeyboardModifier.NoModifier)


def type_text(qtbot, text: str, delay_ms: int) -> None:
    """A person typing: `delay_ms` or more between keys (the event loop runs in between)."""
    for char in text:
        qtbot.wait(delay_ms)
        press(qtbot, char)


def scan(qtbot, text: str, terminator: str = "\r") -> None:
    """A wedge scanner: the whole burst at once, then the terminator."""
    for char in text + terminator:
        press(qtbot, char)
