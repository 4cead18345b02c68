"""The GUI's composition: the station window first, then database, devices, print worker, changes.

The window paints at once on its sign-in page; the database opens on a worker (SQLAlchemy is not
even imported before the window shows). Once the station is known, this builds, in order, its
typed bindings, the device hub (drivers, wedge filter, demo simulators), the print worker, the
change signals and the listener for other stations' commits, and routes every scan. A signed-in
user's screens get all of it in one declared UiContext.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

from wms_desk.app.station import open_station
from wms_desk.settings import Settings
from wms_desk.ui.application import ORGANISATION, install_error_hook, make_application
from wms_desk.ui.feedback import ScanFeedback, Sounds
from wms_desk.ui.first_paint import after_first_paint
from wms_desk.ui.main_window import MainWindow
from wms_desk.ui.scan_router import ScanRouter
from wms_desk.ui.sign_in import SignInPanel
from wms_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from wms_desk.app.station import Station
    from wms_desk.domain.scan import ScanResult
    from wms_desk.services.context import Actor
    from wms_desk.services.database import Database
    from wms_desk.services.notifications import RemoteChanges
    from wms_desk.services.outbox import OutboxWorker
    from wms_desk.services.wal_checkpoints import WalCheckpointer
    from wms_desk.ui.change_signals import ChangeSignals
    from wms_desk.ui.device_hub import DeviceHub
    from wms_desk.ui.outbox_view import OutboxAlerts
    from wms_desk.ui.print_worker import QtPrintWorker
    from wms_desk.ui.scan_pad import ScanPad
    from wms_desk.ui.workspace import Workspace

WARM_UP_DELAY_MS = 800


class StationApp(QObject):
    """The station's one window for the life of the process and everything behind it."""

    window_shown = Signal(object)
    station_opened = Signal(object)

    def __init__(
        self,
        settings: Settings,
        database: Database | None = None,
        qsettings: QSettings | None = None,
        start_workers: bool = True,
    ) -> None:
        super().__init__()
        # Tests of the window alone switch off devices, the print worker and the listener.
        self.start_workers = start_workers
        self.settings = settings
        self._database = database
        self.qsettings = qsettings or QSettings(ORGANISATION, ORGANISATION)
        self.tasks = TaskRunner(self)
        self._warmed = threading.Event()
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.timeout.connect(self._warm_up)
        self.station: Station | None = None
        self.devices: DeviceHub | None = None
        self.print_worker: QtPrintWorker | None = None
        self.outbox_worker: OutboxWorker | None = None
        self.outbox_alerts: OutboxAlerts | None = None
        self.changes: ChangeSignals | None = None
        self.remote: RemoteChanges | None = None
        self.checkpoints: WalCheckpointer | None = None  # embedded database only
        self.scan_pad: ScanPad | None = None  # demo mode only
        self._collect_after_start = False
        self._first_start = True
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
        self.feedback = ScanFeedback(self.window.feedback_line, Sounds(settings.sound_volume))
        self.router = ScanRouter(self, self.feedback)

    # -- what the scan router asks --------------------------------------------------------------
    @property
    def workspace(self) -> Workspace | None:
        return self.window.workspace

    @property
    def signed_in(self) -> bool:
        return self.window.workspace is not None

    def sign_in_with_badge(self, code: str) -> None:
        """A badge scan signs in, or switches to that user when someone is signed in."""
        if self.station is None:
            self.feedback.error("The database is still opening. Scan your badge again in a moment.")
            return
        self.login.submit_badge(code)

    def sign_out(self) -> None:
        self.window.sign_out()

    # -- start-up ---------------------------------------------------------------------------------
    def _demo_users(self) -> list[tuple[str, str, str, str]]:
        if not self.settings.demo:
            return []
        from wms_desk.services.demo_accounts import DEMO_USERS

        return [(u.username, u.role, u.password, u.badge) for u in DEMO_USERS]

    def start(self) -> None:
        """Show the window at once; the database opens on a worker meanwhile."""
        self.login.set_ready(False, "Opening the database…")
        # Opening the station makes some 130,000 tracked objects (SQLAlchemy, models, services)
        # and frees almost none: the collector would only walk them again and again, ~40 ms of
        # the start. It is back on once the station is open, with all of it frozen (below).
        if gc.isenabled():
            gc.disable()
            self._collect_after_start = True
            # Never left off: also back on if this app goes away before its station opens.
            self.destroyed.connect(_collector_back)
        self.window.show()
        if self._first_start:
            # Python runs one thread at a time: the worker importing SQLAlchemy and the models
            # while the GUI thread builds the first frame only delayed that frame (a quarter of
            # the window's start). Opened once it has painted, the station is ready as soon.
            self._first_start = False
            after_first_paint(self.window, self._open_station)
        else:  # "Try again" after a failure: the window is on screen already
            self._open_station()

    def _open_station(self) -> None:
        self.tasks.run(
            open_station,
            self.settings,
            self._database,
            on_done=self._station_ready,
            on_error=self._station_failed,
        )

    def _resume_collector(self) -> None:
        if self._collect_after_start:
            self._collect_after_start = False
            gc.enable()

    def _station_failed(self, error: BaseException) -> None:
        self._resume_collector()
        self.login.set_unavailable(str(error))

    def _station_ready(self, station: Station) -> None:
        self.station = station
        try:
            self.window.set_station(station.database, station.info.name)
            from wms_desk.ui.change_signals import ChangeSignals

            if self.changes is None:
                self.changes = ChangeSignals(station.database.changes, self)
            if self.start_workers:
                self._start_workers(station)
        finally:
            # Everything built so far (Qt wrappers, SQLAlchemy mappers, compiled queries) lives
            # as long as the app: out of the collector's sight, a full collection no longer
            # walks it. A full collection of the whole heap was the longest pause behind a scan
            # (~200 ms).
            gc.freeze()
            self._resume_collector()
        self.login.set_ready(True)
        self.station_opened.emit(station)
        # While the first person signs in, load the GS1 parser and the label renderers on a
        # worker: the first scan and the first COMPLETE then answer as fast as every later one,
        # and the sign-in itself is not slowed down.
        # The app's own timer, stopped at shutdown: a bare singleShot outlived a station closed
        # within the delay and started the warm-up on a pool whose app was gone (a crash in
        # the UI tests, where stations open and close within a second).
        self._warm_timer.start(WARM_UP_DELAY_MS)

    def _warm_up(self) -> None:
        from wms_desk.app.station import warm_up

        # The callback must not hold the app itself: a pending task would close a reference
        # cycle through `self.tasks`, and the collector may then destroy the app's Qt objects
        # on whatever thread it runs in (a crash seen in the UI tests).
        warmed = self._warmed

        def done(_result: object) -> None:
            # What the warm-up loaded (reportlab, the GS1 parser, the packing and label
            # services) lives as long as the app too: frozen like the rest, or every full
            # collection walks it again, ~12 ms in the middle of a scan.
            gc.freeze()
            warmed.set()

        self.tasks.run(warm_up, on_done=done, on_error=lambda _e: None)

    @property
    def warmed_up(self) -> bool:
        """The warm-up after the station opened has finished."""
        return self._warmed.is_set()

    def _start_workers(self, station: Station) -> None:
        from wms_desk.services.notifications import RemoteChanges
        from wms_desk.ui import print_worker
        from wms_desk.ui.device_hub import DeviceHub

        if self.devices is None:
            self.devices = DeviceHub(self)
            bindings = self.devices.start(station.bindings, demo=self.settings.demo)
            # The demo's simulators replace the bound devices: screens see what really runs.
            self.station = station = replace(station, bindings=bindings)
            self.devices.bridge.scan_received.connect(self._scanned)
            # The devices show in the status bar before anyone signs in.
            self.devices.attach(self.window.status)
            if self.devices.demo is not None:
                self._add_scan_pad(self.devices.demo)
        if self.print_worker is None:
            # Jobs queued before a restart go out now, not when someone next signs in.
            self.print_worker = print_worker.install(station.database, station.info.id, self.window)
        if self.outbox_worker is None:
            # E-mails and channel updates queued before a restart go out now, from any station.
            from wms_desk.services.outbox import OutboxWorker
            from wms_desk.services.outbox_deliveries import register_all

            register_all()
            self.outbox_worker = OutboxWorker(
                station.database, name=f"outbox-{station.info.name}", station_id=station.info.id
            )
            self.outbox_worker.start()
        if self.remote is None:
            poll = float(self.settings.poll_seconds)
            self.remote = RemoteChanges(station.database, poll).start()
        if self.checkpoints is None and station.database.is_sqlite:
            # SQLite's log is copied back on this thread, not inside one scan in eighty.
            from wms_desk.services.wal_checkpoints import WalCheckpointer

            self.checkpoints = WalCheckpointer(station.database).start()

    def _add_scan_pad(self, demo: object) -> None:
        """Demo mode: a dock of the codes the screen in front expects, sent by the simulators."""
        from PySide6.QtCore import Qt

        from wms_desk.services.changes import Topic
        from wms_desk.ui.scan_pad import ScanPad

        assert self.devices is not None
        with self.devices.building():
            pad = self.scan_pad = ScanPad(demo, self, self.window)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, pad)
        self.router.routed.connect(pad.refresh)
        self.window.signed_out.connect(pad.forget_codes)

        def shown(window: MainWindow) -> None:
            if window.workspace is not None:
                pad.signed_in(window.workspace)

        self.window_shown.connect(shown)
        if self.changes is not None:
            self.changes.changed.connect(
                lambda changes: pad.forget_codes() if Topic.LEASES in changes else None
            )

    def _scanned(self, scan: ScanResult) -> None:
        self.router.route(scan)

    # -- signing in and out -----------------------------------------------------------------------
    def _check_password(self, username: str, password: str) -> Actor:
        from wms_desk.services import auth

        assert self.station is not None
        station = self.station
        return auth.sign_in_with_password(station.system, username, password, station.info)

    def _check_badge(self, code: str) -> Actor:
        from wms_desk.services import auth

        assert self.station is not None
        return auth.sign_in_with_badge(self.station.system, code, self.station.info)

    def open_window(self, actor: Actor) -> MainWindow:
        """Sign `actor` in: their workspace replaces the sign-in page (or the previous user's)."""
        from wms_desk.domain.roles import Permission
        from wms_desk.ui.context import UiContext
        from wms_desk.ui.outbox_view import OutboxAlerts

        assert self.station is not None
        if self.signed_in and self.window.ui.actor.user_id != actor.user_id:
            self._end_session()
        ui = UiContext(
            services=self.station.context_for(actor),
            tasks=self.tasks,
            settings=self.settings,
            qsettings=self.qsettings,
            devices=self.devices,
            print_worker=self.print_worker,
            changes=self.changes,
            feedback=self.feedback,
            toast=self.print_worker.toast if self.print_worker is not None else None,
        )
        workspace = self.window.enter(ui)
        # Supervisors hear of a message that gave up; it lives with the workspace.
        can_fix = actor.can(Permission.MANAGE_OUTBOX)
        self.outbox_alerts = OutboxAlerts(ui, workspace) if can_fix else None
        self.feedback.info(f"Signed in as {actor.display_name} ({actor.role.value}).")
        self.window_shown.emit(self.window)
        return self.window

    def _end_session(self) -> None:
        from wms_desk.services import auth

        if self.signed_in:
            self.tasks.run(auth.sign_out, self.window.ui.services, on_error=lambda _e: None)

    def _signed_out(self) -> None:
        self.outbox_alerts = None
        self._end_session()
        self.window.leave()
        self.login.reset()

    def shutdown(self) -> None:
        self._warm_timer.stop()
        self._resume_collector()
        if self.remote is not None:
            self.remote.stop()
        if self.print_worker is not None:
            self.print_worker.stop()
        if self.outbox_worker is not None:
            self.outbox_worker.stop()
        if self.devices is not None:
            self.devices.stop()
        if self.changes is not None:
            self.changes.stop()
        self.tasks.wait_idle(5000)
        if self.checkpoints is not None:
            self.checkpoints.stop()
        from wms_desk.services.shipping.accounts import close_online_adapters

        close_online_adapters()  # online carriers' pooled HTTP clients
        if self.station is not None:
            self.station.database.dispose()
        elif self._database is not None:
            self._database.dispose()


def _collector_back(*_args: object) -> None:
    gc.enable()


def run(settings: Settings) -> int:
    from wms_desk.logs import setup_logging

    app: QApplication = make_application()
    install_error_hook(setup_logging(settings.data_path))
    station = StationApp(settings)
    station.start()
    code = app.exec()
    station.shutdown()
    return code
