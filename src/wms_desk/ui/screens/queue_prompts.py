"""The questions the queue asks before an action: a reason, a priority, whom to assign, a rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from wms_desk.services.queue import FilterChoices


@dataclass(frozen=True)
class Assignment:
    station_id: int | None
    user_id: int | None


@dataclass(frozen=True)
class WaveRule:
    service: str
    max_orders: int
    single_item: bool


def _ask(dialog: QDialog, form: QFormLayout) -> bool:
    """Add OK/Cancel to the form and run the dialog; True if the supervisor said OK."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return dialog.exec() == QDialog.DialogCode.Accepted


class QueuePrompts:
    """Modal questions, kept in one object so tests can answer them without a dialog."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent

    def reason(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self._parent, title, label)
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self._parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def priority(self, current: int = 0) -> int | None:
        value, ok = QInputDialog.getInt(
            self._parent, "Set priority", "Priority (-9 last … 9 first):", current, -9, 9
        )
        return value if ok else None

    def assignment(self, choices: FilterChoices) -> Assignment | None:
        dialog = QDialog(self._parent)
        dialog.setWindowTitle("Assign orders")
        form = QFormLayout(dialog)
        station = QComboBox(dialog)
        station.addItem("Nobody", None)
        for sid, name in choices.stations:
            station.addItem(name, sid)
        packer = QComboBox(dialog)
        packer.addItem("Nobody", None)
        for uid, name in choices.users:
            packer.addItem(name, uid)
        form.addRow("Station:", station)
        form.addRow("Packer:", packer)
        if not _ask(dialog, form):
            return None
        return Assignment(station.currentData(), packer.currentData())

    def wave_rule(self, choices: FilterChoices) -> WaveRule | None:
        dialog = QDialog(self._parent)
        dialog.setWindowTitle("Create a wave by rule")
        form = QFormLayout(dialog)
        service = QComboBox(dialog)
        service.addItem("Any service", "")
        for name in choices.services:
            service.addItem(name, name)
        size = QSpinBox(dialog)
        size.setRange(1, 200)
        size.setValue(20)
        single = QCheckBox("Single-item orders only (one unit)", dialog)
        form.addRow("Service:", service)
        form.addRow("Up to (orders):", size)
        form.addRow(single)
        if not _ask(dialog, form):
            return None
        return WaveRule(service.currentData(), size.value(), single.isChecked())

    def export_path(self) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(
            self._parent, "Export orders", "orders.csv", "CSV files (*.csv)"
        )
        return Path(path) if path else None

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self._parent, title, text)

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)
