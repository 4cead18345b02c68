"""assert_fits(widget, QSize(1366, 768)): a window, shown, fits the screen with all its buttons."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QWidget


def _scrolls(widget: QWidget, window: QWidget) -> bool:
    """Part of a scroll area (its content, a table's corner button): it moves with the area."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _name(widget: QWidget) -> str:
    title = widget.windowTitle()
    return f"{type(widget).__name__}{f' {title!r}' if title else ''}"


def assert_fits(widget: QWidget, screen: QSize) -> None:
    """The window of `widget` fits a screen of `screen` (say 1366x768) with its frame:

    - it can be made that small: its minimum size (minimumSizeHint, minimumSize) plus the
      window frame fits;
    - as shown it lies on the screen, and so does every button not inside a scroll area
      (a Print button below the screen edge cannot be pressed).
    """
    window = widget.window()
    if not window.isVisible():
        window.show()
    if window.layout() is not None:
        window.layout().activate()
    QApplication.processEvents()
    name = _name(window)
    bounds = QRect(QPoint(0, 0), screen)
    frame = window.frameGeometry().size() - window.geometry().size()
    least = window.minimumSizeHint().expandedTo(window.minimumSize()) + frame
    assert least.width() <= screen.width() and least.height() <= screen.height(), (
        f"{name} needs at least {least.width()}x{least.height()} with its frame; "
        f"the screen is {screen.width()}x{screen.height()}"
    )
    shown = window.frameGeometry()
    assert bounds.contains(shown), (
        f"{name} opens at {shown.width()}x{shown.height()}+{shown.x()}+{shown.y()}, "
        f"off a {screen.width()}x{screen.height()} screen"
    )
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or _scrolls(button, window):
            continue
        where = QRect(button.mapToGlobal(QPoint(0, 0)), button.size())
        assert bounds.contains(where), (
            f"the {button.text() or type(button).__name__!r} button of {name} is at "
            f"{where.x()},{where.y()}, off a {screen.width()}x{screen.height()} screen"
        )
