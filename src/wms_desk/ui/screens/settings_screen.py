"""Settings: devices, printers; rules, returns policy, e-mail, outbox (supervisors); users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from wms_desk.domain.roles import Permission
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.users_panel import UsersPanel
from wms_desk.ui.widgets.named import named

if TYPE_CHECKING:
    from wms_desk.ui.outbox_view import OutboxPanel


class SettingsScreen(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        title = named(QLabel("Settings"), "ScreenTitle")
        self.tabs = QTabWidget()
        self._add(self._devices_tab(), "Devices")
        from wms_desk.ui.screens.printers_panel import PrintersPanel

        self._add(PrintersPanel(ui), "Printers")
        self.rules_panel: QWidget | None = None
        self.policy_panel: QWidget | None = None
        self.email_panel: QWidget | None = None
        if ui.actor.can(Permission.CHANGE_SETTINGS):
            from wms_desk.ui.screens.shipping_rules_panel import ShippingRulesPanel

            self.rules_panel = ShippingRulesPanel(ui)
            self._add(self.rules_panel, "Shipping rules")
            from wms_desk.ui.screens.return_policy_panel import ReturnPolicyPanel

            policy_panel = ReturnPolicyPanel(ui)
            self.policy_panel = policy_panel
            self._add(policy_panel, "Returns policy")
            # The site's SMTP server and the customers' wording.
            from wms_desk.ui.screens.email_panel import EmailPanel

            self.email_panel = EmailPanel(ui)
            self._add(self.email_panel, "E-mail")
        self.outbox_panel: OutboxPanel | None = None
        if ui.actor.can(Permission.MANAGE_OUTBOX):
            from wms_desk.ui.outbox_view import OutboxPanel

            self.outbox_panel = OutboxPanel(ui)
            self._add(self.outbox_panel, "Outbox")
        # Admins only: the others never see who can sign in, let alone change it.
        self.users_panel: UsersPanel | None = None
        if ui.actor.can(Permission.MANAGE_USERS):
            self.users_panel = UsersPanel(ui)
            self._add(self.users_panel, "Users")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def _add(self, panel: QWidget, title: str) -> None:
        """Each panel scrolls inside its tab: however many settings a panel grows, the window
        still fits a 1366x768 screen (a tab's size would otherwise set the window's minimum)."""
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(panel)
        self.tabs.addTab(area, title)

    def show_panel(self, panel: QWidget) -> None:
        for index in range(self.tabs.count()):
            area = self.tabs.widget(index)
            if isinstance(area, QScrollArea) and area.widget() is panel:
                self.tabs.setCurrentIndex(index)
                return
        raise LookupError(f"{type(panel).__name__} is not a tab of Settings")

    def _devices_tab(self) -> QWidget:
        if self.ui.devices is not None:
            from wms_desk.ui.screens.devices_panel import DevicesPanel

            return DevicesPanel(self.ui)
        label = QLabel("No device service is running on this station.")
        label.setWordWrap(True)
        return label
