"""The main window: role-based navigation, lazily built screens, status bar, connection banner."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.ui.context import UiContext
from wms_desk.ui.navigation import ScreenSpec, screens_for
from wms_desk.ui.screens.placeholder import PlaceholderScreen
from wms_desk.ui.status_bar import StationStatusBar
from wms_desk.ui.widgets.banner import Banner
from wms_desk.ui.widgets.named import named

GEOMETRY_KEY = "main_window/geometry"
SCREEN_KEY = "main_window/screen"


class MainWindow(QMainWindow):
    signed_out = Signal()

    def __init__(self, ui: UiContext, qsettings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self._qsettings = qsettings
        self._specs = screens_for(ui)
        self._built: dict[str, QWidget] = {}
        actor = ui.actor
        self.setWindowTitle(f"wms-desk — {actor.display_name} at {actor.station_name}")

        self.banner = Banner("Retry")
        self.banner.action_requested.connect(self.retry_database)
        self.nav = named(QListWidget(), "NavList")
        self.nav.setFixedWidth(190)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        for number, spec in enumerate(self._specs, 1):
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(f"{spec.summary} (Ctrl+{number})" if number < 10 else spec.summary)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addLayout(body, 1)
        self.setCentralWidget(central)

        self.status = StationStatusBar()
        self.setStatusBar(self.status)
        database = ui.services.database
        self.status.set_database(database.mode, database.location)
        self.status.set_station(actor.station_name)
        self.status.set_user(actor.display_name, actor.role.value)
        ui.tasks.database_lost.connect(self.show_database_lost)
        ui.tasks.task_failed.connect(self._show_task_error)

        self._add_actions()
        self._restore()

    # -- navigation -------------------------------------------------------------------------
    @property
    def screen_keys(self) -> list[str]:
        return [spec.key for spec in self._specs]

    def current_screen_key(self) -> str:
        row = self.nav.currentRow()
        return self._specs[row].key if row >= 0 else ""

    def show_screen(self, key: str) -> QWidget:
        row = self.screen_keys.index(key)
        self.nav.setCurrentRow(row)
        return self._built[key]

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        spec = self._specs[row]
        if spec.key not in self._built:
            widget = self._build(spec)
            self._built[spec.key] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(self._built[spec.key])

    def _build(self, spec: ScreenSpec) -> QWidget:
        if spec.factory is None:
            return PlaceholderScreen(spec)
        return spec.factory(self.ui)

    def _add_actions(self) -> None:
        switch = QAction("Switch user", self)
        switch.setShortcut(QKeySequence("Ctrl+L"))
        switch.triggered.connect(self.sign_out)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu = self.menuBar().addMenu("&Station")
        menu.addAction(switch)
        menu.addAction(quit_action)
        if self.ui.actor.can(Permission.IMPORT_ORDERS):
            orders = self.menuBar().addMenu("&Orders")
            import_action = QAction("Import orders, products or stock…", self)
            import_action.setShortcut(QKeySequence("Ctrl+I"))
            import_action.triggered.connect(self.open_import)
            profiles = QAction("CSV column profiles…", self)
            profiles.triggered.connect(self.open_csv_profiles)
            orders.addAction(import_action)
            orders.addAction(profiles)
        go = self.menuBar().addMenu("&Go")
        for number, spec in enumerate(self._specs[:9], 1):
            action = QAction(spec.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_screen(key))
            go.addAction(action)

    # -- orders -----------------------------------------------------------------------------
    def open_import(self) -> QDialog:
        from wms_desk.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.ui, self)
        dialog.import_finished.connect(lambda _result: self._refresh_screen("queue"))
        dialog.open()
        return dialog

    def open_csv_profiles(self) -> QDialog:
        from wms_desk.ui.csv_mapping_dialog import CsvMappingDialog

        dialog = CsvMappingDialog(self.ui, self)
        dialog.open()
        return dialog

    def _refresh_screen(self, key: str) -> None:
        screen = self._built.get(key)
        refresh = getattr(screen, "refresh", None)
        if callable(refresh):
            refresh()

    # -- session ----------------------------------------------------------------------------
    def sign_out(self) -> None:
        self._save()
        self.signed_out.emit()

    def _restore(self) -> None:
        geometry = self._qsettings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = self._qsettings.value(SCREEN_KEY)
        keys = self.screen_keys
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)

    def _save(self) -> None:
        self._qsettings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self._qsettings.setValue(SCREEN_KEY, self.current_screen_key())
        self._qsettings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save()
        super().closeEvent(event)

    # -- database connection ----------------------------------------------------------------
    def show_database_lost(self, message: str) -> None:
        database = self.ui.services.database
        self.status.set_database(database.mode, database.location, ok=False)
        self.banner.show_message(
            f"{message} Your work so far is saved; nothing will be lost while you wait."
        )

    def retry_database(self) -> None:
        self.banner.set_busy(True)
        self.ui.tasks.run(
            self.ui.services.database.ping,
            on_done=lambda _: self._database_back(),
            on_error=self._database_still_down,
        )

    def _database_back(self) -> None:
        database = self.ui.services.database
        self.banner.set_busy(False)
        self.banner.hide()
        self.status.set_database(database.mode, database.location)

    def _database_still_down(self, error: BaseException) -> None:
        self.banner.set_busy(False)
        self.banner.show_message(str(error))

    def _show_task_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Could not finish", str(error))
