"""With the whole station installed: its outbox worker sends a queued e-mail by itself, and a
supervisor sends a test e-mail from Settings > E-mail by typing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QTabWidget

from tests.services.smtp_server import SmtpRecorder, smtp_server, use_server
from wms_desk.app.gui import StationApp
from wms_desk.domain.emails import EmailKind, OutgoingEmail
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.outbox import OutboxKind, OutboxStatus
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import run_unit_of_work
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings
from wms_desk.ui.screens.email_panel import EmailPanel


@pytest.fixture
def server() -> SmtpRecorder:
    with smtp_server() as running:
        yield running


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, server: SmtpRecorder):
    info = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "sam", "supervisor", "sam-secret-1", badge="SAM-1")
    use_server(admin, server)
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
    assert app.outbox_worker is not None and not app.outbox_worker.running


def test_the_station_sends_queued_mail_and_a_supervisor_tests_smtp(
    qtbot, station: StationApp, database: Database, server: SmtpRecorder
) -> None:
    assert station.outbox_worker is not None and station.outbox_worker.running
    email = OutgoingEmail("eva@example.com", "Your order 7 has shipped", "x", EmailKind.SHIPMENT)
    ctx = ServiceContext(database, system_actor())
    run_unit_of_work(
        ctx,
        lambda uow: outbox.enqueue(uow, OutboxKind.EMAIL, "shipment-email:7", email.to_json()),
    )
    # Nobody calls a worker here: the station's own outbox worker sends it.
    qtbot.waitUntil(lambda: len(server.received) == 1, timeout=10_000)
    qtbot.waitUntil(
        lambda: outbox.list_messages(ctx)[0].status is OutboxStatus.SENT, timeout=10_000
    )

    with qtbot.waitSignal(station.window_shown, timeout=10_000):
        station.login.submit_badge("SAM-1")
    screen = station.window.show_screen("settings")
    tabs = screen.findChild(QTabWidget)
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    tabs.setCurrentIndex(titles.index("E-mail"))
    panel = screen.findChild(EmailPanel)
    qtbot.waitUntil(lambda: panel.form.host.text() == "127.0.0.1", timeout=10_000)
    qtbot.keyClicks(panel.test_to, "it@example.com")
    with qtbot.waitSignal(panel.answered, timeout=10_000):
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("Test e-mail sent to it@example.com")
    assert [r.recipients for r in server.received] == [["eva@example.com"], ["it@example.com"]]
