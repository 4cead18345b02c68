"""The Ship screen's "Label made elsewhere…" dialog with the whole station installed: typed keys
and a serial scanner's scans go into it, a refusal shows in it, the labels land on the board."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from tests.ui.fit import assert_fits
from tests.ui.keyboard import scan, type_text
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens.ship_screen import ShipScreen

# DHL parcel numbers (JJD + 18 digits): a shape the scan interpreter knows as tracking.
FIRST, SECOND, THIRD = "JJD000390007827254561", "JJD000390007827254562", "JJD000390007827254563"
HUMAN_MS = 70  # slower than the keyboard-wedge filter's scan timing: typing, not a scan


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, start_station, scanner):
    info = ensure_station(database, "ship-02")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    import_nordpost(admin)
    ship_from_sweden(database)
    packed_order(database, "S-200", (900, 1400, 500))
    app = start_station("ship-02", label_printer=(tmp_path / "labels").as_uri())
    with qtbot.waitSignal(app.window_shown, timeout=10_000):
        scanner.scan("BADGE:PACK-0001")
    return app


def test_labels_made_elsewhere_are_typed_and_scanned_into_the_dialog(
    qtbot, station, scanner
) -> None:
    screen = station.window.show_screen("ship")
    assert isinstance(screen, ShipScreen)
    qtbot.waitUntil(lambda: screen.carrier.count() == 1, timeout=10_000)
    qtbot.mouseClick(screen.manual_button, Qt.MouseButton.LeftButton)
    dialog = screen.manual_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    assert_fits(dialog, QSize(1366, 768))

    # Typed by hand, through the station's wedge filter, as a person types.
    type_text(qtbot, "S-200\r", HUMAN_MS)
    assert dialog.order.text() == "S-200" and dialog.focusWidget() is dialog.carrier
    type_text(qtbot, "DHL\r", HUMAN_MS)
    assert dialog.focusWidget() is dialog.tracking
    type_text(qtbot, FIRST.lower() + "\r", HUMAN_MS)
    assert dialog.isVisible() and dialog.numbers() == [FIRST]  # Enter adds, never records

    # One label for three boxes: refused in the dialog, which stays open with what was scanned.
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "Order S-200 has 3 packages but 1 tracking numbers" in dialog.error.text()
    assert dialog.isVisible() and dialog.numbers() == [FIRST]

    # The next labels scanned: the serial scanner, then a keyboard-wedge burst into the field.
    with qtbot.waitSignal(station.router.routed, timeout=10_000) as routed:
        scanner.scan(SECOND)
    assert routed.args[1] == "screen:ship"
    with qtbot.waitSignal(station.router.routed, timeout=10_000):
        scan(qtbot, THIRD)
    assert dialog.numbers() == [FIRST, SECOND, THIRD]
    assert dialog.tracking.text() == ""  # the wedge's characters never leak into the field
    with qtbot.waitSignal(screen.manual_recorded, timeout=10_000):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.manual_dialog is None, timeout=5_000)
    line = station.window.feedback_line
    assert line.tone is Tone.SUCCESS
    assert (
        f"Order S-200: 3 labels recorded (dhl, made elsewhere): {FIRST}, {SECOND}, {THIRD}."
        in line.text
    )
    board = screen.board_model
    qtbot.waitUntil(lambda: board.rowCount() == 3, timeout=10_000)
    assert [(r.tracking, r.carrier, r.package) for r in board.rows] == [
        (FIRST, "dhl", "1 of 3"), (SECOND, "dhl", "2 of 3"), (THIRD, "dhl", "3 of 3")
    ]  # fmt: skip
    assert screen.carrier.count() == 1  # a manual carrier has no manifest to close here

    # With the dialog closed, a tracking scan is a driver handover again.
    with qtbot.waitSignal(screen.handed_over, timeout=10_000):
        scanner.scan(FIRST)
    assert f"{FIRST} (order S-200) handed to the driver" in line.text
