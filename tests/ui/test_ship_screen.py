"""The Ship screen with the whole station installed (StationApp, a serial scanner on a pty):
rate and buy, a tracking-number scan hands a package to the driver, void, close the manifest.
What the user sees is checked: the tables, the next-action line and the feedback line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from wms_desk.app.gui import StationApp
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens.ship_models import BoardModel, RatesModel
from wms_desk.ui.screens.ship_screen import ShipScreen

# WMS_DESK_SCREENSHOTS=1 refreshes docs/screenshots; otherwise the grabs go to a temp folder.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, scanner: ScannerSimulator, start_station):
    info = ensure_station(database, "ship-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    import_nordpost(admin)
    ship_from_sweden(database)
    packed_order(database, "S-100", (900, 1400))
    packed_order(database, "S-101", (700,))
    (tmp_path / "labels").mkdir()
    app = start_station("ship-01", label_printer=(tmp_path / "labels").as_uri())
    with qtbot.waitSignal(app.window_shown, timeout=10_000):
        scanner.scan("BADGE:PACK-0001")
    return app


def _scan(qtbot, app: StationApp, scanner: ScannerSimulator, code: str) -> str:
    with qtbot.waitSignal(app.router.routed, timeout=10_000) as routed:
        scanner.scan(code)
    return routed.args[1]


def _buy(qtbot, screen: ShipScreen, app, scanner, number: str) -> None:
    with qtbot.waitSignal(screen.rates_loaded, timeout=10_000):
        assert _scan(qtbot, app, scanner, f"ORD:{number}") == "screen:ship"
    with qtbot.waitSignal(screen.board_loaded, timeout=10_000):
        qtbot.mouseClick(screen.buy_button, Qt.MouseButton.LeftButton)


def test_ship_screen_rates_buys_hands_over_voids_and_closes(
    qtbot, qtmodeltester, station, scanner, tmp_path
) -> None:
    screen = station.window.show_screen("ship")
    assert isinstance(screen, ShipScreen)
    qtbot.waitUntil(lambda: screen.carrier.count() == 1, timeout=10_000)

    with qtbot.waitSignal(screen.rates_loaded, timeout=10_000):
        assert _scan(qtbot, station, scanner, "ORD:S-100") == "screen:ship"
    rates = screen.rates_model
    assert [rates.data(rates.index(r, 1)) for r in range(rates.rowCount())] == [
        "Standard (STD)", "Express (EXP)"
    ]  # fmt: skip
    assert rates.data(rates.index(0, 5)) == "chosen: cheapest"
    assert rates.data(rates.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert "nordpost Standard" in screen.rates_note.text()
    qtmodeltester.check(rates)

    with qtbot.waitSignal(screen.board_loaded, timeout=10_000):
        qtbot.mouseClick(screen.buy_button, Qt.MouseButton.LeftButton)
    board = screen.board_model
    qtbot.waitUntil(lambda: board.rowCount() == 2, timeout=10_000)
    numbers = [r.tracking for r in board.rows]
    assert [r.package for r in board.rows] == ["1 of 2", "2 of 2"]
    assert "2 not yet scanned" in screen.next_action.text()
    assert "2 bought" in screen.summary.text()
    qtmodeltester.check(board)

    # The driver takes package 1: scan its tracking number (from any screen: it opens Ship).
    station.window.show_screen("prints")
    with qtbot.waitSignal(screen.handed_over, timeout=10_000):
        assert _scan(qtbot, station, scanner, numbers[0]) == "screen:ship"
    assert station.workspace.current_screen() is screen
    assert "1 not yet scanned" in screen.next_action.text()
    line = station.window.feedback_line
    assert (
        line.tone is Tone.SUCCESS
        and f"{numbers[0]} (order S-100) handed to the driver" in line.text
    )
    qtbot.waitUntil(lambda: board.rows[0].status == "handed over", timeout=10_000)

    # A number that is no label of ours is answered, not ignored.
    _scan(qtbot, station, scanner, "RR999999995SE")
    qtbot.waitUntil(lambda: "No label has tracking number" in line.text, timeout=10_000)
    assert line.tone is Tone.ERROR

    _buy(qtbot, screen, station, scanner, "S-101")
    qtbot.waitUntil(lambda: board.rowCount() == 3, timeout=10_000)
    third = board.rows[2].tracking
    with qtbot.waitSignal(screen.board_loaded, timeout=10_000):
        screen.void(third, "wrong address")
    qtbot.waitUntil(lambda: board.rows[2].status == "voided", timeout=10_000)
    assert "order S-101 is packed again" in line.text

    with qtbot.waitSignal(screen.board_loaded, timeout=10_000):
        qtbot.mouseClick(screen.manifest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Manifest NORDPOST-2026-" in line.text, timeout=10_000)
    assert "2 packages, 2.300 kg" in line.text
    assert [r.status for r in board.rows] == ["handed over", "manifested", "voided"]
    saved = list((tmp_path / "manifests").glob("*.pdf"))
    assert len(saved) == 1
    # The print worker sent both S-100 labels and the S-101 one, as the carrier made them.
    qtbot.waitUntil(lambda: len(list((tmp_path / "labels").iterdir())) == 3, timeout=10_000)

    station.window.resize(1366, 768)
    shots = DOCS_SCREENSHOTS if os.environ.get("WMS_DESK_SCREENSHOTS") else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    qtbot.waitUntil(lambda: station.window.width() == 1366, timeout=5_000)
    assert station.window.grab().save(str(shots / "ship-screen.png"))
    _manifest_page_png(saved[0].read_bytes(), shots / "ship-manifest.png")
    assert (shots / "ship-manifest.png").stat().st_size > 0


def _manifest_page_png(pdf: bytes, out: Path) -> None:
    import pypdfium2 as pdfium
    from PIL import Image

    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=768 / page.get_height()).to_pil()
    canvas = Image.new("RGB", (1366, 768), "white")
    canvas.paste(image, ((1366 - image.width) // 2, 0))
    canvas.save(out)


def test_models_pass_the_model_tester(qtmodeltester) -> None:
    qtmodeltester.check(BoardModel())
    qtmodeltester.check(RatesModel())
