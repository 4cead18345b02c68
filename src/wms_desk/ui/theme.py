"""The look: the shipped style sheet and fonts, applied once to the application."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication


def resources_dir() -> Path:
    """resources/ sits beside src/ in a checkout; a frozen build sets WMS_DESK_RESOURCES."""
    import os

    if os.environ.get("WMS_DESK_RESOURCES"):
        return Path(os.environ["WMS_DESK_RESOURCES"])
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "resources"
        if (candidate / "styles").is_dir():
            return candidate
    return here.parents[3] / "resources"


def apply_theme(app: QApplication) -> None:
    resources = resources_dir()
    fonts = resources / "fonts"
    if fonts.is_dir():
        # Ship our own fonts so a bare machine shows names like Zoë or Łódź, not boxes.
        for font in sorted(fonts.glob("DejaVuSans*.ttf")):
            QFontDatabase.addApplicationFont(str(font))
    style = resources / "styles" / "app.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
