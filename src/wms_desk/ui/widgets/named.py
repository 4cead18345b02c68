"""Widgets with a style-sheet name: `named(QLabel("Sign in"), "LoginTitle")`, typed for mypy;
`repolish` after a name or property the style sheet selects on has changed."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Set the object name the style sheet (resources/styles/app.qss) selects on."""
    widget.setObjectName(name)
    return widget


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again to `widget` and its children after its object name or a
    property the style sheet selects on changed.

    Not `widget.style().unpolish(widget)` / `polish(widget)`: the first Python call of
    `style()` makes PySide6 build its QStyle type, some 700 enum members (~18 ms, on the
    GUI thread while the station opens). Setting a widget style sheet, even a blank one, has
    Qt repolish the widget in C++ with the application's rules, every time it is set."""
    widget.setStyleSheet(" ")
