"""Settings > Returns policy: the return window, a restocking fee per reason, and which reasons
refund the shipping. One policy for every station (domain/returns.ReturnPolicy)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.returns import Reason, ReturnPolicy
from wms_desk.services.returns.policy import get_return_policy, set_return_policy
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.named import named

REASON_LABELS = {
    Reason.DAMAGED: "Damaged",
    Reason.WRONG_ITEM: "Wrong item sent",
    Reason.NOT_AS_DESCRIBED: "Not as described",
    Reason.NO_LONGER_NEEDED: "No longer needed",
    Reason.ARRIVED_LATE: "Arrived late",
    Reason.OTHER: "Other",
}


class ReturnPolicyPanel(QWidget):
    saved = Signal(object)  # ReturnPolicy

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.window_days = named(QSpinBox(), "ReturnWindowDays")
        self.window_days.setRange(0, 3650)
        self.window_days.setSuffix(" days after shipping")
        self.window_days.setMaximumWidth(260)
        self.fees: dict[Reason, QDoubleSpinBox] = {}
        self.shipping: dict[Reason, QCheckBox] = {}
        grid = QGridLayout()
        grid.addWidget(named(QLabel("Reason"), "TableHead"), 0, 0)
        grid.addWidget(named(QLabel("Restocking fee"), "TableHead"), 0, 1)
        grid.addWidget(named(QLabel("Refund shipping"), "TableHead"), 0, 2)
        for row, reason in enumerate(Reason, start=1):
            fee = QDoubleSpinBox()
            fee.setRange(0, 100)
            fee.setDecimals(1)
            fee.setSuffix(" %")
            fee.setMaximumWidth(140)
            refund = QCheckBox("refund the shipping paid")
            self.fees[reason], self.shipping[reason] = fee, refund
            grid.addWidget(QLabel(REASON_LABELS[reason]), row, 0)
            grid.addWidget(fee, row, 1)
            grid.addWidget(refund, row, 2)
        grid.setColumnStretch(3, 1)
        reasons = QGroupBox("Per reason")
        reasons.setLayout(grid)
        form = QFormLayout()
        form.addRow("Returns accepted within", self.window_days)
        hint = QLabel(
            "The fee is a percentage of what the customer paid for the item (after its share of "
            "discounts); it is taken off the refund at resolution. The window counts from the day "
            "the order shipped; an RMA after it is refused with the dates.",
            wordWrap=True,
        )
        self.save_button = QPushButton("Save policy")
        self.save_button.clicked.connect(self.save)
        self.message = named(QLabel(wordWrap=True), "PolicyMessage")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(reasons)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)
        ui.tasks.run(
            get_return_policy, ui.services, on_done=self.show_policy, on_error=self._failed
        )

    def show_policy(self, policy: ReturnPolicy) -> None:
        self.window_days.setValue(policy.window_days)
        for reason in Reason:
            self.fees[reason].setValue(float(policy.fee_pct(reason)))
            self.shipping[reason].setChecked(reason in policy.refund_shipping_reasons)

    def policy(self) -> ReturnPolicy:
        fees = {
            reason: Decimal(str(round(box.value(), 1))).normalize()
            for reason, box in self.fees.items()
            if box.value()
        }
        return ReturnPolicy(
            window_days=self.window_days.value(),
            restocking_fee_pct=fees,
            refund_shipping_reasons=frozenset(
                r for r, box in self.shipping.items() if box.isChecked()
            ),
        )

    def save(self) -> None:
        policy = self.policy()
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            set_return_policy,
            self.ui.services,
            policy,
            on_done=lambda _none: self._saved(policy),
            on_error=self._failed,
        )

    def _saved(self, policy: ReturnPolicy) -> None:
        self.save_button.setEnabled(True)
        fees = ", ".join(
            f"{REASON_LABELS[r].lower()} {pct}%" for r, pct in policy.restocking_fee_pct.items()
        )
        self.message.setText(
            f"Saved the return policy: {policy.window_days} days; restocking fees: "
            f"{fees or 'none'}; shipping refunded for {len(policy.refund_shipping_reasons)} "
            "reason(s). Returns checked and refunds computed from now on use it."
        )
        self.saved.emit(policy)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(str(error))
