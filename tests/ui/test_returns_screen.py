"""The returns station with the whole station installed: receiving driven by the scanner
simulator on a real pty, items restocked by a bin scan or quarantined by a button."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services.test_rma_support import (
    MUG_CODE,
    TEE_CODE,
    on_hand,
    seed_catalogue,
    shipped_order,
)
from wms_desk.app.gui import StationApp
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.domain.returns import QUARANTINE_BIN, Reason
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.views import rma_detail
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone


@pytest.fixture
def admin(database: Database) -> ServiceContext:
    info = ensure_station(database, "returns-01")
    ctx = ServiceContext(database, system_actor(info.id, info.name))
    seed_catalogue(ctx)
    add_user(ctx, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    shipped_order(ctx, "6001", [("MUG", 2, "10.00", "0", "0"), ("TEE", 1, "20.00", "0", "0")])
    return ctx


@pytest.fixture
def station(admin: ServiceContext, start_station) -> StationApp:
    return start_station("returns-01")


def _scan_and_wait(qtbot, app: StationApp, scanner: ScannerSimulator, code: str, says: str):
    with qtbot.waitSignal(app.router.routed, timeout=10_000) as routed:
        scanner.scan(code)
    assert routed.args[1] == "screen:returns"
    qtbot.waitUntil(lambda: says in app.window.feedback_line.text, timeout=10_000)


def test_receiving_by_scan_restocks_by_bin_and_quarantines_by_button(
    qtbot, station: StationApp, scanner: ScannerSimulator, admin: ServiceContext
) -> None:
    rma = create_rma(
        admin,
        "6001",
        [
            ReturnLineRequest("MUG", 2, Reason.NO_LONGER_NEEDED),
            ReturnLineRequest("TEE", 1, Reason.DAMAGED),
        ],
    )
    with qtbot.waitSignal(station.window_shown, timeout=10_000):
        scanner.scan("BADGE:PACK-0001")
    screen = station.window.show_screen("returns")

    # The order number on the parcel finds its open return.
    _scan_and_wait(qtbot, station, scanner, "ORD:6001", f"Return {rma.number} is open")
    qtbot.waitUntil(lambda: "order 6001" in screen.title.text(), timeout=10_000)
    _scan_and_wait(qtbot, station, scanner, MUG_CODE, "MUG received (1 of 2)")
    _scan_and_wait(qtbot, station, scanner, "A-01-02", "restocked in A-01-02")
    _scan_and_wait(qtbot, station, scanner, MUG_CODE, "MUG received (2 of 2)")
    _scan_and_wait(qtbot, station, scanner, "A-01-02", "restocked in A-01-02")

    # A third mug is refused, as at the pack station: red, with the reason.
    with qtbot.waitSignal(station.router.routed, timeout=10_000):
        scanner.scan(MUG_CODE)
    qtbot.waitUntil(
        lambda: "this one is extra" in station.window.feedback_line.text, timeout=10_000
    )
    assert station.window.feedback_line.tone is Tone.ERROR

    _scan_and_wait(qtbot, station, scanner, TEE_CODE, "TEE received (1 of 1)")
    screen.condition.setCurrentText("damaged")
    screen.disposition_buttons[next(iter(screen.disposition_buttons))].click()  # quarantine
    qtbot.waitUntil(lambda: "Item quarantined" in station.window.feedback_line.text, timeout=10_000)
    qtbot.waitUntil(lambda: "received" in screen.title.text(), timeout=10_000)

    assert on_hand(admin, "A-01-02", "MUG") == 2
    assert on_hand(admin, QUARANTINE_BIN, "TEE") == 1
    detail = rma_detail(admin, rma.number)
    assert detail.status == "received"
    assert sorted((u.sku, u.disposition, u.condition) for u in detail.units) == [
        ("MUG", "restock", "new"),
        ("MUG", "restock", "new"),
        ("TEE", "quarantine", "damaged"),
    ]
    # The screenshot in docs/screenshots comes from here (WMS_DESK_SCREENSHOT_DIR=docs/screenshots).
    station.window.resize(1366, 768)
    folder = Path(os.environ.get("WMS_DESK_SCREENSHOT_DIR") or station.settings.data_dir)
    assert station.window.grab().save(str(folder / "returns.png"))
