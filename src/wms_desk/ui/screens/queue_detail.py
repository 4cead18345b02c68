"""The order detail panel beside the queue: header, address, lines with stock, audit timeline."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain import order_status
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import format_time, guarded, status_label

if TYPE_CHECKING:
    from wms_desk.services.context import ServiceContext
    from wms_desk.services.order_detail import OrderDetail

LINE_HEADERS = ("#", "SKU", "Item", "Qty", "Picked", "Packed", "Stock")
TIMELINE_HEADERS = ("When", "What", "Who", "Details")


def action_label(action: str) -> str:
    """'order.priority_set' reads as 'Priority set'."""
    return action.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _readonly_table(headers: tuple[str, ...], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(False)
    return table


def _load_detail(ctx: ServiceContext, order_id: int) -> OrderDetail:
    # On the worker: the detail's queries load with the first order shown, not with the queue.
    from wms_desk.services.order_detail import order_detail

    return order_detail(ctx, order_id)


class OrderDetailPanel(QWidget):
    """Shows one order; `show_order(id)` loads it in the background."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._order_id: int | None = None
        self._request = 0
        self.detail: OrderDetail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self.title = QLabel("Select an order to see its details.", self)
        self.title.setObjectName("detail_title")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.summary = QLabel(self)
        self.summary.setObjectName("detail_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        address_box = QGroupBox("Ship to", self)
        address_layout = QVBoxLayout(address_box)
        self.address = QLabel(address_box)
        self.address.setObjectName("detail_address")
        self.address.setWordWrap(True)
        address_layout.addWidget(self.address)
        layout.addWidget(address_box)
        lines_box = QGroupBox("Lines and stock", self)
        lines_layout = QVBoxLayout(lines_box)
        self.lines = _readonly_table(LINE_HEADERS, lines_box)
        self.lines.setObjectName("detail_lines")
        lines_layout.addWidget(self.lines)
        # Orders that wait for stock: who holds it (features.md: "X units ... picked in another
        # Pick List" confused users until a dialog listed the holders).
        self.holders_button = QPushButton("Who holds the stock?", lines_box)
        self.holders_button.setToolTip("Which orders hold the stock this order waits for")
        self.holders_button.clicked.connect(self.show_stock_holders)
        self.holders_button.hide()
        lines_layout.addWidget(self.holders_button)
        layout.addWidget(lines_box, 2)
        timeline_box = QGroupBox("History", self)
        timeline_layout = QVBoxLayout(timeline_box)
        self.timeline = _readonly_table(TIMELINE_HEADERS, timeline_box)
        self.timeline.setObjectName("detail_timeline")
        timeline_layout.addWidget(self.timeline)
        layout.addWidget(timeline_box, 2)

    @property
    def order_id(self) -> int | None:
        return self._order_id

    def show_order(self, order_id: int | None) -> None:
        self._order_id = order_id
        self._request += 1
        request = self._request
        if order_id is None:
            self._clear("Select an order to see its details.")
            return

        def done(detail: OrderDetail) -> None:
            if request == self._request:
                self._fill(detail)

        def failed(error: BaseException) -> None:
            if request == self._request:
                self._clear(str(error))

        self._ui.tasks.run(
            _load_detail,
            self._ui.services,
            order_id,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    def reload(self) -> None:
        if self._order_id is not None:
            self.show_order(self._order_id)

    def show_stock_holders(self) -> QDialog | None:
        if self._order_id is None:
            return None
        from wms_desk.ui.stock_holders_dialog import StockHoldersDialog

        dialog = StockHoldersDialog(self._ui, self._order_id, self)
        dialog.open()
        return dialog

    def _clear(self, message: str) -> None:
        self.detail = None
        self.holders_button.hide()
        self.title.setText(message)
        self.summary.clear()
        self.address.clear()
        self.lines.setRowCount(0)
        self.timeline.setRowCount(0)

    def _fill(self, d: OrderDetail) -> None:
        self.detail = d
        self.holders_button.setVisible(d.status in order_status.MAY_WAIT_FOR_STOCK)
        self.title.setText(
            f"<b>{html.escape(d.number)}</b> · {html.escape(status_label(d.status))}"
            f" · {html.escape(d.channel)} #{html.escape(d.external_id)}"
        )
        facts = [
            f"Customer: {d.customer}",
            f"Ship by: {format_time(d.ship_by) or '—'}",
            f"Service: {d.service or '—'}",
            f"Priority: {d.priority:+d}" if d.priority else "Priority: normal",
            f"Total: {d.total.display()}",
            f"Goods weight: {d.goods_weight.display()}",
        ]
        if d.station or d.packer:
            facts.append(f"Assigned: {' / '.join(p for p in (d.station, d.packer) if p)}")
        if d.batch:
            facts.append(f"Wave: {d.batch} (tote {d.tote})")
        if d.tags:
            facts.append("Tags: " + ", ".join(d.tags))
        if d.hold_reason:
            facts.append(f"On hold: {d.hold_reason}")
        if d.attention:
            facts.append(f"⚠ {d.attention}")
        if d.gift_message:
            facts.append(f"Gift message: {d.gift_message}")
        if d.notes:
            facts.append(f"Notes: {d.notes}")
        self.summary.setText(" · ".join(html.escape(f) for f in facts))
        contact = [p for p in (d.email, d.phone) if p]
        self.address.setText("\n".join((*d.address, *contact)) or "No shipping address.")
        self.lines.setRowCount(len(d.lines))
        for r, line in enumerate(d.lines):
            cells = (
                str(line.line_no),
                line.sku,
                line.name,
                str(line.qty),
                str(line.picked),
                str(line.packed),
                line.stock_state,
            )
            for c, text in enumerate(cells):
                self.lines.setItem(r, c, QTableWidgetItem(text))
        self.timeline.setRowCount(len(d.timeline))
        for r, event in enumerate(d.timeline):
            who = event.user + (f" @ {event.station}" if event.station else "")
            entry = (format_time(event.at), action_label(event.action), who, event.summary)
            for c, text in enumerate(entry):
                self.timeline.setItem(r, c, QTableWidgetItem(text))
        self.timeline.scrollToBottom()
