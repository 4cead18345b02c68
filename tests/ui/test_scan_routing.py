"""Every scan is routed, with the whole station installed: a real serial scanner on a pty (our
simulator), the keyboard-wedge filter, the change bus, the print worker. What the user sees is
checked: the page, the signed-in user, the feedback line and the sounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.factories import add_order, add_product
from wms_desk.app.gui import StationApp
from wms_desk.db.models import ProductBarcode
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, start_station):
    info = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    add_user(admin, "sam", "supervisor", "super123", badge="SUPV-0001", display_name="Sam Boss")
    product_id = add_product(database, "MUG-BLUE", "Blue Mug")
    with database.write_session() as session, session.begin():
        session.add(ProductBarcode(product_id=product_id, code="4006381333931", quantity=1))
    add_order(database, "1042", sku="MUG-BLUE")
    return start_station("pack-01")


def _scan(qtbot, app: StationApp, scanner: ScannerSimulator, code: str) -> tuple[str, str]:
    """Send `code` over the pty and wait until the router says where it went."""
    with qtbot.waitSignal(app.router.routed, timeout=10_000) as routed:
        scanner.scan(code)
    scan, where = routed.args
    return scan.data, where


def _sign_in_by_badge(qtbot, app: StationApp, scanner: ScannerSimulator, badge: str) -> None:
    with qtbot.waitSignal(app.window_shown, timeout=10_000):
        scanner.scan(badge)


def test_a_badge_scan_signs_in_and_another_switches_user(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:PACK-0001")
    assert station.window.ui.actor.username == "pat"
    assert "Pat Packer" in station.window.status.user.text()
    with qtbot.waitSignal(station.window_shown, timeout=10_000):
        scanner.scan("BADGE:SUPV-0001")
    assert station.window.ui.actor.username == "sam"
    assert "Sam Boss" in station.window.windowTitle()


def test_logout_command_signs_out_on_any_screen(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    station.window.show_screen("settings")
    assert _scan(qtbot, station, scanner, "CMD:LOGOUT") == ("CMD:LOGOUT", "logout")
    assert not station.signed_in
    assert station.window.pages.currentWidget() is station.window.sign_in_page
    assert "signed out" in station.window.feedback_line.text


def test_an_unknown_code_is_answered_with_what_and_where(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    station.window.show_screen("settings")
    assert _scan(qtbot, station, scanner, "ZZ-NOT-A-THING")[1] == "unused"
    line = station.window.feedback_line
    assert line.tone is Tone.ERROR and "Unknown code 'ZZ-NOT-A-THING'" in line.text
    assert station.feedback.sounds.played[-1] is Tone.ERROR


def test_a_product_scan_where_it_cannot_be_used_names_the_product_and_where_it_works(
    qtbot, station, scanner
) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    station.window.show_screen("settings")
    assert _scan(qtbot, station, scanner, "4006381333931")[1] == "unused"
    text = station.window.feedback_line.text
    assert "Blue Mug (MUG-BLUE)" in text
    assert "Product codes work on Pack and Pick and Returns and Inventory" in text


def test_a_product_scan_on_inventory_finds_the_product(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    screen = station.window.show_screen("inventory")
    assert _scan(qtbot, station, scanner, "4006381333931")[1] == "screen:inventory"
    qtbot.waitUntil(lambda: "MUG-BLUE" in screen.title.text(), timeout=10_000)
    assert "found by the barcode 4006381333931" in station.window.feedback_line.text


def test_a_wedge_scan_is_routed_like_a_serial_one(qtbot, station) -> None:
    """Keys typed faster than a person can, then Enter: the wedge filter's scan goes through the
    same router (here: signs in by badge), and nothing leaks into the focused field."""
    field = station.login.username
    field.setFocus()
    with qtbot.waitSignal(station.window_shown, timeout=10_000):
        qtbot.keyClicks(field, "BADGE:PACK-0001")
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert station.window.ui.actor.username == "pat"
    assert "BADGE" not in field.text()


def test_an_order_barcode_opens_that_order_in_the_supervisors_queue(
    qtbot, station, scanner
) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    station.window.show_screen("settings")  # from any screen: the queue comes to the front
    assert _scan(qtbot, station, scanner, "ORD:1042") == ("ORD:1042", "screen:queue")
    queue = station.window.workspace.current_screen()
    assert station.window.current_screen_key() == "queue"
    qtbot.waitUntil(lambda: len(queue.selected_ids()) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: "1042" in queue.detail.title.text(), timeout=10_000)
    assert "Order 1042 (Shopify): new." in station.window.feedback_line.text


def test_an_order_id_barcode_opens_that_order_in_the_queue(
    qtbot, station, scanner, database: Database
) -> None:
    """Issue 9 #3: an order number Code 128 cannot carry is printed as `ORDID:<id>`."""
    order_id = add_order(database, "注文-漢字", sku="MUG-BLUE")
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    code = f"ORDID:{order_id}"
    assert _scan(qtbot, station, scanner, code) == (code, "screen:queue")
    queue = station.window.workspace.current_screen()
    qtbot.waitUntil(lambda: queue.selected_ids() == [order_id], timeout=10_000)
    qtbot.waitUntil(lambda: "注文-漢字" in queue.detail.title.text(), timeout=10_000)


def test_a_bare_order_number_is_looked_up_and_opens_the_order(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    station.window.show_screen("inventory")
    with qtbot.waitSignal(station.router.routed, timeout=10_000) as routed:
        scanner.scan("1042")
    scan, where = routed.args
    assert (scan.data, scan.kind, where) == ("ORD:1042", "order", "screen:queue")
    queue = station.window.workspace.current_screen()
    qtbot.waitUntil(lambda: len(queue.selected_ids()) == 1, timeout=10_000)


def test_an_order_number_nobody_has_says_so(qtbot, station, scanner) -> None:
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    _scan(qtbot, station, scanner, "ORD:9999")
    qtbot.waitUntil(lambda: "No order 9999" in station.window.feedback_line.text, timeout=10_000)
    assert station.window.feedback_line.tone is Tone.ERROR


def test_a_wedge_scan_of_an_order_barcode_opens_it_in_the_queue(qtbot, station, scanner) -> None:
    """A keyboard-wedge scanner types ORD:1042 + Enter into whatever has focus (here the
    queue's search box): the order opens, and the characters never land in the box."""
    _sign_in_by_badge(qtbot, station, scanner, "BADGE:SUPV-0001")
    queue = station.window.show_screen("queue")
    box = queue.filters.search
    box.setFocus()
    with qtbot.waitSignal(station.router.routed, timeout=10_000) as routed:
        qtbot.keyClicks(box, "ORD:1042")
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert routed.args[1] == "screen:queue"
    qtbot.waitUntil(lambda: len(queue.selected_ids()) == 1, timeout=10_000)
    assert box.text() == "1042"  # the queue searched for the order; no "ORD:" typed into it
    assert "Order 1042 (Shopify)" in station.window.feedback_line.text
