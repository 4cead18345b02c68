"""The service desk's order view: the order's story and what customer service can do to it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.order_detail import OrderDetail
from wms_desk.services.returns.service_desk import BEFORE_PACKING
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.models.queue_model import format_time, guarded, status_label
from wms_desk.ui.screens.desk_dialogs import AddressDialog, CreateRmaDialog, ReasonDialog
from wms_desk.ui.screens.desk_models import (
    lines_model,
    notes_model,
    packages_model,
    returns_model,
    timeline_model,
)
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.tables import rows_table


def _story(ctx: Any, order_id: int) -> tuple[OrderDetail, list[Any], list[Any]]:
    """Runs off the GUI thread: the order, its notes and its returns in one task."""
    from wms_desk.services.returns.service_desk import order_notes, order_story
    from wms_desk.services.returns.views import rmas_of_order

    return order_story(ctx, order_id), order_notes(ctx, order_id), rmas_of_order(ctx, order_id)


class DeskOrderView(QWidget):
    """`show_order(id)`; Add note, Change address, Hold, Create RMA; Open return."""

    loaded = Signal(object)  # OrderDetail
    acted = Signal(str)
    rma_opened = Signal(object)  # the RmaDetailDialog

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.detail: OrderDetail | None = None
        self._order_id: int | None = None
        self.title = named(QLabel("Search for an order, or scan its slip."), "DeskOrderTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.facts = named(QLabel(), "DeskOrderFacts")
        self.facts.setWordWrap(True)
        self.message = named(QLabel(), "DeskMessage")
        self.message.setWordWrap(True)
        self.message.hide()  # shown with the first answer: no empty gap above the tabs

        self.lines_model = lines_model(self)
        self.packages_model = packages_model(self)
        self.timeline_model = timeline_model(self)
        self.notes_model = notes_model(self)
        self.returns_model = returns_model(self)
        self.tabs = named(QTabWidget(), "DeskTabs")
        self.lines = rows_table(self.lines_model, "DeskLines")
        self.packages = rows_table(self.packages_model, "DeskPackages")
        contents = QWidget()
        contents_layout = QVBoxLayout(contents)
        contents_layout.setContentsMargins(0, 0, 0, 0)
        contents_layout.addWidget(self.lines, 3)
        contents_layout.addWidget(QLabel("Packages and what is in each:"))
        contents_layout.addWidget(self.packages, 2)
        self.timeline = rows_table(self.timeline_model, "DeskTimeline")
        self.notes = rows_table(self.notes_model, "DeskNotes")
        self.returns = rows_table(self.returns_model, "DeskReturns", select_rows=True)
        self.returns.doubleClicked.connect(self._return_double_clicked)
        self.tabs.addTab(contents, "Items and packages")
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.returns, "Returns")

        self.note_button = QPushButton("Note…")
        self.address_button = QPushButton("Address…")
        self.hold_button = QPushButton("Hold…")
        self.rma_button = QPushButton("Create RMA…")
        self.open_rma_button = QPushButton("Open return")
        self.resend_button = QPushButton("Resend e-mail")
        self.resend_button.clicked.connect(self.resend_email)
        # Short labels keep the row inside a 1366-pixel screen beside the navigation; the
        # tooltips say the rest.
        self.note_button.setToolTip("Add a note to the order (everyone sees it)")
        self.address_button.setToolTip("Change the ship-to address (only before packing starts)")
        self.resend_button.setToolTip("Queue the shipment e-mail to the customer again")
        self.note_button.clicked.connect(self.add_note)
        self.address_button.clicked.connect(self.change_address)
        self.hold_button.clicked.connect(self.hold)
        self.rma_button.clicked.connect(self.create_rma)
        self.open_rma_button.clicked.connect(lambda: self.open_rma())
        actions = QHBoxLayout()
        for button in (
            self.note_button,
            self.address_button,
            self.hold_button,
            self.rma_button,
            self.open_rma_button,
            self.resend_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self._enable()

    # -- loading ----------------------------------------------------------------------------
    @property
    def order_id(self) -> int | None:
        return self._order_id

    def show_order(self, order_id: int | None) -> None:
        if order_id != self._order_id:
            self.message.hide()  # what was done to the last order is not about this one
        self._order_id = order_id
        if order_id is None:
            self.detail = None
            self.title.setText("Search for an order, or scan its slip.")
            self.facts.clear()
            for model in (
                self.lines_model,
                self.packages_model,
                self.timeline_model,
                self.notes_model,
                self.returns_model,
            ):
                model.set_rows(())
            self._enable()
            return
        self._ui.tasks.run(
            _story,
            self._ui.services,
            order_id,
            on_done=guarded(self, self._fill),
            on_error=guarded(self, self._failed),
        )

    def reload(self) -> None:
        if self._order_id is not None:
            self.show_order(self._order_id)

    def _fill(self, loaded: tuple[OrderDetail, list[Any], list[Any]]) -> None:
        d, notes, returns = loaded
        if d.id != self._order_id:
            return
        self.detail = d
        self.title.setText(
            f"Order {html.escape(d.number)} · {html.escape(status_label(d.status))}"
            f" · {html.escape(d.channel)} #{html.escape(d.external_id)}"
        )
        facts = [
            f"Customer: {d.customer}",
            "Ship to: " + (", ".join(d.address) or "no address"),
        ]
        facts += [p for p in (d.email, d.phone) if p]
        if d.ordered_at:
            facts.append(f"Ordered {format_time(d.ordered_at)}")
        facts.append(f"Total {d.total.display()}")
        if d.hold_reason and d.status == OrderStatus.ON_HOLD:
            facts.append(f"On hold: {d.hold_reason}")
        self.facts.setText(" · ".join(html.escape(f) for f in facts))
        self.lines_model.set_rows(d.lines)
        self.packages_model.set_rows(d.packages)
        self.timeline_model.set_rows(d.timeline)
        self.notes_model.set_rows(notes)
        self.returns_model.set_rows(returns)
        self.tabs.setTabText(2, f"Notes ({len(notes)})")
        self.tabs.setTabText(3, f"Returns ({len(returns)})")
        self._enable()
        self.loaded.emit(d)

    def _enable(self) -> None:
        d, actor = self.detail, self._ui.actor
        before_packing = d is not None and OrderStatus(d.status) in BEFORE_PACKING
        why = (
            ""
            if before_packing or d is None
            else f"Order {d.number} is {status_label(d.status).lower()}: packing has started, so "
            "only the supervisor at the pack station can change it."
        )
        self.note_button.setEnabled(d is not None and actor.can(Permission.ADD_NOTES))
        amend = d is not None and actor.can(Permission.AMEND_ORDERS)
        # The buttons stay pressable after packing starts: the service refuses and says why.
        self.address_button.setEnabled(amend)
        self.address_button.setToolTip(why or "Only before packing starts")
        self.hold_button.setEnabled(amend and d is not None and d.status != OrderStatus.ON_HOLD)
        self.hold_button.setToolTip(why or "Only before packing starts")
        shipped = d is not None and any(line.shipped for line in d.lines)
        self.rma_button.setEnabled(shipped and actor.can(Permission.CREATE_RMAS))
        self.open_rma_button.setEnabled(d is not None and self.returns_model.rowCount() > 0)
        labelled = d is not None and any(s.status != "voided" for s in d.shipments)
        self.resend_button.setEnabled(labelled and actor.can(Permission.RESEND_EMAILS))

    # -- actions ----------------------------------------------------------------------------
    def add_note(self) -> QDialog | None:
        from wms_desk.services.returns.service_desk import add_note

        d = self.detail
        if d is None:
            return None
        dialog = ReasonDialog(
            f"Note on order {d.number}", f"What should everyone know about order {d.number}?", self
        )
        dialog.accepted.connect(
            lambda: self._run(add_note, f"Note added to order {d.number}.", d.id, dialog.reason())
        )
        dialog.open()
        return dialog

    def change_address(self) -> QDialog | None:
        from wms_desk.services.returns.service_desk import change_ship_to

        d = self.detail
        if d is None:
            return None
        dialog = AddressDialog(d.number, d.ship_to, self)
        dialog.accepted.connect(
            lambda: self._run(
                change_ship_to,
                f"Order {d.number} now ships to the new address.",
                d.id,
                dialog.ship_to(),
            )
        )
        dialog.open()
        return dialog

    def hold(self) -> QDialog | None:
        from wms_desk.services.returns.service_desk import hold_order

        d = self.detail
        if d is None:
            return None
        dialog = ReasonDialog(
            f"Hold order {d.number}",
            f"Why is order {d.number} held? The packer and the supervisor see this.",
            self,
        )
        dialog.accepted.connect(
            lambda: self._run(
                hold_order,
                f"Order {d.number} is on hold: {dialog.reason()}",
                d.id,
                dialog.reason(),
            )
        )
        dialog.open()
        return dialog

    def create_rma(self) -> QDialog | None:
        d = self.detail
        if d is None:
            return None
        dialog = CreateRmaDialog(d.number, d.lines, self)
        dialog.accepted.connect(lambda: self._create(d, dialog))
        dialog.open()
        return dialog

    def _create(self, d: OrderDetail, dialog: CreateRmaDialog) -> None:
        from wms_desk.services.documents import company_address
        from wms_desk.services.returns.documents import create_rma_with_label
        from wms_desk.services.returns.rma import ReturnLineRequest

        request = dialog.request()
        ship_from = company_address(self._ui.settings) if request.return_label else None
        self._ui.tasks.run(
            create_rma_with_label,
            self._ui.services,
            d.number,
            [ReturnLineRequest(*line) for line in request.lines],
            request.resolution,
            request.note,
            d.channel,
            ship_from,
            on_done=guarded(self, self._created),
            on_error=guarded(self, self._failed),
        )

    def _created(self, result: Any) -> None:
        text = result.message
        self._say(Tone.SUCCESS if result.complete else Tone.WARNING, text)
        self.acted.emit(text)
        self.reload()

    def open_rma(self, number: str | None = None) -> QDialog | None:
        from wms_desk.ui.screens.rma_detail import RmaDetailDialog

        if number is None:
            rows = self.returns.selectionModel().selectedRows()
            row = rows[0].row() if rows else 0
            if row >= self.returns_model.rowCount():
                return None
            number = self.returns_model.rows[row].number
        dialog = RmaDetailDialog(self._ui, number, self)
        dialog.view.acted.connect(lambda _text: self.reload())
        dialog.open()
        self.rma_opened.emit(dialog)
        return dialog

    def resend_email(self) -> None:
        """Queue the shipment e-mail again (the customer says it never came); audited."""
        from wms_desk.services.emails.triggers import resend_shipment_email

        d = self.detail
        if d is None:
            return
        self._ui.tasks.run(
            resend_shipment_email,
            self._ui.services,
            d.id,
            on_done=guarded(self, self._done),
            on_error=guarded(self, self._failed),
        )

    def _return_double_clicked(self, index: QModelIndex) -> None:
        self.open_rma(self.returns_model.rows[index.row()].number)

    def _run(self, fn: Any, says: str, *args: Any) -> None:
        self._ui.tasks.run(
            fn,
            self._ui.services,
            *args,
            on_done=guarded(self, lambda _result: self._done(says)),
            on_error=guarded(self, self._failed),
        )

    def _done(self, text: str) -> None:
        self._say(Tone.SUCCESS, text)
        self.acted.emit(text)
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self._say(Tone.ERROR, str(error))

    def _say(self, tone: Tone, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        colour = {Tone.ERROR: "#b3261e", Tone.SUCCESS: "#1b5e20"}.get(tone, "")
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        if self._ui.feedback is not None:
            self._ui.feedback.show(tone, text)
