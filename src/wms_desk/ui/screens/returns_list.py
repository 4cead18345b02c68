"""The returns list: every RMA by filter (open, waiting, inspected, resolved) and search, with
the chosen one's detail beside it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.changes import Topic
from wms_desk.services.returns.views import RmaFilter, RmaSummary, list_rmas
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import format_time, guarded
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.screens.rma_detail import RmaDetailView, words
from wms_desk.ui.screens.ship_models import RowsModel
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.tables import rows_table

SEARCH_DELAY_MS = 300  # typing pauses this long before the list is asked again


class RmaListModel(RowsModel[RmaSummary]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            (
                ("Return", lambda r: r.number),
                ("Order", lambda r: r.order_number),
                ("Customer", lambda r: r.customer),
                ("Status", lambda r: words(r.status)),
                ("Received", lambda r: f"{r.received} of {r.units}"),
                ("Inspected", lambda r: f"{r.inspected} of {r.received}"),
                ("Resolution", lambda r: r.resolution),
                ("Created", lambda r: format_time(r.created_at)),
            ),
            parent,
        )


class ReturnsListPanel(QWidget):
    """Needs from UiContext: services, tasks; changes to stay current."""

    listed = Signal(object)  # list[RmaSummary]

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._request = 0
        self.filter = named(QComboBox(), "ReturnsFilter")
        for which in RmaFilter:
            self.filter.addItem(which.label, which)
        self.filter.setCurrentIndex(self.filter.findData(RmaFilter.OPEN))
        self.search = named(QLineEdit(), "ReturnsSearch")
        self.search.setPlaceholderText("RMA, order number, customer or return tracking number")
        self.search.setClearButtonEnabled(True)
        self.count = named(QLabel(), "ReturnsCount")
        self.model = RmaListModel(self)
        self.table = rows_table(self.model, "ReturnsList", select_rows=True)
        self.detail = RmaDetailView(ui, self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setChildrenCollapsible(False)
        split.setSizes([520, 620])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._typing.start())
        self.search.returnPressed.connect(self.refresh)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail.acted.connect(lambda _text: self.refresh())
        self._refresher = RefreshOnChange(ui, self, (Topic.RETURNS,), self.refresh)
        self._refresher.stale = True  # loaded when first shown

    def refresh(self) -> None:
        self._typing.stop()
        self._request += 1
        request = self._request
        which = RmaFilter(self.filter.currentData())
        self._ui.tasks.run(
            list_rmas,
            self._ui.services,
            None,
            500,
            which,
            self.search.text(),
            on_done=guarded(self, lambda rows: self._listed(request, rows)),
            on_error=guarded(self, lambda error: self.count.setText(str(error))),
        )

    def _listed(self, request: int, rows: list[RmaSummary]) -> None:
        if request != self._request:
            return
        shown = self.detail.detail.number if self.detail.detail else None
        self.model.set_rows(rows)
        self.count.setText(f"{len(rows)} return{'s' if len(rows) != 1 else ''}")
        numbers = [r.number for r in rows]
        if shown in numbers:
            self.table.selectRow(numbers.index(shown))
        self.listed.emit(rows)

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            number = self.model.rows[rows[0].row()].number
            if self.detail.detail is None or self.detail.detail.number != number:
                self.detail.show_rma(number)
