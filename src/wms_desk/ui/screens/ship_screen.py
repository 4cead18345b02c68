"""The Ship screen: rate shop and buy, today's labels by carrier and status, void, reprint,
close the manifest, and driver handover by scanning tracking numbers."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.scan import ScanKind, ScanResult
from wms_desk.services.changes import Topic
from wms_desk.services.documents import company_address
from wms_desk.services.shipping import labels, manifests, voids
from wms_desk.services.shipping.accounts import list_carriers
from wms_desk.services.shipping.manual import record_manual_labels_for
from wms_desk.services.shipping.rating import RateShop, rate_order
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.screens.alert_banner import AlertBanner
from wms_desk.ui.screens.ship_manual import ManualLabelDialog
from wms_desk.ui.screens.ship_models import BoardModel, RatesModel
from wms_desk.ui.widgets.named import named


def _today() -> date:
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


class ShipScreen(QWidget):
    """Needs from UiContext: services, tasks; feedback and changes when the station has them."""

    board_loaded = Signal(object)  # ShipBoard
    rates_loaded = Signal(object)  # RateShop
    handed_over = Signal(object)  # Handover
    manual_recorded = Signal(object)  # ShipResult of labels made elsewhere

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.setObjectName("ship_screen")
        self._shop: RateShop | None = None
        self.manual_dialog: ManualLabelDialog | None = None
        self.day = _today()

        self.title = named(QLabel("Ship"), "ScreenTitle")
        self.next_action = QLabel("Scan a tracking number to hand a package to the driver.")
        self.next_action.setObjectName("ship_next_action")
        font = self.next_action.font()
        font.setPointSize(max(font.pointSize(), 10) + 8)
        font.setBold(True)
        self.next_action.setFont(font)
        self.next_action.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("ship_summary")
        self.summary.setWordWrap(True)

        self.order = QLineEdit(self)
        self.order.setObjectName("ship_order")
        self.order.setPlaceholderText("Order number (or scan the slip)")
        self.rate_button = QPushButton("Rate", self)
        self.buy_button = QPushButton("Buy && print labels", self)
        self.buy_button.setEnabled(False)
        self.manual_button = QPushButton("Label made elsewhere…", self)
        self.manual_button.setObjectName("ship_manual")
        self.rates_model = RatesModel(self)
        self.rates = self._table(self.rates_model, "ship_rates")
        self.rates_note = QLabel(self)
        self.rates_note.setWordWrap(True)

        self.board_model = BoardModel(self)
        self.board = self._table(self.board_model, "ship_board")
        # Tracking numbers are long and must be read whole; the short columns take what they need.
        board_header = self.board.horizontalHeader()
        board_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        board_header.setStretchLastSection(True)
        self.void_button = QPushButton("Void label…", self)
        self.reprint_button = QPushButton("Reprint label", self)
        self.carrier = QComboBox(self)
        self.carrier.setObjectName("ship_carrier")
        # Filled after the first show (from a worker): sized to its names then, not cut short.
        self.carrier.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.manifest_button = QPushButton("Close manifest", self)

        rate_box = QGroupBox("Rate shop", self)
        rate_layout = QVBoxLayout(rate_box)
        row = QHBoxLayout()
        row.addWidget(self.order, 1)
        row.addWidget(self.rate_button)
        row.addWidget(self.buy_button)
        row.addWidget(self.manual_button)
        rate_layout.addLayout(row)
        rate_layout.addWidget(self.rates, 1)
        rate_layout.addWidget(self.rates_note)
        board_box = QGroupBox("Today's labels", self)
        board_layout = QVBoxLayout(board_box)
        board_layout.addWidget(self.board, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.void_button)
        actions.addWidget(self.reprint_button)
        actions.addStretch(1)
        actions.addWidget(QLabel("Carrier:"))
        actions.addWidget(self.carrier)
        actions.addWidget(self.manifest_button)
        board_layout.addLayout(actions)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.next_action)
        layout.addWidget(self.summary)
        # Supervisors see open tracking exceptions here, with Acknowledge.
        self.alerts = AlertBanner(ui, self)
        layout.addWidget(self.alerts)
        layout.addWidget(rate_box, 2)
        layout.addWidget(board_box, 3)

        self.order.returnPressed.connect(self._rate_clicked)
        self.rate_button.clicked.connect(self._rate_clicked)
        self.buy_button.clicked.connect(self._buy_clicked)
        self.manual_button.clicked.connect(self.open_manual_dialog)
        self.void_button.clicked.connect(self._void_clicked)
        self.reprint_button.clicked.connect(self._reprint_clicked)
        self.manifest_button.clicked.connect(self._manifest_clicked)
        self._refresher = RefreshOnChange(ui, self, (Topic.SHIPMENTS, Topic.ORDERS), self.refresh)
        self.refresh()
        self._load_carriers()

    def _table(self, model: RatesModel | BoardModel, name: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.verticalHeader().setVisible(False)
        return view

    # -- feedback ---------------------------------------------------------------------------------
    def _say(self, tone: Tone, text: str) -> None:
        if self._ui.feedback is not None:
            self._ui.feedback.show(tone, text)
        self.rates_note.setText(text)

    def _failed(self, error: BaseException) -> None:
        self._say(Tone.ERROR, str(error))

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._ui.tasks.run(
            manifests.ship_board, self._ui.services, self.day,
            on_done=self._show_board, on_error=self._failed,
        )  # fmt: skip

    def _load_carriers(self) -> None:
        self._ui.tasks.run(
            list_carriers, self._ui.services,
            # Labels made elsewhere have no manifest here: those accounts are not offered.
            on_done=lambda found: self._fill_carriers(
                [c.code for c in found if c.kind != "manual"]
            ),
            on_error=self._failed,
        )  # fmt: skip

    def _fill_carriers(self, codes: list[str]) -> None:
        self.carrier.clear()
        self.carrier.addItems(codes)

    def _show_board(self, board: manifests.ShipBoard) -> None:
        self.board_model.set_rows(board.rows)
        counts = Counter((r.carrier, r.status) for r in board.rows)
        per_carrier: dict[str, list[str]] = {}
        for (carrier, status), n in sorted(counts.items()):
            per_carrier.setdefault(carrier, []).append(f"{n} {status}")
        self.summary.setText(
            "   ".join(f"<b>{c}</b>: {', '.join(parts)}" for c, parts in per_carrier.items())
            or "No labels bought today yet."
        )
        self.next_action.setText(
            f"Scan a tracking number to hand a package to the driver: "
            f"{board.not_handed_over} not yet scanned."
        )
        self.board_loaded.emit(board)

    # -- rate and buy -----------------------------------------------------------------------------
    def _rate_clicked(self) -> None:
        ref = self.order.text().strip()
        if not ref:
            self._say(Tone.WARNING, "Type or scan an order number first.")
            return
        self.rate(ref)

    def rate(self, ref: str) -> None:
        self.order.setText(ref)
        self.buy_button.setEnabled(False)
        self._ui.tasks.run(
            rate_order, self._ui.services, ref, on_done=self._show_rates, on_error=self._failed
        )

    def _show_rates(self, shop: RateShop) -> None:
        self._shop = shop
        self.rates_model.set_rows(shop.options)
        chosen = shop.chosen
        self.buy_button.setEnabled(chosen is not None)
        text = (
            f"Order {shop.order_number}: {chosen.carrier} {chosen.service_name} "
            f"{chosen.price} {chosen.currency}, {chosen.reason}."
            if chosen
            else f"Order {shop.order_number} cannot be shipped as it is."
        )
        self.rates_note.setText(" ".join([text, *shop.notes]))
        self.rates_loaded.emit(shop)

    def _buy_clicked(self) -> None:
        if self._shop is None:
            return
        selected = self.rates.selectionModel().selectedRows()
        option = self._shop.options[selected[0].row()] if selected else self._shop.chosen
        service = f"{option.carrier}:{option.service}" if option else None
        self.buy_button.setEnabled(False)
        self._ui.tasks.run(
            labels.ship_order, self._ui.services, self._shop.order_id, service, None,
            company_address(self._ui.settings),
            on_done=lambda r: self._say(Tone.SUCCESS, r.message), on_error=self._buy_failed,
        )  # fmt: skip

    def _buy_failed(self, error: BaseException) -> None:
        # Nothing was half done (the order stays packed): buying again is the way forward.
        self.buy_button.setEnabled(self._shop is not None and self._shop.chosen is not None)
        self._failed(error)

    # -- labels made elsewhere -------------------------------------------------------------------
    def open_manual_dialog(self) -> ManualLabelDialog:
        """Open (or bring back) the dialog; tracking scans go into it while it is open."""
        if self.manual_dialog is None:
            dialog = ManualLabelDialog(self.order.text().strip(), self)
            dialog.submitted.connect(self._record_manual)
            dialog.finished.connect(self._manual_closed)
            self.manual_dialog = dialog
        self.manual_dialog.open()
        return self.manual_dialog

    def _manual_closed(self) -> None:
        if self.manual_dialog is not None:
            self.manual_dialog.deleteLater()
        self.manual_dialog = None

    def _record_manual(self, ref: str, carrier: str, numbers: list[str]) -> None:
        dialog = self.manual_dialog
        self._ui.tasks.run(
            record_manual_labels_for, self._ui.services, ref, carrier, numbers,
            on_done=self._manual_done,
            on_error=lambda e: dialog.show_error(str(e)) if dialog else self._failed(e),
        )  # fmt: skip

    def _manual_done(self, result: labels.ShipResult) -> None:
        if self.manual_dialog is not None:
            self.manual_dialog.accept()
        self._say(Tone.SUCCESS, result.message)
        self.manual_recorded.emit(result)

    # -- the day's labels -------------------------------------------------------------------------
    def _selected_tracking(self) -> str | None:
        selected = self.board.selectionModel().selectedRows()
        if not selected:
            self._say(Tone.WARNING, "Select a label in the list first.")
            return None
        return self.board_model.rows[selected[0].row()].tracking

    def _void_clicked(self) -> None:
        tracking = self._selected_tracking()
        if tracking is None:
            return
        reason, ok = QInputDialog.getText(self, "Void label", f"Why is {tracking} voided?")
        if ok:
            self.void(tracking, reason)

    def void(self, tracking: str, reason: str) -> None:
        self._ui.tasks.run(
            voids.void_label, self._ui.services, tracking, reason,
            on_done=lambda v: self._say(
                Tone.SUCCESS, f"Voided {', '.join(v.voided)}; order {v.order_number} is "
                f"{v.order_status} again."),
            on_error=self._failed,
        )  # fmt: skip

    def _reprint_clicked(self) -> None:
        tracking = self._selected_tracking()
        if tracking is not None:
            self._ui.tasks.run(
                voids.reprint_label, self._ui.services, tracking, "Ship screen reprint",
                on_done=lambda _job: self._say(Tone.SUCCESS, f"Reprinting {tracking}."),
                on_error=self._failed,
            )  # fmt: skip

    def _manifest_clicked(self) -> None:
        carrier = self.carrier.currentText()
        if not carrier:
            self._say(Tone.WARNING, "No carrier is set up yet: import a rate card first.")
            return
        self.close_manifest(carrier)

    def close_manifest(self, carrier: str) -> None:
        self._ui.tasks.run(
            manifests.close_manifest, self._ui.services, carrier, self.day,
            on_done=self._manifest_closed, on_error=self._failed,
        )  # fmt: skip

    def _manifest_closed(self, info: manifests.ManifestInfo) -> None:
        folder = Path(self._ui.settings.data_dir or ".") / "manifests"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{info.reference}.pdf").write_bytes(info.pdf)
            (folder / f"{info.reference}.csv").write_text(info.csv, encoding="utf-8")
            where = f" Saved in {folder}."
        except OSError as exc:
            where = f" It is stored in the database; saving to {folder} failed: {exc.strerror}."
        self._say(
            Tone.SUCCESS,
            f"Manifest {info.reference} closed: {info.package_count} packages, "
            f"{info.total_weight_g / 1000:.3f} kg.{where}"
            + "".join(f" {note}" for note in info.notes),
        )

    # -- scans ------------------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        dialog = self.manual_dialog
        if dialog is not None and dialog.isVisible():
            # The packer is scanning the labels made elsewhere: the dialog gets them.
            if scan.kind is ScanKind.ORDER and scan.order_ref:
                dialog.order.setText(scan.order_ref)
            else:
                dialog.add_tracking(scan.data)
            return True
        if scan.kind is ScanKind.ORDER and scan.order_ref:  # `ORD:<number>` or `ORDID:<id>`
            self.rate(scan.order_ref)
            return True
        if scan.kind in (ScanKind.TRACKING, ScanKind.UNKNOWN) and scan.ok:
            self._ui.tasks.run(
                manifests.hand_over, self._ui.services, scan.data,
                on_done=self._handed_over, on_error=self._failed,
            )  # fmt: skip
            return True
        return False

    def _handed_over(self, result: manifests.Handover) -> None:
        tone = Tone.WARNING if result.already else Tone.SUCCESS
        self._say(tone, f"{result.message} {result.not_handed_over} not yet scanned.")
        self.next_action.setText(
            f"Scan a tracking number to hand a package to the driver: "
            f"{result.not_handed_over} not yet scanned."
        )
        self.handed_over.emit(result)
