"""The Reports screen with the whole station installed and the real report service: a
supervisor picks a report, sets dates and a packer, runs it, reads its tables, and saves it as
CSV and PDF through the file dialog (a file name typed in, Enter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QLineEdit

from tests.services.reportdata import seed_history
from tests.ui.keyboard import type_text
from wms_desk.app.gui import StationApp
from wms_desk.domain.reports import ReportFormat, ReportName
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings
from wms_desk.ui.screens.reports_screen import ReportsScreen

WAIT = 10_000


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path):
    info = ensure_station(database, "desk-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "sam", "supervisor", "super123", display_name="Sam Boss")
    seed_history(database)
    settings = load_settings(
        cli={"station": "desk-01", "poll_seconds": 3600, "data_dir": str(tmp_path)},
        environ={},
        config_path=tmp_path / "none.toml",
    )
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=20_000):
        app.start()
    app.login.username.setText("sam")
    app.login.password.setText("super123")
    with qtbot.waitSignal(app.window_shown, timeout=WAIT):
        app.login.sign_in_button.click()
    yield app
    app.window.close()
    app.shutdown()


def _reports(qtbot, app: StationApp) -> ReportsScreen:
    screen = app.window.show_screen("reports")
    assert isinstance(screen, ReportsScreen)
    qtbot.waitUntil(lambda: screen.packer.count() > 1, timeout=WAIT)  # the choices arrived
    return screen


def _save_as(qtbot, screen: ReportsScreen, button, path: Path) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = screen.export_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    dialog.setDirectory(str(path.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setFocus()
    name.selectAll()
    # A person typing (the station's wedge filter would take a burst of keys for a scan).
    type_text(qtbot, path.name + "\r", 70)
    qtbot.waitUntil(lambda: "Saved" in screen.status.text(), timeout=WAIT)


def test_throughput_for_one_packer_runs_and_saves_as_csv_and_pdf(
    qtbot, station: StationApp, tmp_path: Path
) -> None:
    screen = _reports(qtbot, station)
    assert not screen.export_csv.isEnabled()  # nothing to save yet
    screen.picker.setCurrentRow(list(ReportName).index(ReportName.THROUGHPUT))
    screen.date_from.setDate(QDate(2026, 3, 2))
    screen.date_to.setDate(QDate(2026, 3, 6))
    screen.packer.setCurrentIndex(screen.packer.findData("anna"))
    with qtbot.waitSignal(screen.report_shown, timeout=WAIT):
        qtbot.mouseClick(screen.run_button, Qt.MouseButton.LeftButton)
    report = screen.report
    assert report is not None and report.filters.packer == "anna"
    assert "Orders packed: <b>2</b>" in screen.figures.text()
    tabs = [screen.tabs.tabText(n) for n in range(screen.tabs.count())]
    packers = screen.models[[t.key for t in report.tables].index("by_packer")]
    assert packers.rowCount() == 1 and packers.index(0, 0).data() == "anna"
    assert len(tabs) == len(report.tables) and screen.chart.chart is report.chart

    csv_path = tmp_path / "throughput.csv"
    _save_as(qtbot, screen, screen.export_csv, csv_path)
    assert f"Saved “Throughput” as CSV to {csv_path}." == screen.status.text()
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert "anna" in text and "Throughput" in text
    pdf_path = tmp_path / "throughput.pdf"
    _save_as(qtbot, screen, screen.export_pdf, pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert ReportFormat.PDF.value.upper() in screen.status.text()


def test_an_unknown_name_is_answered_in_plain_words(qtbot, station: StationApp) -> None:
    screen = _reports(qtbot, station)
    screen.picker.setCurrentRow(list(ReportName).index(ReportName.THROUGHPUT))
    screen.carrier.addItem("Nobody's Post", "NOPOST")  # a carrier no shipment ever used
    screen.carrier.setCurrentIndex(screen.carrier.count() - 1)
    with qtbot.waitSignal(screen.run_ended, timeout=WAIT) as ended:
        qtbot.mouseClick(screen.run_button, Qt.MouseButton.LeftButton)
    assert ended.args == ["failed"]
    assert "NOPOST" in screen.status.text() and "Change the filters" in screen.status.text()
    assert screen.run_button.isEnabled()
