"""A one-line banner of the supervisor's open alerts (tracking exceptions), with Acknowledge."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from wms_desk.domain.roles import Permission
from wms_desk.services.alerts import Acknowledged, AlertInfo, acknowledge_alert, list_alerts
from wms_desk.services.changes import Topic
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.refresh import RefreshOnChange


class AlertBanner(QFrame):
    """Hidden while nothing is open, and for users who may not see alerts. Refreshes from the
    change bus while `host` (the screen it sits on) is visible; `host` and not the banner,
    because a hidden banner must still hear the first alert."""

    alerts_loaded = Signal(object)  # tuple[AlertInfo, ...]
    acknowledged = Signal(object)  # Acknowledged

    def __init__(self, ui: UiContext, host: QWidget) -> None:
        super().__init__(host)
        self._ui = ui
        self.setObjectName("alert_banner")
        self.setStyleSheet(
            "#alert_banner { background: #fff3cd; border: 1px solid #d39e00; border-radius: 4px; }"
        )
        self.text = QLabel(self)
        self.text.setObjectName("alert_text")
        self.text.setWordWrap(True)
        self.ack_button = QPushButton("Acknowledge", self)
        self.ack_button.setObjectName("alert_ack")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.ack_button)
        self.alerts: tuple[AlertInfo, ...] = ()
        self.setVisible(False)
        self.ack_button.clicked.connect(self._ack_clicked)
        self.allowed = ui.services.actor.can(Permission.VIEW_QUEUE)
        if self.allowed:
            self._refresher = RefreshOnChange(ui, host, (Topic.ALERTS,), self.load)
            self.load()

    def load(self) -> None:
        self._ui.tasks.run(
            list_alerts, self._ui.services, on_done=self._show, on_error=self._failed
        )

    def _show(self, alerts: tuple[AlertInfo, ...]) -> None:
        self.alerts = alerts
        if alerts:
            more = f" ({len(alerts) - 1} more open)" if len(alerts) > 1 else ""
            self.text.setText(f"<b>Alert {alerts[0].id}:</b> {alerts[0].message}{more}")
        self.ack_button.setEnabled(
            bool(alerts) and self._ui.services.actor.can(Permission.HOLD_ORDERS)
        )
        self.setVisible(bool(alerts))
        self.alerts_loaded.emit(alerts)

    def _ack_clicked(self) -> None:
        if self.alerts:
            self._ui.tasks.run(
                acknowledge_alert, self._ui.services, self.alerts[0].id,
                on_done=self._acknowledged, on_error=self._failed,
            )  # fmt: skip

    def _acknowledged(self, done: Acknowledged) -> None:
        if self._ui.feedback is not None:
            self._ui.feedback.show(Tone.WARNING if done.already else Tone.SUCCESS, done.message)
        self.acknowledged.emit(done)
        self.load()

    def _failed(self, error: BaseException) -> None:
        if self._ui.feedback is not None:
            self._ui.feedback.show(Tone.ERROR, str(error))
