"""The service desk's dialogs: a reason or note, a new ship-to address, a new RMA, resolving."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.returns import Reason, Resolution
from wms_desk.services.order_detail import DetailLine, ShipTo
from wms_desk.ui.widgets.named import named

REFUND_METHODS = ("original_payment", "bank_transfer", "cash", "voucher")
_ADDRESS_LABELS = {
    "name": "Name",
    "company": "Company",
    "street1": "Street",
    "street2": "Street (2)",
    "street3": "Street (3)",
    "city": "City",
    "region": "Region / state",
    "postal_code": "Postal code",
    "country": "Country (ISO code)",
    "phone": "Phone",
    "email": "E-mail",
}


class _Form(QDialog):
    """A title, a prompt, a form, an error line and OK/Cancel; `_problem()` says what is
    missing (the dialog stays open and says it) or "" to accept."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.body = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        self.body.addWidget(text)
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.error = named(QLabel(), "DialogError")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)

    def _problem(self) -> str:
        return ""

    def _check(self) -> None:
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


class ReasonDialog(_Form):
    """One line of text that must not be empty: a note, a hold reason, a reprint reason."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(title, prompt, parent)
        self.text = named(QLineEdit(), "ReasonText")
        self.text.setMinimumWidth(420)
        self.form.addRow(self.text)
        self.finish()

    def _problem(self) -> str:
        return "" if self.text.text().strip() else "Write it first, in a few words."

    def reason(self) -> str:
        return self.text.text().strip()


class AddressDialog(_Form):
    """The ship-to address, filled with the current one; street, city and country needed."""

    def __init__(self, order_number: str, current: ShipTo, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Change the address of order {order_number}",
            f"Where order {order_number} goes. Packing has not started, so it is not too late.",
            parent,
        )
        self.fields: dict[str, QLineEdit] = {}
        for f in fields(ShipTo):
            edit = named(QLineEdit(getattr(current, f.name)), f"Address_{f.name}")
            edit.setMinimumWidth(360)
            self.fields[f.name] = edit
            self.form.addRow(_ADDRESS_LABELS[f.name], edit)
        self.finish()

    def _problem(self) -> str:
        missing = [
            _ADDRESS_LABELS[k].lower()
            for k in ("street1", "city", "country")
            if not self.fields[k].text().strip()
        ]
        return f"Fill in the {', '.join(missing)}." if missing else ""

    def ship_to(self) -> ShipTo:
        return ShipTo(**{k: edit.text().strip() for k, edit in self.fields.items()})


@dataclass(frozen=True)
class RmaRequest:
    lines: tuple[tuple[str, int, Reason, str], ...]  # sku, qty, reason, note
    resolution: Resolution
    note: str
    return_label: bool


class CreateRmaDialog(_Form):
    """A row per shipped line: how many come back, why; the resolution; a return label."""

    def __init__(
        self, order_number: str, lines: tuple[DetailLine, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Create a return for order {order_number}",
            f"Which items of order {order_number} come back, and why.",
            parent,
        )
        grid = QGridLayout()
        for column, head in enumerate(
            ("Item", "Shipped", "Returned", "Qty back", "Reason", "Note")
        ):
            grid.addWidget(QLabel(f"<b>{head}</b>"), 0, column)
        self.rows: list[tuple[DetailLine, QSpinBox, QComboBox, QLineEdit]] = []
        returnable = [ln for ln in lines if ln.pickable and ln.sku and ln.shipped > 0]
        for r, line in enumerate(returnable, start=1):
            qty = named(QSpinBox(), f"RmaQty_{line.sku}")
            qty.setRange(0, max(line.shipped - line.returned, 0))
            reason = named(QComboBox(), f"RmaReason_{line.sku}")
            for choice in Reason:
                reason.addItem(choice.value.replace("_", " "), choice)
            note = named(QLineEdit(), f"RmaNote_{line.sku}")
            note.setPlaceholderText("needed for 'other'")
            grid.addWidget(QLabel(f"{line.sku}  {line.name}"), r, 0)
            grid.addWidget(QLabel(str(line.shipped)), r, 1)
            grid.addWidget(QLabel(str(line.returned)), r, 2)
            grid.addWidget(qty, r, 3)
            grid.addWidget(reason, r, 4)
            grid.addWidget(note, r, 5)
            self.rows.append((line, qty, reason, note))
        if not returnable:
            grid.addWidget(QLabel(f"Nothing of order {order_number} has shipped yet."), 1, 0, 1, 6)
        self.body.insertLayout(1, grid)
        self.resolution = named(QComboBox(), "RmaResolution")
        for resolution in Resolution:
            self.resolution.addItem(resolution.value, resolution)
        self.note = named(QLineEdit(), "RmaNote")
        self.label = named(QCheckBox("Buy a return label for the customer"), "RmaReturnLabel")
        self.form.addRow("Resolution", self.resolution)
        self.form.addRow("Note", self.note)
        self.form.addRow(self.label)
        self.finish()

    def _problem(self) -> str:
        if not any(qty.value() for _, qty, _, _ in self.rows):
            return "Set how many of at least one item come back."
        for line, qty, reason, note in self.rows:
            if (
                qty.value()
                and Reason(reason.currentData()) is Reason.OTHER
                and not note.text().strip()
            ):
                return f"Reason 'other' for {line.sku} needs a note saying what."
        return ""

    def request(self) -> RmaRequest:
        return RmaRequest(
            tuple(
                (line.sku, qty.value(), Reason(reason.currentData()), note.text().strip())
                for line, qty, reason, note in self.rows
                if qty.value()
            ),
            Resolution(self.resolution.currentData()),
            self.note.text().strip(),
            self.label.isChecked(),
        )


class ResolveDialog(_Form):
    """Close the return as its resolution says; a refund names its method and reference."""

    def __init__(
        self, number: str, order_number: str, resolution: str, parent: QWidget | None = None
    ) -> None:
        what = {
            "refund": "refund the customer",
            "credit": "give the customer store credit",
            "exchange": "order the replacement",
        }.get(resolution, resolution)
        super().__init__(
            f"Resolve return {number}",
            f"Every unit of return {number} (order {order_number}) is in and inspected. "
            f"Resolving it will {what}.",
            parent,
        )
        self.method = named(QComboBox(), "RefundMethod")
        for method in REFUND_METHODS:
            self.method.addItem(method.replace("_", " "), method)
        self.reference = named(QLineEdit(), "RefundReference")
        self.reference.setPlaceholderText("payment provider's refund id")
        if resolution == "refund":
            self.form.addRow("Refund by", self.method)
            self.form.addRow("Reference", self.reference)
        self.finish()

    def choice(self) -> tuple[str, str]:
        return str(self.method.currentData()), self.reference.text().strip()
