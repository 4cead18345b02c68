"""Import a file: choose it and its format or channel, check it (dry run), import with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.channels.formats import FORMATS
from wms_desk.services.catalog_import import import_products, import_stock
from wms_desk.services.import_setup import list_channels, list_csv_profiles
from wms_desk.services.imports import ImportResult, import_file
from wms_desk.ui.context import UiContext
from wms_desk.ui.csv_mapping_dialog import CsvMappingDialog
from wms_desk.ui.widgets.screen_fit import fit_to_screen

KINDS = {"orders": "Orders", "products": "Products", "stock": "Stock count (bin, sku, qty)"}


class _ProgressRelay(QObject):
    """The import calls back on a worker thread; the signal lands on the GUI thread."""

    advanced = Signal(int, int)

    def __call__(self, done: int, total: int) -> None:
        self.advanced.emit(done, total)


def summary_text(result: ImportResult) -> str:
    verb = "Would import" if result.dry_run else "Imported"
    return (
        f"{verb}: {result.created} new, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.cancelled} cancelled, {result.rejected} rejected."
    )


class ImportDialog(QDialog):
    """Emits `import_finished(ImportResult)` after a real (not dry-run) import."""

    import_finished = Signal(object)
    checked = Signal(object)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setWindowTitle("Import")
        self.path = QLineEdit()
        self.path.setPlaceholderText("File to import")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.kind = QComboBox()
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.format = QComboBox()
        self.format.addItem("Detect from the file", None)
        for name, fmt in FORMATS.items():
            self.format.addItem(fmt.label, name)
        self.channel = QComboBox()
        self.channel.setEditable(True)
        self.channel.setPlaceholderText("the format's default channel")
        self.profile = QComboBox()
        self.profile.addItem("", None)
        new_profile = QPushButton("New profile…")
        new_profile.clicked.connect(self.open_mapping)
        self.strict = QCheckBox("Reject the whole file if any order is bad")

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.summary = QLabel("Choose a file, then check it before importing.")
        self.summary.setWordWrap(True)
        self.errors = QTableWidget(0, 2)
        self.errors.setHorizontalHeaderLabels(["Where", "Problem"])
        self.errors.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.errors.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.check_button = QPushButton("Check (dry run)")
        self.check_button.clicked.connect(lambda: self.start(dry_run=True))
        self.import_button = QPushButton("Import")
        self.import_button.clicked.connect(lambda: self.start(dry_run=False))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)

        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile, 1)
        profile_row.addWidget(new_profile)
        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("What", self.kind)
        form.addRow("Format", self.format)
        form.addRow("Channel", self.channel)
        form.addRow("CSV profile", profile_row)
        form.addRow("", self.strict)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addLayout(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        fit_to_screen(self, QSize(760, 560))
        self.reload_choices()

    # --- choices ---------------------------------------------------------------------------

    def reload_choices(self) -> None:
        self.ui.tasks.run(list_channels, self.ui.services, on_done=self._fill_channels)
        self.ui.tasks.run(list_csv_profiles, self.ui.services, on_done=self._fill_profiles)

    def _fill_channels(self, channels: list[Any]) -> None:
        typed = self.channel.currentText()
        self.channel.clear()
        self.channel.addItems([c.name for c in channels])
        self.channel.setCurrentText(typed)

    def _fill_profiles(self, profiles: list[Any]) -> None:
        chosen = self.profile.currentData()
        self.profile.clear()
        self.profile.addItem("", None)
        for profile in profiles:
            self.profile.addItem(profile.name, profile.name)
        index = self.profile.findData(chosen)
        self.profile.setCurrentIndex(max(index, 0))

    def _kind_changed(self) -> None:
        orders = self.kind.currentData() == "orders"
        for widget in (self.format, self.channel, self.profile):
            widget.setEnabled(orders)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "File to import", "", "Orders, products, stock (*.json *.csv *.tsv *.txt)"
        )
        if path:
            self.path.setText(path)

    def open_mapping(self) -> CsvMappingDialog:
        dialog = CsvMappingDialog(self.ui, self)
        if self.path.text():
            dialog.load_sample(Path(self.path.text()))
        dialog.profile_saved.connect(self._profile_saved)
        dialog.open()
        return dialog

    def _profile_saved(self, profile: Any) -> None:
        self.profile.addItem(profile.name, profile.name)
        self.profile.setCurrentIndex(self.profile.count() - 1)
        self.format.setCurrentIndex(self.format.findData("csv"))

    # --- running ---------------------------------------------------------------------------

    def start(self, dry_run: bool) -> None:
        path = self.path.text().strip()
        if not path:
            self._show_message("Choose a file first.", error=True)
            return
        relay = _ProgressRelay(self)
        relay.advanced.connect(self._advanced)
        kind = self.kind.currentData()
        common: dict[str, Any] = {"dry_run": dry_run, "strict": self.strict.isChecked(),
                                  "progress": relay}  # fmt: skip
        if kind == "orders":
            fn: Any = import_file
            common |= {
                "format": self.format.currentData(),
                "channel": self.channel.currentText().strip() or None,
                "profile": self.profile.currentData(),
            }
        else:
            fn = import_products if kind == "products" else import_stock
        self._busy(True)
        self.progress.setRange(0, 0)  # busy until the first chunk reports
        self._show_message("Checking…" if dry_run else "Importing…")
        self.ui.tasks.run(
            fn, self.ui.services, Path(path), **common,
            on_done=self._finished, on_error=self._failed,
        )  # fmt: skip

    def _advanced(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, result: ImportResult) -> None:
        self._busy(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.progress.setValue(self.progress.maximum())
        self._show_message(summary_text(result), error=bool(result.rejected))
        self.errors.setRowCount(len(result.errors))
        for row, issue in enumerate(result.errors):
            self.errors.setItem(row, 0, QTableWidgetItem(issue.ref))
            self.errors.setItem(row, 1, QTableWidgetItem(issue.message))
        if result.dry_run:
            self.checked.emit(result)
        else:
            self.reload_choices()
            self.import_finished.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._show_message(str(error), error=True)

    def _busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #b00020;" if error else "")
