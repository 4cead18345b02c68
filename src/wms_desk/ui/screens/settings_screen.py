"""Settings: this station's devices and printers; users and stations for admins."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from wms_desk.domain.roles import Permission
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.users_panel import UsersPanel
from wms_desk.ui.widgets.named import named


class SettingsScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        title = named(QLabel("Settings"), "ScreenTitle")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._devices_tab(), "Devices")
        from wms_desk.ui.screens.printers_panel import PrintersPanel

        self.tabs.addTab(PrintersPanel(ui), "Printers")
        self.rules_panel: QWidget | None = None
        self.policy_panel: QWidget | None = None
        if ui.actor.can(Permission.CHANGE_SETTINGS):
            from wms_desk.ui.screens.shipping_rules_panel import ShippingRulesPanel

            self.rules_panel = ShippingRulesPanel(ui)
            self.tabs.addTab(self.rules_panel, "Shipping rules")
            from wms_desk.ui.screens.return_policy_panel import ReturnPolicyPanel

            policy_panel = ReturnPolicyPanel(ui)
            self.policy_panel = policy_panel
            self.tabs.addTab(policy_panel, "Returns policy")
        # Admins only: the others never see who can sign in, let alone change it.
        self.users_panel: UsersPanel | None = None
        if ui.actor.can(Permission.MANAGE_USERS):
            self.users_panel = UsersPanel(ui)
            self.tabs.addTab(self.users_panel, "Users")
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
