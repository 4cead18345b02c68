"""The "Label made elsewhere" dialog: an order, who made the labels, one tracking scan per box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.ui.widgets.named import named


class ManualLabelDialog(QDialog):
    """Collects what the packer types or scans; the screen runs the service on `submitted`
    and closes the dialog only when the labels are recorded (a refusal is shown here)."""

    submitted = Signal(str, str, list)  # order, carrier name, tracking numbers

    def __init__(self, order: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Label made elsewhere")
        self.setObjectName("manual_label_dialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Record the labels of an order made with the carrier's own tool: scan the tracking "
            "barcode of each package's label, one per package, in box order."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.order = named(QLineEdit(order), "manual_order")
        self.order.setPlaceholderText("Order number")
        self.carrier = named(QLineEdit(), "manual_carrier")
        self.carrier.setPlaceholderText("Who made the labels, e.g. DHL (empty: manual)")
        self.tracking = named(QLineEdit(), "manual_tracking")
        self.tracking.setPlaceholderText("Scan a tracking number, then the next")
        form.addRow("Order", self.order)
        form.addRow("Carrier", self.carrier)
        form.addRow("Tracking", self.tracking)
        self.scanned = named(QListWidget(), "manual_scanned")
        self.scanned.setMaximumHeight(120)
        layout.addWidget(self.scanned)
        self.error = named(QLabel(), "manual_error")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.remove_button = QPushButton("Remove last", self)
        self.record_button = QPushButton("Record labels", self)
        self.cancel_button = QPushButton("Cancel", self)
        for button in (self.remove_button, self.record_button, self.cancel_button):
            # Enter in a field means "next" or "add this number", never "record now".
            button.setAutoDefault(False)
            button.setDefault(False)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.record_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)

        self.order.returnPressed.connect(lambda: self._next(self.carrier))
        self.carrier.returnPressed.connect(lambda: self._next(self.tracking))
        self.tracking.returnPressed.connect(self._typed_tracking)
        self.remove_button.clicked.connect(self._remove_last)
        self.record_button.clicked.connect(self._record)
        self.cancel_button.clicked.connect(self.reject)
        (self.tracking if order else self.order).setFocus()

    def _next(self, field: QLineEdit) -> None:
        field.setFocus(Qt.FocusReason.TabFocusReason)

    def numbers(self) -> list[str]:
        return [self.scanned.item(i).text() for i in range(self.scanned.count())]

    def add_tracking(self, text: str) -> None:
        """A typed or scanned number; the service checks its shape, this only drops repeats."""
        number = text.strip().upper().replace(" ", "")
        if not number:
            return
        if number in self.numbers():
            self.show_error(f"{number} is scanned already: scan the next package's label.")
            return
        self.scanned.addItem(number)
        self.error.hide()

    def _typed_tracking(self) -> None:
        self.add_tracking(self.tracking.text())
        self.tracking.clear()

    def _remove_last(self) -> None:
        if self.scanned.count():
            self.scanned.takeItem(self.scanned.count() - 1)

    def _record(self) -> None:
        if self.tracking.text().strip():  # typed but Enter not pressed yet
            self._typed_tracking()
        if not self.order.text().strip():
            self.show_error("Type or scan the order number first.")
            self.order.setFocus()
        elif not self.numbers():
            self.show_error("Scan the tracking number of each package's label.")
            self.tracking.setFocus()
        else:
            self.error.hide()
            self.record_button.setEnabled(False)
            self.submitted.emit(self.order.text().strip(), self.carrier.text().strip(),
                                self.numbers())  # fmt: skip

    def show_error(self, text: str) -> None:
        self.record_button.setEnabled(True)
        self.error.setText(text)
        self.error.show()
