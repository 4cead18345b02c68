"""UI tests run on a 1366x768 offscreen screen: the smallest a station or a supervisor has."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

LAPTOP = QSize(1366, 768)
SCREEN_CONFIG = Path(__file__).with_name("laptop-screen.json")

# Read when the QApplication is made, so it is set at collection, before any test makes one.
# The offscreen platform's own screen is 800x800; its config file gives it a laptop's screen.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_CONFIG}"


@pytest.fixture
def laptop_screen(qapp) -> QSize:
    """The screen really is 1366x768 (fails, never skips, if the platform ignored the config)."""
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry().size()
    assert available == LAPTOP, (
        f"the test screen is {available.width()}x{available.height()}, not 1366x768: run the UI "
        f"tests with QT_QPA_PLATFORM=offscreen:configfile={SCREEN_CONFIG}"
    )
    return available


@pytest.fixture
def scanner():
    """The project's scanner simulator on a real pseudo-terminal, as a station's serial scanner."""
    from wms_desk.devices.simulators.scanner import ScannerSimulator

    simulator = ScannerSimulator("pty", aim=False, suffix="cr")
    yield simulator
    simulator.stop()


@pytest.fixture
def start_station(qtbot, database, tmp_path: Path, scanner):
    """`start_station(name, **settings)`: the whole station (window, devices with the scanner
    simulator and the wedge filter, print worker, change bus) on the test database, started and
    with its scanner connected; shut down after the test."""
    from PySide6.QtCore import QSettings

    from wms_desk.app.gui import StationApp
    from wms_desk.settings import load_settings

    started = []

    def start(name: str, **cli: object) -> StationApp:
        settings = load_settings(
            cli={
                "station": name,
                "scanner_port": scanner.address,
                "scanner_suffix": "cr",
                "poll_seconds": 3600,
                "data_dir": str(tmp_path),
                **cli,
            },
            environ={},
            config_path=tmp_path / "none.toml",
        )
        qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        app = StationApp(settings, database=database, qsettings=qsettings)
        started.append(app)
        with qtbot.waitSignal(app.station_opened, timeout=20_000):
            app.start()
        assert app.devices is not None
        qtbot.waitUntil(lambda: app.devices.states["scanner"] == "connected", timeout=10_000)
        return app

    yield start
    for app in started:
        app.window.close()
        app.shutdown()
