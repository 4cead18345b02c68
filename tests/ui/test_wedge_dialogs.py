"""Typing into the dialogs Qt builds itself, with the wedge filter on: nothing is lost."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from tests.ui.keyboard import scan, type_text
from wms_desk.devices.wedge import WedgeConfig
from wms_desk.ui.screens.queue_prompts import QueuePrompts
from wms_desk.ui.wedge_filter import WedgeFilter

HUMAN_SPEEDS_MS = (70, 35)  # an ordinary and a fast typist


@pytest.fixture
def wedge() -> Iterator[WedgeFilter]:
    wedge = WedgeFilter(WedgeConfig())
    app = QApplication.instance()
    app.installEventFilter(wedge)
    yield wedge
    app.removeEventFilter(wedge)


@pytest.fixture
def parent(qtbot) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def answer_modal(qtbot, keys: Callable[[], None]) -> list[str]:
    """Once the modal dialog that is about to open has the focus, type into it.

    A dialog left open (the keys did not close it) is rejected so the test fails, not hangs.
    """
    problems: list[str] = []

    def answer() -> None:
        try:
            qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=10_000)
            keys()
        finally:
            dialog = QApplication.activeModalWidget()
            if dialog is not None:
                problems.append(f"{type(dialog).__name__} was still open")
                dialog.close()

    QTimer.singleShot(0, answer)
    return problems


@pytest.mark.parametrize("delay_ms", HUMAN_SPEEDS_MS)
def test_a_reason_typed_into_qinputdialog_arrives_whole(qtbot, wedge, parent, delay_ms) -> None:
    scans: list[object] = []
    wedge.scan_received.connect(scans.append)
    problems = answer_modal(qtbot, lambda: type_text(qtbot, "Damaged box, re-pick\r", delay_ms))
    reason = QueuePrompts(parent).reason("Hold orders", "Why are they held?")
    assert (reason, problems, scans) == ("Damaged box, re-pick", [], [])


def test_a_priority_typed_into_the_spin_box_is_taken(qtbot, wedge, parent) -> None:
    problems = answer_modal(qtbot, lambda: type_text(qtbot, "7\r", 70))
    assert (QueuePrompts(parent).priority(0), problems) == (7, [])


def test_a_scan_into_an_open_dialog_never_reaches_its_field(qtbot, wedge, parent) -> None:
    scans: list[object] = []
    wedge.scan_received.connect(scans.append)

    def keys() -> None:
        type_text(qtbot, "late", 70)
        qtbot.wait(300)  # a hand goes from the keys to the scanner
        scan(qtbot, "ORD:100234")
        type_text(qtbot, " parcel\r", 70)

    problems = answer_modal(qtbot, keys)
    reason = QueuePrompts(parent).reason("Cancel orders", "Why are they cancelled?")
    assert (reason, problems) == ("late parcel", [])
    assert [s.data for s in scans] == ["ORD:100234"]


@pytest.mark.parametrize("delay_ms", HUMAN_SPEEDS_MS)
def test_a_file_name_typed_into_qfiledialog_arrives_whole(
    qtbot, wedge, parent, tmp_path: Path, delay_ms
) -> None:
    dialog = QFileDialog(parent, "Export orders", str(tmp_path), "CSV files (*.csv)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    problems = answer_modal(qtbot, lambda: type_text(qtbot, "orders-Monday.csv\r", delay_ms))
    accepted = dialog.exec()
    assert (accepted, problems) == (QFileDialog.DialogCode.Accepted, [])
    assert dialog.selectedFiles() == [str(tmp_path / "orders-Monday.csv")]
