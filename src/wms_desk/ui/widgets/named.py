"""Widgets with a style-sheet name: `named(QLabel("Sign in"), "LoginTitle")`, typed for mypy."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Set the object name the style sheet (resources/styles/app.qss) selects on."""
    widget.setObjectName(name)
    return widget
