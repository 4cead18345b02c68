"""The service desk: find any order (typed or scanned), read its story, act before packing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.scan import ScanKind, ScanResult
from wms_desk.services.changes import Topic
from wms_desk.services.returns.service_desk import OrderHit, find_orders
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.models.queue_model import format_time, guarded, status_label
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.screens.desk_order_view import DeskOrderView
from wms_desk.ui.screens.ship_models import RowsModel
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.tables import rows_table

# Scans that name an order: its slip (ORD:/ORDID:), a package's tracking number, an RMA slip,
# or a bare number only the database can place.
SEARCH_KINDS = frozenset({ScanKind.ORDER, ScanKind.TRACKING, ScanKind.UNKNOWN})
PROMPT = "Type an order number, customer name, e-mail, phone or tracking number, or scan a slip."


class HitsModel(RowsModel[OrderHit]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            (
                ("Order", lambda h: h.number),
                ("Channel", lambda h: h.channel),
                ("Status", lambda h: status_label(h.status)),
                ("Customer", lambda h: h.customer),
                ("E-mail", lambda h: h.email),
                ("Phone", lambda h: h.phone),
                ("Ordered", lambda h: format_time(h.ordered_at)),
            ),
            parent,
        )


class ServiceDeskScreen(QWidget):
    """Needs from UiContext: services, tasks; feedback and changes when the station has them."""

    searched = Signal(object)  # list[OrderHit]

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._request = 0
        self.title = named(QLabel("Service desk"), "ScreenTitle")
        self.search = named(QLineEdit(), "DeskSearch")
        self.search.setPlaceholderText(PROMPT)
        self.search.setClearButtonEnabled(True)
        self.search_button = QPushButton("Search")
        self.status = named(QLabel(PROMPT), "DeskStatus")
        self.status.setWordWrap(True)
        self.hits_model = HitsModel(self)
        self.hits = rows_table(self.hits_model, "DeskHits", select_rows=True)
        self.order_view = DeskOrderView(ui, self)

        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.search_button)
        # Results above, the order below at full width: a look-up finds one to a few orders,
        # and the order's tables need the width (1366 px with the demo scan pad open).
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.hits)
        split.addWidget(self.order_view)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 4)
        split.setSizes([130, 520])
        split.setChildrenCollapsible(False)
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.search.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.hits.selectionModel().selectionChanged.connect(self._selected)
        self.order_view.acted.connect(lambda _text: self._refresh_hits())
        self._refresher = RefreshOnChange(
            ui, self, (Topic.ORDERS, Topic.RETURNS, Topic.PACKAGES), self.order_view.reload
        )

    # -- scans ------------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        """An order slip, tracking number or RMA slip scanned here fills the search box."""
        if scan.kind not in SEARCH_KINDS and not scan.data.startswith("RMA:"):
            return False
        self.search.setText(scan.data)
        self.run_search(scanned=True)
        return True

    # -- searching --------------------------------------------------------------------------
    def run_search(self, scanned: bool = False) -> None:
        text = self.search.text().strip()
        if not text:
            self._say(Tone.WARNING, PROMPT)
            return
        self._request += 1
        request = self._request
        self.status.setText(f"Searching for {text!r}…")
        self._ui.tasks.run(
            find_orders,
            self._ui.services,
            text,
            on_done=guarded(self, lambda hits: self._found(request, text, hits, scanned)),
            on_error=guarded(self, self._failed),
        )

    def _refresh_hits(self) -> None:
        """After an action the row's status may have changed (held): search again, same text."""
        if self.search.text().strip():
            self.run_search()

    def _found(self, request: int, text: str, hits: list[OrderHit], scanned: bool) -> None:
        if request != self._request:
            return  # a newer search is on its way
        chosen = self.order_view.order_id
        self.hits_model.set_rows(hits)
        self.searched.emit(hits)
        if not hits:
            self._say(
                Tone.WARNING if scanned else Tone.INFO,
                f"No order matches {text!r}. Check the spelling, or try the e-mail or phone.",
            )
            self.order_view.show_order(None)
            return
        self.status.setText(
            f"{len(hits)} order{'s' if len(hits) != 1 else ''} match {text!r}."
            + (" Choose one." if len(hits) > 1 else "")
        )
        ids = [hit.id for hit in hits]
        if chosen in ids:
            self.hits.selectRow(ids.index(chosen))
        elif len(hits) == 1:
            self.hits.selectRow(0)
            if scanned and self._ui.feedback is not None:
                self._ui.feedback.success(f"Order {hits[0].number} ({hits[0].customer}).")

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.hits.selectionModel().selectedRows()
        if rows:
            self.order_view.show_order(self.hits_model.rows[rows[0].row()].id)

    def _failed(self, error: BaseException) -> None:
        self._say(Tone.ERROR, str(error))

    def _say(self, tone: Tone, text: str) -> None:
        self.status.setText(text)
        if self._ui.feedback is not None:
            self._ui.feedback.show(tone, text)
