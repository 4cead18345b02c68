"""One RMA: lines expected and received, each unit's condition and disposition, the refund,
the replacement order and the timeline; print or reprint its slip, buy a return label, resolve."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import ACTIONS, Permission, who_may
from wms_desk.services.returns.views import RefundView, RmaDetail, rma_detail
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.models.queue_model import format_time, guarded
from wms_desk.ui.screens.desk_dialogs import ReasonDialog, ResolveDialog
from wms_desk.ui.screens.queue_detail import action_label
from wms_desk.ui.screens.ship_models import RowsModel
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.tables import rows_table

SLIP_ACTIONS = ("rma.slip_printed", "rma.slip_reprinted")
LABEL_STATUSES = ("open", "receiving")


def words(value: str) -> str:
    return value.replace("_", " ")


def refund_text(refund: RefundView | None, replacement: str) -> str:
    """The refund as the customer's money adds up, or the replacement order."""
    if replacement:
        return f"Exchanged: replacement order {replacement}."
    if refund is None:
        return "Not resolved yet: no refund recorded."
    parts = [f"goods {refund.goods}"]
    if refund.discount:
        parts.append(f"− discount {refund.discount}")
    if refund.tax:
        parts.append(f"+ tax {refund.tax}")
    if refund.restocking_fee:
        parts.append(f"− restocking fee {refund.restocking_fee}")
    if refund.shipping:
        parts.append(f"+ shipping {refund.shipping}")
    how = words(refund.method) + (f", ref {refund.reference}" if refund.reference else "")
    return (
        f"Refund {refund.total} {refund.currency} = {' '.join(parts)} ({how}, "
        f"{format_time(refund.at)})."
    )


def _event_summary(detail: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, "", [], {}))


