"""The running app: paint the station window at once, open the database on a worker, sign in.

Nothing here imports the database layer at module level: the login window paints while
SQLAlchemy loads and the schema is checked on a worker thread, so start-up feels immediate.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication

from wms_desk.settings import Settings
from wms_desk.ui.sign_in import SignInPanel
from wms_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from wms_desk.services.context import Actor, ServiceContext
    from wms_desk.services.database import Database
    from wms_desk.services.stations import StationInfo
    from wms_desk.ui.main_window import MainWindow
    from wms_desk.ui.station_runtime import StationRuntime

ORGANISATION = "wms-desk"


def open_station(database: Database | None, settings: Settings) -> tuple[Database, StationInfo]:
    """Runs on a worker: check (or, embedded, upgrade) the schema; seed the demo on first use."""
    from wms_desk.app import resolve_database_url
    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.database import Database
    from wms_desk.services.stations import ensure_station

    database = database or Database(resolve_database_url(settings))
    database.prepare()
    station = ensure_station(database, settings.station_name)
    if settings.demo:
        from wms_desk.services.demo import has_catalogue, seed_demo
        from wms_desk.services.stations import merge_bindings

        system = ServiceContext(database, system_actor(station.id, station.name))
        if not has_catalogue(database):
            seed_demo(system)
        if "label_printer" not in station.bindings:
            # Demo prints land as files you can open: no printer needed to try everything.
            prints = settings.data_path / "demo-prints"
            for folder in ("labels", "documents"):
                (prints / folder).mkdir(parents=True, exist_ok=True)
            station = merge_bindings(
                system,
                station.id,
                {
                    "label_printer": {
                        "url": (prints / "labels").as_uri(),
                        "format": "pdf",
                        "dpi": 203,
                    },
                    "document_printer": {"url": (prints / "documents").as_uri()},
                },
            )
    return database, station


class Shell(QObject):
    """The station's one window for the life of the process: sign-in page, then a workspace."""

    window_shown = Signal(object)
    station_opened = Signal(object)

    def __init__(
        self,
        settings: Settings,
        database: Database | None = None,
        qsettings: QSettings | None = None,
        tasks: TaskRunner | None = None,
        start_workers: bool = True,
    ) -> None:
        super().__init__()
        from wms_desk.ui.main_window import MainWindow

        # Tests of the shell alone switch off the background print worker and devices.
        self.start_workers = start_workers
        self.settings = settings
        self.database = database
        self.qsettings = qsettings or QSettings(ORGANISATION, ORGANISATION)
        self.tasks = tasks or TaskRunner(self)
        self.station: StationInfo | None = None
        self.runtime: StationRuntime | None = None
        self.print_worker: Any = None
        self.login = SignInPanel(
            self.tasks,
            self._check_password,
            self._check_badge,
            settings.station_name,
            demo_users=self._demo_users(),
        )
        self.login.signed_in.connect(self.open_window)
        self.login.retry_requested.connect(self.start)
        self.window = MainWindow(self.qsettings, self.login, self.tasks)
        self.window.signed_out.connect(self._signed_out)

    @property
    def signed_in(self) -> bool:
        return self.window.workspace is not None

    def _demo_users(self) -> list[tuple[str, str, str, str]]:
        if not self.settings.demo:
            return []
        from wms_desk.services.demo_accounts import DEMO_USERS

        return [(u.username, u.role, u.password, u.badge) for u in DEMO_USERS]

    def start(self) -> None:
        """Show the window at once; the database opens on a worker meanwhile."""
        self.login.set_ready(False, "Opening the database…")
        self.window.show()
        self.tasks.run(
            open_station,
            self.database,
            self.settings,
            on_done=self._station_ready,
            on_error=lambda error: self.login.set_unavailable(str(error)),
        )

    def _station_ready(self, opened: tuple[Database, StationInfo]) -> None:
        self.database, self.station = opened
        self.window.set_station(self.database, self.station.name)
        if self.start_workers and self.runtime is None:
            from wms_desk.ui.station_runtime import StationRuntime

            self.runtime = StationRuntime(self.settings, self)
            self.runtime.bridge.scan_received.connect(self._scanned)
            self.runtime.start(self.station.bindings)
            # The devices show in the status bar before anyone signs in.
            self.runtime.attach(self.window.status)
        if self.start_workers and self.print_worker is None:
            from wms_desk.ui import print_worker

            # Jobs queued before a restart go out now, not when someone next signs in.
            self.print_worker = print_worker.install(self.database, self.station.id, self.window)
        self.login.set_ready(True)
        self.station_opened.emit(self.station)

    def _scanned(self, result: Any) -> None:
        """A scan while nobody is signed in is a badge (ours carry BADGE:, others are raw)."""
        if not self.signed_in and self.station is not None:
            from wms_desk.domain.codes import BADGE_PREFIX

            self.login.submit_badge(result.data.removeprefix(BADGE_PREFIX))

    def context(self) -> ServiceContext:
        from wms_desk.services.context import ServiceContext, system_actor

        assert self.database is not None and self.station is not None
        return ServiceContext(self.database, system_actor(self.station.id, self.station.name))

    def _check_password(self, username: str, password: str) -> Actor:
        from wms_desk.services import auth

        assert self.station is not None
        return auth.sign_in_with_password(self.context(), username, password, self.station)

    def _check_badge(self, code: str) -> Actor:
        from wms_desk.services import auth

        assert self.station is not None
        return auth.sign_in_with_badge(self.context(), code, self.station)

    def open_window(self, actor: Actor) -> MainWindow:
        """Sign `actor` in: their workspace replaces the sign-in page."""
        from wms_desk.services.context import ServiceContext
        from wms_desk.ui.context import UiContext

        assert self.database is not None
        ui = UiContext(ServiceContext(self.database, actor), self.tasks, self.settings)
        if self.runtime is not None:
            self.runtime.provide(ui)
        if self.print_worker is not None:
            ui.extras["print_worker"] = self.print_worker
            ui.extras["toast"] = self.print_worker.toast
        self.window.enter(ui)
        self.window_shown.emit(self.window)
        return self.window

    def _signed_out(self) -> None:
        from wms_desk.services import auth

        if self.signed_in:
            self.tasks.run(auth.sign_out, self.window.ui.services, on_error=lambda _e: None)
        self.window.leave()
        self.login.reset()

    def shutdown(self) -> None:
        if self.print_worker is not None:
            self.print_worker.stop()
        if self.runtime is not None:
            self.runtime.stop()
        self.tasks.wait_idle(5000)
        if self.database is not None:
            self.database.dispose()


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(ORGANISATION)
    from wms_desk.ui.theme import apply_theme

    apply_theme(app)
    return app


def install_error_hook(log_path: object) -> None:
    """An unexpected error is logged and shown; it never takes the station down."""
    import logging
    import traceback

    from PySide6.QtWidgets import QMessageBox

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        logging.getLogger("wms_desk").error(
            "unexpected error",
            exc_info=(kind, error, tb),  # type: ignore[arg-type]
        )
        where = f" The details are in {log_path}." if log_path else ""
        QMessageBox.critical(
            None,
            "Something went wrong",
            f"{kind.__name__}: {error}\n\nYour committed work is safe.{where} "
            "Carry on, and tell a supervisor if it happens again.",
        )
        traceback.print_exception(error)

    sys.excepthook = hook


def run(settings: Settings) -> int:
    from wms_desk.logs import setup_logging

    app = make_application()
    install_error_hook(setup_logging(settings.data_path))
    shell = Shell(settings)
    shell.start()
    code = app.exec()
    shell.shutdown()
    return code
