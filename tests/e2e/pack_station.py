"""The whole station for pick/pack tests: StationApp with a scanner and a scale simulator on real
ptys, a packer and a supervisor, products with unit, case and serial barcodes, cartons."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests.services.packdata import Item, add_cartons, add_items, order
from wms_desk.app.gui import StationApp
from wms_desk.devices.scanner import DEFAULT_DEBOUNCE_S
from wms_desk.devices.simulators.scale import ScaleSimulator
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings

MUG = Item("MUG-BLUE", "4006381333931", Decimal(250))
GLASS = Item("GLASS-6", "4006381333948", Decimal(180), case_code="14006381333945", case_qty=6)
PHONE = Item("PHONE-X", "4006381333955", Decimal(400), needs_serial=True)
BOOK = Item("BOOK-1", "9780306406157", Decimal(600))
ITEMS = (MUG, GLASS, PHONE, BOOK)


@dataclass
class Station:
    app: StationApp
    scanner: ScannerSimulator
    scale: ScaleSimulator | None
    database: Database
    station_id: int

    @property
    def screen(self):  # the PackScreen once a packer is signed in
        assert self.app.workspace is not None
        return self.app.workspace.current_screen()


def seed(database: Database) -> tuple[int, ServiceContext]:
    info = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    add_user(admin, "sam", "supervisor", "super123", badge="SUPV-0001", display_name="Sam Boss")
    add_items(database, *ITEMS)
    add_cartons(database)
    return info.id, admin


def start_station(
    qtbot,
    database: Database,
    tmp_path: Path,
    scanner: ScannerSimulator,
    scale: ScaleSimulator | None,
) -> StationApp:
    cli: dict[str, object] = {
        "station": "pack-01",
        "scanner_port": scanner.address,
        "scanner_suffix": "cr",
        "poll_seconds": 3600,
        "data_dir": str(tmp_path),
        "label_printer": f"file://{tmp_path / 'labels'}",
        "document_printer": f"file://{tmp_path / 'documents'}",
        "sound_volume": 0.5,
    }
    if scale is not None:
        cli |= {"scale_port": scale.address, "scale_protocol": "mt-sics"}
    settings = load_settings(cli=cli, environ={}, config_path=tmp_path / "none.toml")
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=20_000):
        app.start()
    assert app.devices is not None
    qtbot.waitUntil(lambda: app.devices.states.get("scanner") == "connected", timeout=10_000)
    if scale is not None:
        qtbot.waitUntil(lambda: app.devices.states.get("scale") == "connected", timeout=10_000)
    app.window.resize(1366, 768)
    return app


@pytest.fixture
def scanner() -> Iterator[ScannerSimulator]:
    simulator = ScannerSimulator("pty", aim=False, suffix="cr")
    yield simulator
    simulator.stop()


@pytest.fixture
def scale() -> Iterator[ScaleSimulator]:
    simulator = ScaleSimulator("mt-sics", "pty").start()
    simulator.command("weight 0 kg")
    yield simulator
    simulator.stop()


@pytest.fixture
def pack_station(qtbot, database: Database, tmp_path: Path, scanner, scale) -> Iterator[Station]:
    station_id, _admin = seed(database)
    app = start_station(qtbot, database, tmp_path, scanner, scale)
    yield Station(app, scanner, scale, database, station_id)
    app.window.close()
    app.shutdown()


def sign_in(qtbot, station: Station, badge: str = "BADGE:PACK-0001") -> None:
    with qtbot.waitSignal(station.app.window_shown, timeout=10_000):
        station.scanner.scan(badge)
    screen = station.screen
    qtbot.waitUntil(lambda: screen.idle, timeout=10_000)


_last_scan: dict[int, tuple[str, float]] = {}


def send(qtbot, station: Station, code: str) -> None:
    """Scan over the pty. The driver drops an identical code read again within its debounce
    window (a held trigger), as a packer's scanner would: a repeat waits that window out."""
    last = _last_scan.get(id(station.scanner))
    if last is not None and last[0] == code:
        ready_at = last[1] + DEFAULT_DEBOUNCE_S + 0.05
        qtbot.waitUntil(lambda: time.monotonic() >= ready_at, timeout=5_000)
    station.scanner.scan(code)
    _last_scan[id(station.scanner)] = (code, time.monotonic())


def scan(qtbot, station: Station, code: str, timeout: int = 10_000):
    """Scan over the pty and wait for the pack/pick screen's answer to be on screen."""
    screen = station.screen
    with qtbot.waitSignal(screen.scan_answered, timeout=timeout) as answered:
        send(qtbot, station, code)
    return answered.args[0]


def open_order(qtbot, station: Station, number: str):
    screen = station.screen
    with qtbot.waitSignal(screen.session_shown, timeout=10_000) as shown:
        send(qtbot, station, f"ORD:{number}")
    qtbot.waitUntil(lambda: screen.idle, timeout=10_000)
    return shown.args[0]


def put_on_scale(qtbot, station: Station, grams: Decimal) -> None:
    """Set the simulated scale and wait until the screen has recorded (or refused) it."""
    assert station.scale is not None
    screen = station.screen
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000):
        station.scale.command(f"weight {grams / 1000:.3f} kg")


__all__ = ["BOOK", "GLASS", "MUG", "PHONE", "order", "pack_station", "scale", "scanner"]
