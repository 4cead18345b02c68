"""The running app: open the database off the GUI thread, sign in, show the main window, repeat."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication

from wms_desk.services import auth
from wms_desk.services.context import Actor, ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import StationInfo, ensure_station
from wms_desk.settings import Settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.login_dialog import LoginDialog
from wms_desk.ui.main_window import MainWindow
from wms_desk.ui.tasks import TaskRunner

ORGANISATION = "wms-desk"


def open_station(database: Database, settings: Settings) -> StationInfo:
    """Runs on a worker: check (or, embedded, upgrade) the schema; seed the demo on first use."""
    database.prepare()
    station = ensure_station(database, settings.station_name)
    if settings.demo:
        from wms_desk.services.demo import seed_demo
        from wms_desk.services.info import database_info

        if not database_info(database)["counts"].get("products"):
            seed_demo(ServiceContext(database, system_actor(station.id, station.name)))
    return station


class Shell(QObject):
    """Moves between the login dialog and the main window for the life of the process."""

    window_shown = Signal(object)

    def __init__(
        self,
        settings: Settings,
        database: Database | None = None,
        qsettings: QSettings | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__()
        from wms_desk.app import resolve_database_url

        self.settings = settings
        self.database = database or Database(resolve_database_url(settings))
        self.qsettings = qsettings or QSettings(ORGANISATION, ORGANISATION)
        self.tasks = tasks or TaskRunner(self)
        self.station: StationInfo | None = None
        self.window: MainWindow | None = None
        self.login = LoginDialog(
            self.tasks,
            self._check_password,
            self._check_badge,
            settings.station_name,
            demo_users=self._demo_users(),
        )
        self.login.signed_in.connect(self.open_window)
        self.login.rejected.connect(self._login_closed)
        self.login.retry_requested.connect(self.start)

    def _demo_users(self) -> list[tuple[str, str, str, str]]:
        if not self.settings.demo:
            return []
        from wms_desk.services.demo import DEMO_USERS

        return [(u.username, u.role, u.password, u.badge) for u in DEMO_USERS]

    def start(self) -> None:
        self.login.set_ready(False, "Opening the database…")
        self.login.show()
        self.tasks.run(
            open_station,
            self.database,
            self.settings,
            on_done=self._station_ready,
            on_error=lambda error: self.login.set_unavailable(str(error)),
        )

    def _station_ready(self, station: StationInfo) -> None:
        self.station = station
        self.login.set_ready(True)

    def _context(self) -> ServiceContext:
        assert self.station is not None
        return ServiceContext(self.database, system_actor(self.station.id, self.station.name))

    def _check_password(self, username: str, password: str) -> Actor:
        assert self.station is not None
        return auth.sign_in_with_password(self._context(), username, password, self.station)

    def _check_badge(self, code: str) -> Actor:
        assert self.station is not None
        return auth.sign_in_with_badge(self._context(), code, self.station)

    def open_window(self, actor: Actor) -> MainWindow:
        ui = UiContext(ServiceContext(self.database, actor), self.tasks, self.settings)
        self.window = MainWindow(ui, self.qsettings)
        self.window.signed_out.connect(self._signed_out)
        self.login.hide()
        self.window.show()
        self.window_shown.emit(self.window)
        return self.window

    def _signed_out(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            self.tasks.run(auth.sign_out, window.ui.services, on_error=lambda _e: None)
            window.hide()
            window.deleteLater()
        self.login.reset()
        self.login.show()

    def _login_closed(self) -> None:
        if self.window is None:
            QApplication.quit()


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(ORGANISATION)
    from wms_desk.ui.theme import apply_theme

    apply_theme(app)
    return app


def run(settings: Settings) -> int:
    app = make_application()
    shell = Shell(settings)
    shell.start()
    code = app.exec()
    shell.tasks.wait_idle(5000)
    shell.database.dispose()
    return code
