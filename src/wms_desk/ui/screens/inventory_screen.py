"""The Inventory screen: find a product by SKU, name or barcode; its bins; its ledger; adjust."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import ScanKind, ScanResult
from wms_desk.services import inventory
from wms_desk.services.allocation import StockAdjustment, adjust_stock
from wms_desk.services.changes import Topic
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.inventory_models import (
    BIN_FIELDS,
    LEDGER_FIELDS,
    PagedModel,
    bins_of,
    ledger_of,
    product_model,
    product_search,
)
from wms_desk.ui.models.queue_model import guarded
from wms_desk.ui.refresh import RefreshOnChange

SEARCH_DELAY_MS = 300


@dataclass(frozen=True)
class Adjustment:
    bin_code: str
    counted: int
    reason: str


class AdjustDialog(QDialog):
    """A supervisor's count of one bin: the new quantity and why."""

    def __init__(
        self, sku: str, bins: list[str], current: dict[str, int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Adjust stock of {sku}")
        form = QFormLayout(self)
        self.bin = QComboBox(self)
        self.bin.setEditable(True)
        self.bin.addItems(bins)
        self.counted = QSpinBox(self)
        self.counted.setRange(0, 1_000_000)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("e.g. cycle count, damaged, found")
        self._current = current
        self.bin.currentTextChanged.connect(self._bin_changed)
        self._bin_changed(self.bin.currentText())
        form.addRow("Bin:", self.bin)
        form.addRow("Counted quantity:", self.counted)
        form.addRow("Reason:", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _bin_changed(self, code: str) -> None:
        self.counted.setValue(self._current.get(code, 0))

    def adjustment(self) -> Adjustment:
        return Adjustment(self.bin.currentText().strip(), self.counted.value(), self.reason.text())


class InventoryScreen(QWidget):
    """Needs from UiContext: services (the signed-in user) and tasks."""

    adjusted = Signal(str)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.setObjectName("inventory_screen")
        self._product_id: int | None = None
        self._bin_codes: list[str] = []

        self.search = QLineEdit(self)
        self.search.setObjectName("inventory_search")
        self.search.setPlaceholderText("Find a product by SKU, name or barcode  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.products_model = product_model(ui, self)
        self.products = self._table(self.products_model, "inventory_products")
        self.bins_model = PagedModel(ui, BIN_FIELDS, None, 500, self)
        self.bins = self._table(self.bins_model, "inventory_bins")
        self.ledger_model = PagedModel(ui, LEDGER_FIELDS, None, 200, self)
        self.ledger = self._table(self.ledger_model, "inventory_ledger")
        self.title = QLabel("Select a product.", self)
        self.title.setObjectName("inventory_title")
        self.adjust_button = QPushButton("Adjust bin quantity…", self)
        self.adjust_button.setObjectName("inventory_adjust")
        self.adjust_button.setEnabled(False)
        self.status = QLabel(self)
        self.status.setObjectName("inventory_status")
        if not ui.services.actor.can(Permission.EDIT_STOCK):
            self.adjust_button.setToolTip("Only a supervisor can adjust stock.")

        self._size_columns()
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.adjust_button)
        right_layout.addLayout(head)
        bins_box = QGroupBox("Stock per bin", right)
        QVBoxLayout(bins_box).addWidget(self.bins)
        ledger_box = QGroupBox("Ledger (newest first)", right)
        QVBoxLayout(ledger_box).addWidget(self.ledger)
        right_layout.addWidget(bins_box, 1)
        right_layout.addWidget(ledger_box, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.products)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.products.selectionModel().currentRowChanged.connect(
            lambda *_a: self._product_changed()
        )
        self.products_model.modelReset.connect(self._product_changed)
        self.products_model.load_failed.connect(self.status.setText)
        self.adjust_button.clicked.connect(self.adjust)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        # Stock moved or the catalogue changed (here or at another station): re-read.
        self.refresher = RefreshOnChange(ui, self, {Topic.STOCK, Topic.CATALOGUE}, self.refresh)
        self._search_now()
        ui.tasks.run(
            inventory.bin_codes,
            ui.services,
            on_done=guarded(self, self._got_bins),
            on_error=lambda _e: None,
        )

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def handle_scan(self, scan: ScanResult) -> bool:
        """A product's barcode (or one the catalogue knows) finds that product."""
        if scan.kind is not ScanKind.PRODUCT:
            return False
        code = scan.data

        def found() -> None:
            self.products_model.loaded.disconnect(found)
            row = self.products_model.row(0) if self.products_model.rowCount() else None
            if row is None:
                self._say_error(f"No product has the barcode {code}. Is it in the catalogue?")
                return
            self.products.selectRow(0)
            if self._ui.feedback is not None:
                self._ui.feedback.success(f"{row.sku} {row.name}: found by the barcode {code}.")

        self.products_model.loaded.connect(found)
        self.search.blockSignals(True)
        self.search.setText(code)
        self.search.blockSignals(False)
        self._search_now()
        return True

    def _say_error(self, text: str) -> None:
        self.status.setText(text)
        if self._ui.feedback is not None:
            self._ui.feedback.error(text)

    def _table(self, model: PagedModel, name: str) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(False)
        return table

    def _size_columns(self) -> None:
        header = self.products.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in enumerate((100, 260, 170, 75, 75, 75)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((140, 70, 70, 40, 70, 120)):
            self.ledger.horizontalHeader().resizeSection(column, width)

    def _got_bins(self, codes: list[str]) -> None:
        self._bin_codes = codes

    def _search_now(self) -> None:
        self._timer.stop()
        self.products_model.set_fetch(product_search(self.search.text().strip()))

    @property
    def product_id(self) -> int | None:
        return self._product_id

    def _product_changed(self) -> None:
        index = self.products.currentIndex()
        row = self.products_model.row(index.row()) if index.isValid() else None
        self._product_id = row.id if row else None
        self.title.setText(f"<b>{row.sku}</b> · {row.name}" if row else "Select a product.")
        can_edit = self._ui.services.actor.can(Permission.EDIT_STOCK)
        self.adjust_button.setEnabled(row is not None and can_edit)
        self.bins_model.set_fetch(bins_of(row.id) if row else None)
        self.ledger_model.set_fetch(ledger_of(row.id) if row else None)

    def refresh(self) -> None:
        keep = self._product_id

        def reselect() -> None:
            self.products_model.loaded.disconnect(reselect)
            row = self.products_model.row_of(keep) if keep is not None else None
            if row is not None:
                self.products.selectRow(row)

        self.products_model.loaded.connect(reselect)
        self.products_model.reload()

    def ask_adjustment(self, sku: str) -> Adjustment | None:
        """The dialog; a test replaces this to answer without one."""
        current = {
            self.bins_model.row(r).bin: self.bins_model.row(r).on_hand
            for r in range(self.bins_model.rowCount())
        }
        bins = list(current) + [c for c in self._bin_codes if c not in current]
        dialog = AdjustDialog(sku, bins, current, self)
        return dialog.adjustment() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self, "Adjust stock", text)

    def adjust(self) -> None:
        index = self.products.currentIndex()
        row = self.products_model.row(index.row()) if index.isValid() else None
        if row is None:
            return
        answer = self.ask_adjustment(row.sku)
        if answer is None:
            return

        def done(result: StockAdjustment) -> None:
            counted = result.bin
            message = f"{counted.bin_code}: {counted.sku} now {counted.on_hand} on hand."
            if result.allocation.allocated:
                message += f" {result.allocation.allocated} waiting order(s) allocated."
            self.status.setText(message)
            self.adjusted.emit(message)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.status.setText(str(error))
            self.show_error(str(error))
            self.adjusted.emit(str(error))

        self._ui.tasks.run(
            # The count, and allocation of orders that waited for this stock, commit together.
            adjust_stock,
            self._ui.services,
            answer.bin_code,
            row.sku,
            answer.counted,
            answer.reason,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )
