"""The returns station: scan the RMA (or order, or return label), each item, then its bin."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.returns import Condition, Disposition
from wms_desk.domain.scan import ScanKind, ScanResult
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import guarded

FIND_KINDS = frozenset({ScanKind.ORDER, ScanKind.TRACKING, ScanKind.UNKNOWN})
_DONE = {
    Disposition.QUARANTINE: "quarantined",
    Disposition.SCRAP: "scrapped",
    Disposition.RETURN_TO_VENDOR: "set aside to return to the vendor",
}
START = "Scan the RMA slip, the return label or the order number on the parcel."


class ReturnsScreen(QWidget):
    """Needs from UiContext: services, tasks, feedback. Rules live in services/returns."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.rma: str | None = None
        self.pending_unit: int | None = None
        self.title = QLabel("No return open")
        self.title.setObjectName("ReturnsTitle")
        self.title.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.next_action = QLabel(START)
        self.next_action.setObjectName("ReturnsNext")
        self.next_action.setWordWrap(True)
        self.next_action.setStyleSheet("font-size: 18pt;")
        self.lines = QLabel("")
        self.lines.setObjectName("ReturnsLines")
        self.lines.setStyleSheet("font-size: 14pt;")
        self.lines.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.condition = QComboBox()
        self.condition.addItems([c.value for c in Condition])
        buttons = QHBoxLayout()
        self.disposition_buttons: dict[Disposition, QPushButton] = {}
        for disposition, label in (
            (Disposition.QUARANTINE, "Quarantine"),
            (Disposition.SCRAP, "Scrap"),
            (Disposition.RETURN_TO_VENDOR, "Return to vendor"),
        ):
            button = QPushButton(label)
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, d=disposition: self._dispose(d, None))
            self.disposition_buttons[disposition] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        # Typed from the unit's sticker before its scan: checked against what was packed.
        self.serial = QLineEdit()
        self.serial.setObjectName("ReturnsSerial")
        self.serial.setPlaceholderText("next item's serial, if any")
        row = QHBoxLayout()
        row.addWidget(QLabel("Condition:"))
        row.addWidget(self.condition)
        row.addWidget(QLabel("Serial:"))
        row.addWidget(self.serial, 1)
        row.addStretch(1)
        receive = QWidget()
        layout = QVBoxLayout(receive)
        layout.addWidget(self.title)
        layout.addWidget(self.next_action)
        layout.addWidget(self.lines, 1)
        layout.addLayout(row)
        layout.addLayout(buttons)
        # Receiving is the station's work; the list (filters, search, each RMA's detail) is
        # where a supervisor finds returns to resolve.
        from wms_desk.ui.screens.returns_list import ReturnsListPanel

        self.returns_list = ReturnsListPanel(ui)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("ReturnsTabs")
        self.tabs.addTab(receive, "Receive")
        self.tabs.addTab(self.returns_list, "All returns")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)

    # -- scans ---------------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        used = self._handle(scan)
        if used:  # scans are receiving's: a parcel scanned while the list is in front
            self.tabs.setCurrentIndex(0)
        return used

    def _handle(self, scan: ScanResult) -> bool:
        if scan.kind is ScanKind.PRODUCT and self.rma is not None:
            self._receive(scan)
            return True
        if scan.kind is ScanKind.BIN and self.pending_unit is not None:
            self._dispose(Disposition.RESTOCK, scan.data)
            return True
        if scan.kind in FIND_KINDS or scan.data.startswith("RMA:"):
            self._find(scan.data)
            return True
        return False

    def _find(self, code: str) -> None:
        from wms_desk.services.returns.receiving import find_rma_for_scan

        self._ui.tasks.run(
            find_rma_for_scan,
            self._ui.services,
            code,
            on_done=guarded(self, self._opened),
            on_error=guarded(self, self._failed),
        )

    def _opened(self, number: str) -> None:
        self.rma, self.pending_unit = number, None
        self._set_buttons(False)
        self._reload(f"Return {number} is open. Scan each item in the parcel.", success=True)

    def _receive(self, scan: ScanResult) -> None:
        from wms_desk.services.returns.receiving import receive_scan

        if self.pending_unit is not None:
            self._failed_text(
                "Decide where the last item goes first: scan its bin or press a button."
            )
            return
        self._ui.tasks.run(
            receive_scan,
            self._ui.services,
            self.rma,
            scan.data,
            scan.event_id,
            self.serial.text().strip() or None,
            on_done=guarded(self, self._received),
            on_error=guarded(self, self._failed),
        )

    def _received(self, received: Any) -> None:
        self.serial.clear()
        self.pending_unit = received.unit_ids[-1]
        self._set_buttons(True)
        self._reload(
            f"{received.sku} received ({received.received} of {received.expected}). Scan the bin "
            "to restock it, or choose quarantine, scrap or return to vendor.",
            success=True,
        )

    def _dispose(self, disposition: Disposition, bin_code: str | None) -> None:
        from wms_desk.services.returns.inspection import inspect_unit

        if self.pending_unit is None:
            return
        self._ui.tasks.run(
            inspect_unit,
            self._ui.services,
            self.pending_unit,
            Condition(self.condition.currentText()),
            disposition,
            bin_code,
            on_done=guarded(self, lambda _r: self._disposed(disposition, bin_code)),
            on_error=guarded(self, self._failed),
        )

    def _disposed(self, disposition: Disposition, bin_code: str | None) -> None:
        self.pending_unit = None
        self._set_buttons(False)
        where = f"restocked in {bin_code}" if bin_code else _DONE[disposition]
        self._reload(f"Item {where}. Scan the next item, or the next parcel.", success=True)

    # -- showing -------------------------------------------------------------------------------
    def _reload(self, message: str, success: bool = False) -> None:
        from wms_desk.services.returns.views import rma_detail

        self.next_action.setText(message)
        if success and self._ui.feedback is not None:
            self._ui.feedback.success(message)
        if self.rma is None:
            return
        self._ui.tasks.run(
            rma_detail,
            self._ui.services,
            self.rma,
            on_done=guarded(self, self._show),
            on_error=guarded(self, self._failed),
        )

    def _show(self, detail: Any) -> None:
        self.title.setText(
            f"Return {detail.number} · order {detail.order_number} · {detail.status}"
        )
        self.lines.setText(
            "\n".join(
                f"{ln.sku}  {ln.received}/{ln.qty}  {ln.reason.replace('_', ' ')}  {ln.name}"
                for ln in detail.lines
            )
        )

    def _set_buttons(self, enabled: bool) -> None:
        for button in self.disposition_buttons.values():
            button.setEnabled(enabled)

    def _failed(self, error: BaseException) -> None:
        self._failed_text(str(error))

    def _failed_text(self, text: str) -> None:
        self.next_action.setText(text)
        if self._ui.feedback is not None:
            self._ui.feedback.error(text)
