"""The queue table's columns: which are shown, their order and widths, kept between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QMenu, QTableView, QToolBar, QWidget

from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import COLUMNS

SETTINGS_ORG, SETTINGS_APP = "wms-desk", "wms-desk"
HEADER_KEY = "queue/header_state"
# Hidden until the supervisor picks them in the column chooser.
DEFAULT_HIDDEN = ("email", "country", "created_at", "total", "units", "hold_reason")
DEFAULT_WIDTHS = (110, 95, 170, 130, 60, 100, 80, 50)

if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class QueueColumns(_Base):
    """A mixin of QueueScreen: the column chooser (header menu and toolbar button)."""

    _ui: UiContext
    table: QTableView
    toolbar: QToolBar

    def _settings(self) -> QSettings:
        # The composition root (or a test) hands over the station's QSettings.
        given = self._ui.qsettings
        return given if given is not None else QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore_columns(self) -> None:
        header = self.table.horizontalHeader()
        state = self._settings().value(HEADER_KEY)
        if state is None or not header.restoreState(state):
            for i, column in enumerate(COLUMNS):
                header.setSectionHidden(i, column.key in DEFAULT_HIDDEN)
            for i, width in enumerate(DEFAULT_WIDTHS):
                header.resizeSection(i, width)

    def _save_columns(self) -> None:
        self._settings().setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def column_visible(self, key: str) -> bool:
        index = [c.key for c in COLUMNS].index(key)
        return not self.table.horizontalHeader().isSectionHidden(index)

    def set_column_visible(self, key: str, visible: bool) -> None:
        index = [c.key for c in COLUMNS].index(key)
        self.table.horizontalHeader().setSectionHidden(index, not visible)
        self._save_columns()

    def _column_menu_for(self) -> QMenu:
        menu = QMenu(self)
        for column in COLUMNS:
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(self.column_visible(column.key))
            action.toggled.connect(lambda on, key=column.key: self.set_column_visible(key, on))
        return menu

    def _column_menu(self, pos: QPoint) -> None:
        self._column_menu_for().exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _columns_button(self) -> None:
        self._column_menu_for().exec(self.mapToGlobal(self.toolbar.geometry().bottomLeft()))
