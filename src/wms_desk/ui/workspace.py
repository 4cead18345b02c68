"""A signed-in user's workspace: role-based navigation and the screens, built when first shown."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QWidget,
)

from wms_desk.domain.scan_kinds import ScanKind
from wms_desk.ui.context import UiContext
from wms_desk.ui.navigation import ScreenSpec, screens_for
from wms_desk.ui.screens.placeholder import PlaceholderScreen
from wms_desk.ui.widgets.named import named

SCREEN_KEY = "main_window/screen"


class Workspace(QWidget):
    def __init__(self, ui: UiContext, qsettings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self._qsettings = qsettings
        self.specs = screens_for(ui)
        self._built: dict[str, QWidget] = {}
        self.nav = named(QListWidget(), "NavList")
        self.nav.setFixedWidth(190)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        for number, spec in enumerate(self.specs, 1):
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(f"{spec.summary} (Ctrl+{number})" if number < 10 else spec.summary)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)
        body = QHBoxLayout(self)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        last = qsettings.value(SCREEN_KEY)
        keys = self.screen_keys
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)

    @property
    def screen_keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

    def current_screen_key(self) -> str:
        row = self.nav.currentRow()
        return self.specs[row].key if row >= 0 else ""

    def show_screen(self, key: str) -> QWidget:
        self.nav.setCurrentRow(self.screen_keys.index(key))
        return self._built[key]

    def current_screen(self) -> QWidget | None:
        return self._built.get(self.current_screen_key())

    def current_title(self) -> str:
        row = self.nav.currentRow()
        return self.specs[row].title if row >= 0 else "this screen"

    # -- scans --------------------------------------------------------------------------------
    def screen_opening(self, kind: ScanKind) -> str | None:
        """The first of this user's screens that a scan of `kind` brings to the front."""
        return next((spec.key for spec in self.specs if kind in spec.opens), None)

    def titles_accepting(self, kind: ScanKind) -> list[str]:
        return [spec.title for spec in self.specs if kind in spec.accepts]

    def built(self, key: str) -> QWidget | None:
        return self._built.get(key)

    def save(self) -> None:
        self._qsettings.setValue(SCREEN_KEY, self.current_screen_key())

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        with self.ui.building():
            if spec.key not in self._built:
                widget = self._build(spec)
                self._built[spec.key] = widget
                self.stack.addWidget(widget)
            self.stack.setCurrentWidget(self._built[spec.key])

    def _build(self, spec: ScreenSpec) -> QWidget:
        widget = PlaceholderScreen(spec) if spec.factory is None else spec.factory(self.ui)
        # A dashboard number opens the queue on the orders behind it.
        requested = getattr(widget, "orders_requested", None)
        if requested is not None:
            requested.connect(self.open_orders)
        return widget

    def open_orders(self, selection: object) -> None:
        """Bring the queue to the front showing exactly `selection`'s orders."""
        if "queue" not in self.screen_keys:
            return
        queue = self.show_screen("queue")
        show = getattr(queue, "show_selection", None)
        if callable(show):
            show(selection)

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
        refresh = getattr(self._built.get(key), "refresh", None)
        if callable(refresh):
            refresh()
