"""The station window: sign-in page, then the user's workspace; status bar and connection banner.

One window for the life of the process, as a station's screen should be: it paints at once with
the sign-in page (the database opens meanwhile), shows the station's devices before anyone signs
in, and returns to the sign-in page when a user switches out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import FeedbackLine
from wms_desk.ui.status_bar import StationStatusBar
from wms_desk.ui.tasks import TaskRunner
from wms_desk.ui.widgets.banner import Banner
from wms_desk.ui.workspace import Workspace

if TYPE_CHECKING:
    from wms_desk.services.database import Database

GEOMETRY_KEY = "main_window/geometry"
# Fits a 1366x768 station monitor with its task bar and the window frame.
DEFAULT_SIZE = QSize(1280, 700)


class MainWindow(QMainWindow):
    signed_out = Signal()

    def __init__(
        self,
        qsettings: QSettings,
        sign_in: QWidget,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._qsettings = qsettings
        self.database: Database | None = None
        self.workspace: Workspace | None = None
        self._user_menus: list[QMenu] = []
        self.setWindowTitle("wms-desk")

        self.banner = Banner("Retry")
        self.banner.action_requested.connect(self.retry_database)
        # What the last scan did, in large type, for whichever screen is in front.
        self.feedback_line = FeedbackLine()
        self.sign_in_page = QWidget()
        centred = QHBoxLayout(self.sign_in_page)
        centred.addStretch(1)
        centred.addWidget(sign_in, 0, Qt.AlignmentFlag.AlignVCenter)
        centred.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.sign_in_page)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.feedback_line)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.status = StationStatusBar()
        self.setStatusBar(self.status)
        self.status.set_user("nobody signed in", "")
        self._tasks = tasks
        tasks.database_lost.connect(self.show_database_lost)
        tasks.task_failed.connect(self._show_task_error)
        self._add_station_menu()
        geometry = qsettings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(DEFAULT_SIZE)
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Never larger than the screen's free area (a 1366x768 station monitor included), and
        never positioned off it: a remembered geometry from a bigger monitor is shrunk."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        # The frame (title bar, borders) is outside geometry(): leave room for it.
        frame_w = max(0, self.frameGeometry().width() - self.geometry().width()) or 8
        frame_h = max(0, self.frameGeometry().height() - self.geometry().height()) or 32
        width = min(self.width(), free.width() - frame_w)
        height = min(self.height(), free.height() - frame_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(self.x(), free.x()), free.right() - width)
        y = min(max(self.y(), free.y()), free.bottom() - height)
        self.move(max(free.x(), x), max(free.y(), y))

    # -- who is here ------------------------------------------------------------------------
    @property
    def ui(self) -> UiContext:
        assert self.workspace is not None, "nobody is signed in"
        return self.workspace.ui

    def set_station(self, database: Database, station_name: str) -> None:
        self.database = database
        self.status.set_database(database.mode, database.location)
        self.status.set_station(station_name)
        self.setWindowTitle(f"wms-desk — station {station_name}")

    def enter(self, ui: UiContext) -> Workspace:
        """Show a signed-in user's workspace (their screens, their menus)."""
        self.leave()
        with ui.building():
            self.workspace = Workspace(ui, self._qsettings)
            self.pages.addWidget(self.workspace)
            self.pages.setCurrentWidget(self.workspace)
            actor = ui.actor
            self.setWindowTitle(f"wms-desk — {actor.display_name} at {actor.station_name}")
            self.status.set_user(actor.display_name, actor.role.value)
            self.switch_action.setEnabled(True)
            self._add_user_menus(self.workspace)
        return self.workspace

    def leave(self) -> None:
        """Back to the sign-in page; the workspace and its screens are discarded."""
        workspace, self.workspace = self.workspace, None
        if workspace is not None:
            workspace.save()
            self.pages.removeWidget(workspace)
            workspace.deleteLater()
        for menu in self._user_menus:
            self.menuBar().removeAction(menu.menuAction())
            menu.deleteLater()
        self._user_menus.clear()
        self.switch_action.setEnabled(False)
        self.status.set_user("nobody signed in", "")
        self.pages.setCurrentWidget(self.sign_in_page)

    # -- the workspace, for callers and tests -----------------------------------------------
    @property
    def screen_keys(self) -> list[str]:
        return self.workspace.screen_keys if self.workspace else []

    @property
    def nav(self) -> QListWidget:
        assert self.workspace is not None
        return self.workspace.nav

    @property
    def stack(self) -> QStackedWidget:
        assert self.workspace is not None
        return self.workspace.stack

    def show_screen(self, key: str) -> QWidget:
        assert self.workspace is not None
        return self.workspace.show_screen(key)

    def current_screen_key(self) -> str:
        return self.workspace.current_screen_key() if self.workspace else ""

    def open_import(self) -> QDialog:
        assert self.workspace is not None
        return self.workspace.open_import()

    # -- menus ------------------------------------------------------------------------------
    def _add_station_menu(self) -> None:
        self.switch_action = QAction("Switch user", self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+L"))
        self.switch_action.triggered.connect(self.sign_out)
        self.switch_action.setEnabled(False)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu = self.menuBar().addMenu("&Station")
        menu.addAction(self.switch_action)
        menu.addAction(quit_action)

    def _add_user_menus(self, workspace: Workspace) -> None:
        if workspace.ui.actor.can(Permission.IMPORT_ORDERS):
            orders = self.menuBar().addMenu("&Orders")
            import_action = QAction("Import orders, products or stock…", orders)
            import_action.setShortcut(QKeySequence("Ctrl+I"))
            import_action.triggered.connect(workspace.open_import)
            profiles = QAction("CSV column profiles…", orders)
            profiles.triggered.connect(workspace.open_csv_profiles)
            orders.addAction(import_action)
            orders.addAction(profiles)
            self._user_menus.append(orders)
        go = self.menuBar().addMenu("&Go")
        for number, spec in enumerate(workspace.specs[:9], 1):
            action = QAction(spec.title, go)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_screen(key))
            go.addAction(action)
        self._user_menus.append(go)

    # -- session ----------------------------------------------------------------------------
    def sign_out(self) -> None:
        self._save()
        self.signed_out.emit()

    def _save(self) -> None:
        self._qsettings.setValue(GEOMETRY_KEY, self.saveGeometry())
        if self.workspace is not None:
            self.workspace.save()
        self._qsettings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save()
        super().closeEvent(event)

    # -- database connection ----------------------------------------------------------------
    def show_database_lost(self, message: str) -> None:
        if self.database is not None:
            self.status.set_database(self.database.mode, self.database.location, ok=False)
        self.banner.show_message(
            f"{message} Your work so far is saved; nothing will be lost while you wait."
        )

    def retry_database(self) -> None:
        if self.database is None:
            return
        self.banner.set_busy(True)
        self._tasks.run(
            self.database.ping,
            on_done=lambda _: self._database_back(),
            on_error=self._database_still_down,
        )

    def _database_back(self) -> None:
        self.banner.set_busy(False)
        self.banner.hide()
        if self.database is not None:
            self.status.set_database(self.database.mode, self.database.location)

    def _database_still_down(self, error: BaseException) -> None:
        self.banner.set_busy(False)
        self.banner.show_message(str(error))

    def _show_task_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Could not finish", str(error))
