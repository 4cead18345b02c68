"""Settings: this station's devices and printers; users and stations for admins."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.services import users
from wms_desk.services.users import UserInfo
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.named import named


class UsersTab(QWidget):
    """Who can sign in here, with role, badge and last sign-in (admins only)."""

    COLUMNS = ("Username", "Name", "Role", "Active", "Badge", "Last sign-in")

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        hint = QLabel("Add users from the command line: wms-desk user add NAME --role ROLE")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        self.refresh()

    def refresh(self) -> None:
        self.ui.tasks.run(users.list_users, self.ui.services, on_done=self._show)

    def _show(self, rows: list[UserInfo]) -> None:
        self.table.setRowCount(len(rows))
        for r, user in enumerate(rows):
            last = user.last_login_at
            values = (
                user.username,
                user.display_name,
                user.role.value,
                "yes" if user.active else "no",
                "yes" if user.has_badge else "no",
                last.astimezone().strftime("%Y-%m-%d %H:%M") if last else "never",
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()


class SettingsScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        title = named(QLabel("Settings"), "ScreenTitle")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._devices_tab(), "Devices")
        from wms_desk.ui.screens.printers_panel import PrintersPanel

        self.tabs.addTab(PrintersPanel(ui), "Printers")
        if ui.actor.can(Permission.MANAGE_USERS):
            self.tabs.addTab(UsersTab(ui), "Users")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def _devices_tab(self) -> QWidget:
        if self.ui.devices is not None:
            from wms_desk.ui.screens.devices_panel import DevicesPanel

            return DevicesPanel(self.ui)
        label = QLabel("No device service is running on this station.")
        label.setWordWrap(True)
        return label
