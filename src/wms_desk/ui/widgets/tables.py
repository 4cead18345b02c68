"""Read-only table views over frozen rows, as the detail screens use them."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from wms_desk.ui.widgets.named import named


def rows_table(model: QAbstractItemModel, name: str, select_rows: bool = False) -> QTableView:
    """A table that shows `model`; rows selectable only where choosing one does something."""
    view = named(QTableView(), name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.SingleSelection
        if select_rows
        else QAbstractItemView.SelectionMode.NoSelection
    )
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setWordWrap(False)
    return view
