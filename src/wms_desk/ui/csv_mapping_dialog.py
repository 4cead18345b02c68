"""Map a CSV's columns to order fields once, with a preview of the first rows; save the profile."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.channels.generic_csv import FIELDS, REQUIRED, preview
from wms_desk.channels.records import SourceError
from wms_desk.services.import_setup import ProfileInfo, save_csv_profile
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.screen_fit import fit_to_screen

PREVIEW_ROWS = 10
Sample = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]  # the header and the first rows


def read_sample(path: Path, encoding: str | None) -> Sample:
    """Runs on a worker: a large export takes seconds to decode and split."""
    return preview(path.read_bytes(), path.name, encoding, rows=PREVIEW_ROWS)


def _guess(field: str, label: str, header: tuple[str, ...]) -> str:
    """A column whose name matches the field or its label, so common exports map themselves."""
    wanted = {field.replace("_", " "), label.split(" (")[0].lower(), field.removeprefix("ship_")}
    for column in header:
        if column.strip().lower().replace("_", " ") in wanted:
            return column
    return ""


class CsvMappingDialog(QDialog):
    """Emits `profile_saved(ProfileInfo)` once the profile is stored, and `sample_loaded(ok)`
    when a sample has been read (True) or could not be (False: the message says why)."""

    profile_saved = Signal(object)
    sample_loaded = Signal(bool)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setWindowTitle("CSV column mapping")
        self.header: tuple[str, ...] = ()
        self.combos: dict[str, QComboBox] = {}

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. marketplace-export")
        self.encoding = QLineEdit()
        self.encoding.setPlaceholderText("UTF-8 (leave empty) or latin-1, cp1252 …")
        self.date_format = QLineEdit()
        self.date_format.setPlaceholderText("ISO dates (leave empty) or e.g. %d.%m.%Y %H:%M")
        choose = QPushButton("Choose a sample file…")
        choose.clicked.connect(self._choose)
        self.file_label = QLabel("No sample file yet.")
        self.reading = QProgressBar()
        self.reading.setRange(0, 0)  # busy: how far a CSV parse has got is not known
        self.reading.setMaximumWidth(160)
        self.reading.hide()
        self._samples = 0  # the number of the latest sample asked for; older results are dropped

        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        fields = QWidget()
        self.form = QFormLayout(fields)
        for field, label in FIELDS.items():
            combo = QComboBox()
            combo.addItem("")
            self.combos[field] = combo
            self.form.addRow(label, combo)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(fields)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save profile")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)

        top = QFormLayout()
        top.addRow("Profile name", self.name)
        top.addRow("Encoding", self.encoding)
        top.addRow("Date format", self.date_format)
        picker = QHBoxLayout()
        picker.addWidget(choose)
        picker.addWidget(self.file_label, 1)
        picker.addWidget(self.reading)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        body = QHBoxLayout()
        body.addWidget(scroll, 1)
        body.addWidget(self.preview, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(picker)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(1000, 640))

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Sample CSV", "", "CSV (*.csv *.txt *.tsv)")
        if path:
            self.load_sample(Path(path))

    def load_sample(self, path: Path) -> None:
        """Read the header and first rows on a worker; the dialog stays usable meanwhile.

        Then the header's columns are offered in every field's list (`sample_loaded` says when).
        """
        self._samples += 1
        number = self._samples
        self.file_label.setText(path.name)
        self.reading.show()
        self._say(f"Reading {path.name}…")
        self.ui.tasks.run(
            read_sample, path, self.encoding.text() or None,
            on_done=lambda sample: self._sample_read(number, path, sample),
            on_error=lambda error: self._sample_failed(number, path, error),
        )  # fmt: skip

    def _sample_read(self, number: int, path: Path, sample: Sample) -> None:
        if number != self._samples:
            return  # another file was chosen meanwhile
        self.reading.hide()
        header, rows = sample
        self.header = header
        self.preview.setColumnCount(len(header))
        self.preview.setHorizontalHeaderLabels(list(header))
        self.preview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                # Shown as text only: a formula-like cell is never evaluated here.
                self.preview.setItem(r, c, QTableWidgetItem(value))
        for field, combo in self.combos.items():
            current = combo.currentText()
            combo.clear()
            combo.addItems(["", *header])
            guess = current if current in header else _guess(field, FIELDS[field], header)
            combo.setCurrentText(guess)
        self._say(f"{len(rows)} rows shown. Map at least the order id and the quantity.")
        self.sample_loaded.emit(True)

    def _sample_failed(self, number: int, path: Path, error: BaseException) -> None:
        if number != self._samples:
            return
        self.reading.hide()
        self.file_label.setText(f"{path.name} (not read)")
        if isinstance(error, (OSError, SourceError)):
            self._say(str(error), error=True)
        else:
            self._say(f"Could not read {path.name}: {error}", error=True)
        self.sample_loaded.emit(False)

    def set_profile(self, profile: ProfileInfo) -> None:
        """Edit a saved profile (load a sample first to see its columns)."""
        self.name.setText(profile.name)
        self.encoding.setText(str(profile.options.get("encoding", "")))
        self.date_format.setText(str(profile.options.get("date_format", "")))
        for field, column in profile.mapping.items():
            combo = self.combos.get(field)
            if combo is not None:
                if combo.findText(column) < 0:
                    combo.addItem(column)
                combo.setCurrentText(column)

    def mapping(self) -> dict[str, str]:
        return {
            field: combo.currentText()
            for field, combo in self.combos.items()
            if combo.currentText()
        }

    def save(self) -> None:
        mapping = self.mapping()
        missing = [FIELDS[f] for f in REQUIRED if f not in mapping]
        if not self.name.text().strip():
            self._say("Give the profile a name.", error=True)
            return
        if missing:
            self._say(f"Map a column to: {', '.join(missing)}.", error=True)
            return
        options = {
            key: widget.text().strip()
            for key, widget in (("encoding", self.encoding), ("date_format", self.date_format))
            if widget.text().strip()
        }
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            save_csv_profile, self.ui.services, self.name.text(), mapping, options,
            on_done=self._saved, on_error=self._failed,
        )  # fmt: skip

    def _saved(self, profile: ProfileInfo) -> None:
        self.save_button.setEnabled(True)
        self._say(f"Profile {profile.name!r} saved.")
        self.profile_saved.emit(profile)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._say(str(error), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")
