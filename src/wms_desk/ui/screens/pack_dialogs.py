"""Small dialogs of the pack screen: supervisor approval, confirm or short a line, typed weight."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.packing.session import SessionLine
from wms_desk.ui.widgets.named import named


@dataclass(frozen=True)
class Approval:
    """What the dialog collected: a supervisor's credentials (when the user is not one)."""

    username: str = ""
    password: str = ""
    reason: str = ""
    line_id: int | None = None
    qty: int = 0
    grams: Decimal | None = None


class PackDialog(QDialog):
    """One form for the by-hand paths; only the parts a path needs are shown.

    `credentials`: a supervisor signs off here (username and password: a badge scan would
    switch the station's user). `lines`: pick the line; `qty`: how many; `reason`: why;
    `weight`: a typed weight in grams.
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        *,
        credentials: bool = False,
        credentials_optional: bool = False,
        lines: tuple[SessionLine, ...] = (),
        qty: bool = False,
        reason: bool = False,
        weight: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        layout.addLayout(form)
        self.username = named(QLineEdit(), "SupervisorUser")
        self.password = named(QLineEdit(), "SupervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if credentials:
            form.addRow("Supervisor", self.username)
            form.addRow("Password", self.password)
        self.line = named(QComboBox(), "LineChoice")
        for line in lines:
            left = line.ordered - line.verified - line.shorted
            self.line.addItem(f"{line.sku}  {line.name}  ({left} left)", line.line_id)
        if lines:
            form.addRow("Line", self.line)
        self.qty = named(QSpinBox(), "Quantity")
        self.qty.setRange(1, 100_000)
        if qty:
            form.addRow("Quantity", self.qty)
        self.reason = named(QLineEdit(), "Reason")
        if reason:
            form.addRow("Reason", self.reason)
        self.grams = named(QLineEdit(), "Grams")
        self.grams.setPlaceholderText("e.g. 1250")
        if weight:
            form.addRow("Weight (g)", self.grams)
        self.error = named(QLabel(), "DialogError")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._needs = (credentials and not credentials_optional, reason, weight)

    def _check(self) -> None:
        credentials, reason, weight = self._needs
        problem = ""
        if credentials and not (self.username.text().strip() and self.password.text()):
            problem = "A supervisor types their username and password here."
        elif reason and not self.reason.text().strip():
            problem = "Say why, in a few words."
        elif weight and self.typed_grams() is None:
            problem = "Type the weight in grams, above 0 (e.g. 1250)."
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()

    def typed_grams(self) -> Decimal | None:
        try:
            value = Decimal(self.grams.text().strip().replace(",", "."))
        except InvalidOperation:
            return None
        return value if value > 0 else None

    def approval(self) -> Approval:
        return Approval(
            self.username.text().strip(),
            self.password.text(),
            self.reason.text().strip(),
            self.line.currentData(),
            self.qty.value(),
            self.typed_grams(),
        )
