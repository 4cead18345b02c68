"""Work started after a screen's first paint: once, after the paint, or later if never shown."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel

from wms_desk.ui.first_paint import after_first_paint


class _PaintLog(QObject):
    """Records, in order, the watched widget's paints and the callback's calls."""

    def __init__(self, widget: QLabel) -> None:
        super().__init__(widget)
        self.events: list[str] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.events.append("paint")
        return False


def test_the_callback_runs_once_after_the_first_paint(qtbot) -> None:
    label = QLabel("Counting…")
    qtbot.addWidget(label)
    log = _PaintLog(label)
    after_first_paint(label, lambda: log.events.append("called"), fallback_ms=60_000)
    qtbot.wait(50)
    assert log.events == []  # not shown: nothing painted, nothing called (no fallback yet)
    label.show()
    qtbot.waitUntil(lambda: "called" in log.events, timeout=5_000)
    label.update()
    label.repaint()
    qtbot.wait(50)
    assert log.events[0] == "paint"
    assert log.events.count("called") == 1


def test_a_widget_that_never_paints_still_gets_its_work_after_the_fallback(qtbot) -> None:
    label = QLabel("hidden page")
    qtbot.addWidget(label)
    calls: list[int] = []
    after_first_paint(label, lambda: calls.append(1), fallback_ms=30)
    qtbot.waitUntil(lambda: calls == [1], timeout=5_000)
    label.show()
    qtbot.wait(50)
    assert calls == [1]


def test_nothing_runs_for_a_widget_deleted_before_it_painted(qtbot) -> None:
    label = QLabel("closed at once")
    calls: list[int] = []
    after_first_paint(label, lambda: calls.append(1), fallback_ms=30)
    label.deleteLater()
    qtbot.wait(150)
    assert calls == []
