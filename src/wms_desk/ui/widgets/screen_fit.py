"""Sizes from the screen a window opens on: its preferred size, never past the screen's edges."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# Of the available screen, what a window may take: the rest is its title bar and frame, which
# the window system adds outside the size we set (about 30 px on common desktops).
SCREEN_SHARE = 0.92


def available_size(widget: QWidget) -> QSize:
    """The free area (without task bars) of the screen `widget` is on or will open on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size()


def fit_to_screen(window: QWidget, preferred: QSize) -> QSize:
    """Resize `window` to `preferred`, shrunk to what its screen has room for."""
    room = available_size(window)
    size = QSize(
        min(preferred.width(), int(room.width() * SCREEN_SHARE)),
        min(preferred.height(), int(room.height() * SCREEN_SHARE)),
    )
    window.resize(size)
    return size


def scrolling(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area: a long form scrolls instead of growing the window."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    return area
