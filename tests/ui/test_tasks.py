"""The background runner: results arrive on the GUI thread; a closed widget's result is dropped."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from wms_desk.services.errors import DatabaseUnavailable
from wms_desk.ui.tasks import TaskRunner


def test_results_and_errors_come_back_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner()
    seen: list[tuple[object, bool]] = []
    main = threading.current_thread()

    def record(value: object) -> None:
        seen.append((value, threading.current_thread() is main))

    runner.run(lambda: threading.current_thread() is not main, on_done=record)
    runner.run(lambda: 1 / 0, on_error=record)
    qtbot.waitUntil(lambda: len(seen) == 2 and runner.pending == 0, timeout=10_000)
    results = dict((type(v).__name__, on_main) for v, on_main in seen)
    assert results == {"bool": True, "ZeroDivisionError": True}
    assert (True, True) in seen  # the work itself ran off the GUI thread


def test_a_lost_database_is_announced_once(qtbot) -> None:
    runner = TaskRunner()

    def fail() -> None:
        raise DatabaseUnavailable("Cannot reach the database.")

    with qtbot.waitSignal(runner.database_lost, timeout=10_000) as lost:
        runner.run(fail)
    assert "Cannot reach" in lost.args[0]


def test_a_result_for_a_deleted_widget_is_dropped_not_raised(qtbot) -> None:
    runner = TaskRunner()
    label = QLabel()
    release = threading.Event()
    runner.run(lambda: release.wait(10) and "late text", on_done=label.setText)

    def update_via_closure(text: str) -> None:
        label.setText(text)  # a closure: only the RuntimeError tells us the widget is gone

    runner.run(lambda: release.wait(10) and "late text", on_done=update_via_closure)
    label.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(label), timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)  # no exception in the loop
