"""UI tests run on a 1366x768 offscreen screen: the smallest a station or a supervisor has."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

LAPTOP = QSize(1366, 768)
SCREEN_CONFIG = Path(__file__).with_name("laptop-screen.json")

# Read when the QApplication is made, so it is set at collection, before any test makes one.
# The offscreen platform's own screen is 800x800; its config file gives it a laptop's screen.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_CONFIG}"


@pytest.fixture
def laptop_screen(qapp) -> QSize:
    """The screen really is 1366x768 (fails, never skips, if the platform ignored the config)."""
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry().size()
    assert available == LAPTOP, (
        f"the test screen is {available.width()}x{available.height()}, not 1366x768: run the UI "
        f"tests with QT_QPA_PLATFORM=offscreen:configfile={SCREEN_CONFIG}"
    )
    return available
