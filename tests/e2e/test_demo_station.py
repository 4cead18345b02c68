"""A whole demo station: seeded on first start, simulated devices on ptys, badge-scan sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from wms_desk.app.gui import StationApp
from wms_desk.services.database import Database
from wms_desk.settings import load_settings


@pytest.fixture
def demo_shell(qtbot, tmp_path: Path):
    settings = load_settings(
        cli={
            "db": str(tmp_path / "demo.sqlite3"),
            "demo": True,
            "station": "demo-1",
            "data_dir": str(tmp_path),
        },
        environ={},
        config_path=tmp_path / "none.toml",
    )
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    shell = StationApp(settings, qsettings=qsettings)
    with qtbot.waitSignal(shell.station_opened, timeout=30_000):
        shell.start()
    yield shell
    shell.window.close()
    shell.shutdown()


def test_demo_station_connects_its_simulated_devices_and_signs_in_by_badge_scan(
    qtbot, demo_shell: StationApp
) -> None:
    runtime = demo_shell.devices
    assert runtime is not None and runtime.demo is not None
    qtbot.waitUntil(
        lambda: runtime.states["scanner"] == "connected" and runtime.states["scale"] == "connected",
        timeout=10_000,
    )
    assert demo_shell.login.sign_in_button.isEnabled()
    # One window from the start: the station's devices show before anyone signs in.
    status = demo_shell.window.status
    qtbot.waitUntil(lambda: "Scanner: connected" in status.device_text("scanner"), timeout=10_000)
    assert "nobody signed in" in status.user.text()
    assert demo_shell.print_worker is not None  # queued prints go out before anyone signs in
    with qtbot.waitSignal(demo_shell.window_shown, timeout=10_000) as shown:
        runtime.demo.scanner.scan("BADGE:PACK-0001")  # bytes over a real pseudo-terminal
    window = shown.args[0]
    assert window.ui.actor.username == "pat"
    assert "Scanner: connected" in window.status.device_text("scanner")
    assert "Scale: connected" in window.status.device_text("scale")
    assert window.ui.devices is runtime
    assert window.ui.print_worker is demo_shell.print_worker
    # The simulators are what the station's typed bindings name now.
    assert window.ui.bindings.scanner.url == runtime.demo.scanner.address


def test_demo_database_is_seeded_once_on_first_start(demo_shell: StationApp) -> None:
    assert demo_shell.station is not None
    assert isinstance(demo_shell.station.database, Database)
    from wms_desk.services.info import database_info

    counts = database_info(demo_shell.station.database)["counts"]
    # 150 storage bins, the staging and dock areas picking and packing move goods through, and
    # the returns and quarantine bins returned goods wait in.
    # 300 channel orders, the shipping demo's packed orders (domestic and abroad) and the
    # returns demo's replacement orders.
    assert counts["orders"] == 308 and counts["products"] >= 60 and counts["bins"] == 154
    assert counts["users"] == 3
    bindings = demo_shell.station.bindings
    assert bindings.label_printer is not None and bindings.document_printer is not None
    assert bindings.label_printer.url.startswith("file://")
    assert bindings.document_printer.url.endswith("demo-prints/documents")
