"""Settings > E-mail: the site's SMTP server with a test e-mail, and which channels get the
order-received e-mail. The template editor beside it is email_templates_panel.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import settings as email_settings
from wms_desk.services.emails import smtp, triggers
from wms_desk.services.import_setup import list_channels
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.email_templates_panel import TemplatesPanel

SHIPMENT_CHOICES = (
    ("When SMTP is set up", None),
    ("Always", True),
    ("Never (the shop platform sends them)", False),
)


@dataclass(frozen=True)
class EmailSetup:
    settings: email_settings.SmtpSettings
    password: str
    channels: tuple[tuple[int, str, bool], ...]


def load_setup(ctx: ServiceContext) -> EmailSetup:
    """Off the GUI thread: the settings, where the password comes from, the channels."""
    current = email_settings.get_settings(ctx)
    channels = tuple(
        (c.id, c.name, bool(c.settings.get(triggers.ORDER_RECEIVED_SETTING)))
        for c in list_channels(ctx)
    )
    return EmailSetup(current, current.password_state(), channels)


class SmtpForm(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("SMTP server (for the whole site)", parent)
        self.host = QLineEdit(placeholderText="smtp.example.com")
        self.port = QLineEdit(placeholderText="587")
        self.port.setValidator(QIntValidator(1, 65535, self.port))
        self.port.setMaximumWidth(70)
        self.security = QComboBox()
        self.security.addItems(("starttls", "ssl", "none"))
        self.username = QLineEdit(placeholderText="none: no sign-in")
        self.password_file = QLineEdit(placeholderText="~/.config/wms-desk/smtp.password")
        self.password_state = QLabel(wordWrap=True)
        self.from_address = QLineEdit(placeholderText="shop@example.com")
        self.reply_to = QLineEdit(placeholderText="help@example.com (optional)")
        self.shop_name = QLineEdit(placeholderText="the name customers see")
        self.timeout = QLineEdit(placeholderText="30")
        self.timeout.setValidator(QIntValidator(1, 300, self.timeout))
        self.shipment = QComboBox()
        for text, _ in SHIPMENT_CHOICES:
            self.shipment.addItem(text)
        server = QHBoxLayout()
        server.addWidget(self.host, 1)
        server.addWidget(QLabel("Port"))
        server.addWidget(self.port)
        server.addWidget(self.security)
        form = QFormLayout(self)
        form.addRow("Server", server)
        form.addRow("User name", self.username)
        form.addRow("Password file", self.password_file)
        form.addRow("", self.password_state)
        form.addRow("From", self.from_address)
        form.addRow("Reply-to", self.reply_to)
        form.addRow("Shop name", self.shop_name)
        form.addRow("Timeout (s)", self.timeout)
        form.addRow("Shipment e-mails", self.shipment)

    def load(self, current: email_settings.SmtpSettings, password: str) -> None:
        self.host.setText(current.host)
        self.port.setText(str(current.port))
        self.security.setCurrentText(current.security.value)
        self.username.setText(current.username)
        self.password_file.setText(current.password_file)
        self.password_state.setText(password)
        self.from_address.setText(current.from_address)
        self.reply_to.setText(current.reply_to)
        self.shop_name.setText(current.shop_name)
        self.timeout.setText(f"{current.timeout:g}")
        values = [value for _, value in SHIPMENT_CHOICES]
        self.shipment.setCurrentIndex(values.index(current.send_shipment_emails))

    def changes(self) -> dict[str, Any]:
        port, timeout = self.port.text().strip(), self.timeout.text().strip()
        return {
            "host": self.host.text().strip(),
            "port": int(port) if port else 587,
            "security": self.security.currentText(),
            "username": self.username.text().strip(),
            "password_file": self.password_file.text().strip(),
            "from_address": self.from_address.text().strip(),
            "reply_to": self.reply_to.text().strip(),
            "shop_name": self.shop_name.text().strip(),
            "timeout": float(timeout) if timeout else 30.0,
            "send_shipment_emails": SHIPMENT_CHOICES[self.shipment.currentIndex()][1],
        }


class EmailPanel(QWidget):
    """Every action answers in `message`; slow work (the test e-mail) runs through ui.tasks."""

    loaded = Signal(object)
    saved = Signal(object)
    answered = Signal(str)  # what the test e-mail (or its failure) said

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.form = SmtpForm()
        self.save_button = QPushButton("Save settings")
        self.save_button.clicked.connect(self.save)
        self.test_to = QLineEdit(placeholderText="send a test e-mail to ...")
        self.test_button = QPushButton("Send test e-mail")
        self.test_button.clicked.connect(self.send_test)
        self.test_to.returnPressed.connect(self.send_test)
        self.channels = QListWidget()
        self.channels.setMaximumHeight(72)
        self.channels.itemChanged.connect(self._channel_toggled)
        self.templates = TemplatesPanel(ui)
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QVBoxLayout()
        left.addWidget(self.form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_to, 1)
        buttons.addWidget(self.test_button)
        left.addLayout(buttons)
        received = QGroupBox("Order-received e-mail, per channel (most shops send their own)")
        QVBoxLayout(received).addWidget(self.channels)
        left.addWidget(received)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(self.templates, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        self.templates.said.connect(self.message.setText)
        self.refresh()

    def refresh(self) -> None:
        self.ui.tasks.run(load_setup, self.ui.services, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, setup: EmailSetup) -> None:
        self.form.load(setup.settings, setup.password)
        self.channels.blockSignals(True)
        self.channels.clear()
        for channel_id, name, on in setup.channels:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, channel_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.channels.addItem(item)
        if not setup.channels:
            self.channels.addItem("No channels yet: they appear after the first import.")
        self.channels.blockSignals(False)
        self.loaded.emit(setup)

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            email_settings.save_settings,
            self.ui.services,
            on_done=self._saved,
            on_error=self._failed,
            **self.form.changes(),
        )

    def _saved(self, current: email_settings.SmtpSettings) -> None:
        self.save_button.setEnabled(True)
        state = "on" if current.shipment_emails_on else "off"
        self.message.setText(
            f"Saved the e-mail settings: {current.describe()} Shipment e-mails are {state}."
        )
        self.saved.emit(current)
        self.refresh()

    def send_test(self) -> None:
        to = self.test_to.text().strip()
        if not to:
            self.message.setText("Enter the address to send the test e-mail to, then press Send.")
            return
        self.test_button.setEnabled(False)
        self.message.setText(f"Sending a test e-mail to {to} with the saved settings ...")
        self.ui.tasks.run(
            smtp.send_test_email,
            self.ui.services,
            to,
            on_done=self._answered,
            on_error=lambda exc: self._answered(str(exc)),
        )

    def _answered(self, text: str) -> None:
        self.test_button.setEnabled(True)
        self.message.setText(text)
        self.answered.emit(text)

    def _channel_toggled(self, item: QListWidgetItem) -> None:
        channel_id = item.data(Qt.ItemDataRole.UserRole)
        if channel_id is None:
            return
        on = item.checkState() == Qt.CheckState.Checked
        self.ui.tasks.run(
            triggers.set_order_received,
            self.ui.services,
            int(channel_id),
            on,
            on_done=self.message.setText,
            on_error=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.test_button.setEnabled(True)
        self.message.setText(str(error))