class RmaDetailView(QWidget):
    """`show_rma(number)` loads it off the GUI thread; actions answer in `message`."""

    loaded = Signal(object)  # RmaDetail
    acted = Signal(str)  # what an action did, in words

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.detail: RmaDetail | None = None
        self._number: str | None = None
        self.title = named(QLabel("Choose a return to see it."), "RmaTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.facts = named(QLabel(), "RmaFacts")
        self.facts.setWordWrap(True)
        self.refund = named(QLabel(), "RmaRefund")
        self.refund.setWordWrap(True)
        self.message = named(QLabel(), "RmaMessage")
        self.message.setWordWrap(True)
        self.lines_model: RowsModel[Any] = RowsModel(
            (
                ("SKU", lambda ln: ln.sku),
                ("Item", lambda ln: ln.name),
                ("Expected", lambda ln: str(ln.qty)),
                ("Received", lambda ln: str(ln.received)),
                (
                    "Reason",
                    lambda ln: words(ln.reason) + (f": {ln.reason_note}" if ln.reason_note else ""),
                ),
                ("Unit price", lambda ln: str(ln.unit_price)),
            ),
            self,
        )
        self.units_model: RowsModel[Any] = RowsModel(
            (
                ("SKU", lambda u: u.sku),
                ("Serial", lambda u: u.serial or "—"),
                ("Condition", lambda u: words(u.condition) or "not inspected"),
                ("Disposition", lambda u: words(u.disposition) or "to decide"),
                ("Bin", lambda u: u.bin),
                ("Received", lambda u: format_time(u.received_at)),
                ("Note", lambda u: u.note),
            ),
            self,
        )
        self.timeline_model: RowsModel[Any] = RowsModel(
            (
                ("When", lambda e: format_time(e.at)),
                ("What", lambda e: action_label(e.action)),
                ("Who", lambda e: e.user),
                ("Details", lambda e: _event_summary(e.detail)),
            ),
            self,
        )
        tabs = named(QTabWidget(), "RmaTabs")
        tabs.addTab(rows_table(self.lines_model, "RmaLines"), "Lines")
        tabs.addTab(rows_table(self.units_model, "RmaUnits"), "Units received")
        tabs.addTab(rows_table(self.timeline_model, "RmaTimeline"), "Timeline")
        self.tabs = tabs

        self.print_button = QPushButton("Print RMA slip")
        self.label_button = QPushButton("Buy return label")
        self.resolve_button = QPushButton("Resolve…")
        for button in (self.print_button, self.label_button, self.resolve_button):
            button.setEnabled(False)
        self.print_button.clicked.connect(self.print_slip)
        self.label_button.clicked.connect(self.buy_label)
        self.resolve_button.clicked.connect(self.resolve)
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        actions.addWidget(self.label_button)
        actions.addWidget(self.resolve_button)
        actions.addStretch(1)

        money = QGroupBox("Refund or exchange")
        QVBoxLayout(money).addWidget(self.refund)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(money)
        layout.addWidget(tabs, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- loading ----------------------------------------------------------------------------
    def show_rma(self, number: str | None) -> None:
        self._number = number
        if number is None:
            self.detail = None
            self.title.setText("Choose a return to see it.")
            for model in (self.lines_model, self.units_model, self.timeline_model):
                model.set_rows(())
            self._enable()
            return
        self._ui.tasks.run(
            rma_detail,
            self._ui.services,
            number,
            on_done=guarded(self, self._fill),
            on_error=guarded(self, self._failed),
        )

    def reload(self) -> None:
        if self._number is not None:
            self.show_rma(self._number)

    def _fill(self, detail: RmaDetail) -> None:
        if detail.number != self._number:
            return  # another return was chosen meanwhile
        self.detail = detail
        self.title.setText(
            f"Return {html.escape(detail.number)} · order {html.escape(detail.order_number)}"
            f" · {words(detail.status)}"
        )
        expected = sum(ln.qty for ln in detail.lines)
        received = sum(ln.received for ln in detail.lines)
        facts = [
            f"Resolution: {detail.resolution}",
            f"Received {received} of {expected}",
            f"Created {format_time(detail.created_at)}",
            f"Return label: {detail.return_tracking}"
            if detail.return_tracking
            else "No return label",
        ]
        if detail.unexpected:
            facts.append("Arrived without an RMA (unexpected)")
        self.facts.setText(" · ".join(facts))
        self.refund.setText(refund_text(detail.refund, detail.replacement_order))
        self.lines_model.set_rows(detail.lines)
        self.units_model.set_rows(detail.units)
        self.timeline_model.set_rows(detail.timeline)
        self._enable()
        self.loaded.emit(detail)

    def _enable(self) -> None:
        d = self.detail
        actor = self._ui.actor
        printed = d is not None and any(e.action in SLIP_ACTIONS for e in d.timeline)
        self.print_button.setText("Reprint RMA slip…" if printed else "Print RMA slip")
        self.print_button.setEnabled(d is not None and actor.can(Permission.LOOK_UP_ORDERS))
        self.label_button.setEnabled(
            d is not None
            and actor.can(Permission.CREATE_RMAS)
            and d.status in LABEL_STATUSES
            and not d.return_tracking
        )
        may_resolve = actor.can(Permission.RESOLVE_RETURNS)
        self.resolve_button.setEnabled(d is not None and may_resolve and d.status == "received")
        self.resolve_button.setToolTip(
            "Refund, credit or exchange once every unit is in and inspected"
            if may_resolve
            else f"A {who_may(Permission.RESOLVE_RETURNS).value} may "
            f"{ACTIONS[Permission.RESOLVE_RETURNS]}."
        )

    # -- actions ----------------------------------------------------------------------------
    def print_slip(self) -> QDialog | None:
        from wms_desk.services.returns.documents import print_rma_slip

        d = self.detail
        if d is None:
            return None
        company = self._ui.settings.company_name
        if self.print_button.text().startswith("Reprint"):
            dialog = ReasonDialog(
                f"Reprint RMA slip {d.number}",
                f"The slip of return {d.number} was printed before. Why print it again?",
                self,
            )

            def reprint() -> None:
                self._run(print_rma_slip, d.number, company, dialog.reason())

            dialog.accepted.connect(reprint)
            dialog.open()
            return dialog
        self._run(print_rma_slip, d.number, company)
        return None

    def buy_label(self) -> None:
        from wms_desk.services.documents import company_address
        from wms_desk.services.returns.documents import buy_return_label

        if self.detail is not None:
            self._say(Tone.INFO, f"Buying a return label for {self.detail.number}…")
            self._run(buy_return_label, self.detail.number, company_address(self._ui.settings))

    def resolve(self) -> QDialog | None:
        from wms_desk.services.returns.resolution import resolve_rma

        d = self.detail
        if d is None:
            return None
        dialog = ResolveDialog(d.number, d.order_number, d.resolution, self)

        def accepted() -> None:
            method, reference = dialog.choice()
            self._run(resolve_rma, d.number, method, reference)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def _run(self, fn: Any, *args: Any) -> None:
        self._ui.tasks.run(
            fn,
            self._ui.services,
            *args,
            on_done=guarded(self, self._done),
            on_error=guarded(self, self._failed),
        )

    def _done(self, result: Any) -> None:
        text = str(result.message)
        self._say(Tone.SUCCESS, text)
        self.acted.emit(text)
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self._say(Tone.ERROR, str(error))

    def _say(self, tone: Tone, text: str) -> None:
        self.message.setText(text)
        colour = {Tone.ERROR: "#b3261e", Tone.SUCCESS: "#1b5e20"}.get(tone, "")
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
        if self._ui.feedback is not None:
            self._ui.feedback.show(tone, text)


class RmaDetailDialog(QDialog):
    """The RMA detail on its own, opened from the service desk's order view."""

    def __init__(self, ui: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Return {number}")
        self.view = RmaDetailView(ui, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1000, 620)
        self.view.show_rma(number)
