"""The station window fits a 1366x768 screen on every page, for every role, with the whole
station installed (its status bar, feedback line and devices)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize

from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path):
    info = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    for name, role in (("ada", "admin"), ("pat", "packer"), ("sam", "supervisor")):
        add_user(admin, name, role, f"{name}-secret-1", badge=f"{name.upper()}-1")
    settings = load_settings(
        cli={"station": "pack-01", "poll_seconds": 3600, "data_dir": str(tmp_path)},
        environ={},
        config_path=tmp_path / "none.toml",
    )
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=20_000):
        app.start()
    yield app
    app.window.close()
    app.shutdown()


@pytest.mark.parametrize("username", ["ada", "pat", "sam"])
def test_every_page_fits_1366x768(qtbot, station: StationApp, laptop_screen: QSize, username):
    assert_fits(station.window, laptop_screen)  # the sign-in page
    with qtbot.waitSignal(station.window_shown, timeout=10_000):
        station.login.submit_badge(f"{username.upper()}-1")
    window = station.window
    for key in window.screen_keys:
        window.show_screen(key)
        qtbot.waitUntil(lambda: station.tasks.pending == 0, timeout=10_000)
        assert_fits(window, laptop_screen)
        frame = window.frameGeometry()
        assert frame.height() <= laptop_screen.height(), f"{key}: {frame.height()} px high"
