"""Settings > Printers: this station's label and document printers, with a test print."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.printer_setup import PRINTER_KEYS, print_test_page
from wms_desk.services.stations import ensure_station, merge_bindings
from wms_desk.ui.context import UiContext

EXAMPLES = (
    "tcp://10.0.0.31:9100",
    "cups://Zebra_ZD421",
    "file:///tmp/labels",
    "serial:///dev/ttyUSB1",
    "system://",
)
HINT = (
    "Addresses: tcp://HOST:9100 (raw, most thermal printers), cups://QUEUE, file:///FOLDER, "
    "serial:///dev/ttyUSB0, system://NAME (the system printer, PDF only). A test print goes "
    "through the print queue like any label, so its result shows in the Print queue."
)


class PrinterForm(QGroupBox):
    def __init__(self, title: str, label_printer: bool, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.label_printer = label_printer
        self.url = QComboBox()
        self.url.setEditable(True)
        self.url.addItems(("", *EXAMPLES))
        self.url.setMinimumContentsLength(32)
        self.format = QComboBox()
        self.format.addItems(("zpl", "pdf") if label_printer else ("pdf",))
        self.dpi = QComboBox()
        self.dpi.addItems(("203", "300"))
        self.test_button = QPushButton("Print a test page")
        form = QFormLayout(self)
        form.addRow("Address", self.url)
        if label_printer:
            form.addRow("Format", self.format)
            form.addRow("Resolution (dpi)", self.dpi)
        form.addRow("", self.test_button)

    def value(self) -> dict[str, Any]:
        binding: dict[str, Any] = {"url": self.url.currentText().strip()}
        if self.label_printer:
            binding.update(format=self.format.currentText(), dpi=int(self.dpi.currentText()))
        return binding

    def load(self, binding: dict[str, Any] | None) -> None:
        binding = binding or {}
        self.url.setCurrentText(str(binding.get("url") or ""))
        self.format.setCurrentText(str(binding.get("format") or "zpl"))
        self.dpi.setCurrentText(str(binding.get("dpi") or 203))


class PrintersPanel(QWidget):
    saved = Signal(object)
    test_queued = Signal(str)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.forms = {
            "label_printer": PrinterForm("Label printer (4x6 labels, SSCC)", True),
            "document_printer": PrinterForm("Document printer (slips, pick lists)", False),
        }
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel(wordWrap=True)
        hint = QLabel(HINT, wordWrap=True)
        layout = QVBoxLayout(self)
        for kind, form in self.forms.items():
            form.test_button.clicked.connect(lambda _=False, k=kind: self.test(k))
            layout.addWidget(form)
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)
        ui.tasks.run(_station_bindings, ui.services, on_done=self.load)

    def load(self, bindings: dict[str, Any]) -> None:
        for kind, form in self.forms.items():
            form.load(bindings.get(kind))

    def bindings(self) -> dict[str, Any]:
        return {kind: form.value() for kind, form in self.forms.items()}

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            merge_bindings,
            self.ui.services,
            self.ui.actor.station_id,
            self.bindings(),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, info: Any) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(f"Saved the printers of station {info.name}.")
        self.saved.emit(info)

    def test(self, kind: str) -> None:
        self.ui.tasks.run(
            print_test_page,
            self.ui.services,
            kind,
            self.forms[kind].value(),
            on_done=self._test_queued,
            on_error=self._failed,
        )

    def _test_queued(self, job_id: str) -> None:
        self.message.setText("Test page queued; see the Print queue for what happened to it.")
        self.test_queued.emit(job_id)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(str(error))


def _station_bindings(ctx: Any) -> dict[str, Any]:
    return {
        k: v
        for k, v in ensure_station(ctx.database, ctx.actor.station_name).bindings.items()
        if k in PRINTER_KEYS
    }
