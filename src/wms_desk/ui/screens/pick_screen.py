"""The Pick screen: single-order and batch picking; it always says what to scan next."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.codes import StationCommand, order_id_of
from wms_desk.domain.errors import DomainError
from wms_desk.domain.picking import PickStage, PickTask
from wms_desk.domain.scan import ScanKind, ScanResult, new_event_id
from wms_desk.domain.station_rules import PickPolicy
from wms_desk.services import picking
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.picking import PickSession, PickVerdict
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.widgets.named import named

IDLE_ACTION = "Scan an order or batch barcode to start picking"
COLUMNS = ("Bin", "SKU", "Name", "To pick", "Picked", "Into")
AnyIndex = QModelIndex | QPersistentModelIndex
_CURRENT = QBrush(QColor("#fff4d6"))  # the task to pick now


class PickTasksModel(QAbstractTableModel):
    """The open tasks in walking order; the first one is what to pick now."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: tuple[PickTask, ...] = ()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.tasks)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.tasks):
            return None
        task = self.tasks[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                task.bin_code,
                task.sku,
                task.name,
                str(task.remaining),
                str(task.line_picked),
                task.tote_label,
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and index.row() == 0:
            return _CURRENT
        return None

    def show(self, tasks: tuple[PickTask, ...]) -> None:
        self.beginResetModel()
        self.tasks = tasks
        self.endResetModel()


class PickScreen(QWidget):
    session_shown = Signal(object)  # PickSession | None
    scan_answered = Signal(object)  # PickVerdict, or the text of a refusal

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.session: PickSession | None = None
        self.policy = PickPolicy()
        self._jobs: deque[tuple[Callable[..., Any], tuple[Any, ...], Callable[[Any], None]]] = (
            deque()
        )
        self._busy = False
        self._build()
        if ui.changes is not None:
            ui.changes.changed.connect(self._on_changes)
        self._show(None)
        self.call(picking.pick_policy, self._got_policy, ui.services)
        self.call(picking.current_pick_session, self._resumed, ui.services)

    def _build(self) -> None:
        big = QFont()
        big.setPointSize(24)
        big.setBold(True)
        self.title = named(QLabel("Nothing to pick"), "PickTitle")
        title_font = QFont()
        title_font.setPointSize(16)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.next_action = named(QLabel(IDLE_ACTION), "PickNextAction")
        self.next_action.setFont(big)
        self.next_action.setWordWrap(True)
        self.next_action.setStyleSheet(
            "#PickNextAction { background: #143a63; color: white; padding: 10px 14px;"
            " border-radius: 4px; }"
        )
        card_font = QFont()
        card_font.setPointSize(20)
        card_font.setBold(True)
        self.bin = named(QLabel("—"), "PickBin")
        bin_font = QFont()
        bin_font.setPointSize(40)
        bin_font.setBold(True)
        self.bin.setFont(bin_font)
        self.bin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.item = named(QLabel(""), "PickItem")
        self.item.setFont(card_font)
        self.item.setWordWrap(True)
        self.item.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.into = named(QLabel(""), "PickInto")
        self.into.setFont(card_font)
        self.into.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model = PickTasksModel()
        self.table = named(QTableView(), "PickTasks")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        table_font = QFont()
        table_font.setPointSize(13)
        self.table.setFont(table_font)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(50)
        self.model.modelReset.connect(self.table.resizeColumnsToContents)
        self.qty = named(QSpinBox(), "PickQuantity")
        self.qty.setRange(1, 9999)
        self.qty.setFont(card_font)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        button_font = QFont()
        button_font.setPointSize(13)
        button_font.setBold(True)
        entries = (
            ("next", "Next order", "F2", self.next_order),
            ("batch", "Next batch", "F3", self.next_batch),
            ("qty", "Enter quantity", "F4", self.enter_quantity),
            ("skip", "Skip", "F5", self.skip),
            ("short", "Stock-out", "F6", self.short),
        )
        for n, (key, text, keys, slot) in enumerate(entries):
            button = named(QPushButton(f"{text}  [{keys}]"), f"Pick_{key}")
            button.setFont(button_font)
            button.setMinimumHeight(44)
            button.clicked.connect(slot)
            QShortcut(QKeySequence(keys), self).activated.connect(button.click)
            self.buttons[key] = button
            grid.addWidget(button, n // 2, n % 2)
        card = QVBoxLayout()
        card.addWidget(self.bin)
        card.addWidget(self.item)
        card.addWidget(self.into)
        card.addWidget(self.qty)
        card.addStretch(1)
        card.addLayout(grid)
        side = named(QWidget(), "PickSide")
        side.setLayout(card)
        side.setFixedWidth(400)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.next_action)
        left.addWidget(self.table, 1)
        body = QHBoxLayout(self)
        body.setContentsMargins(10, 8, 10, 8)
        body.addLayout(left, 1)
        body.addWidget(side)

    # -- scans --------------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        if scan.kind is ScanKind.BADGE:
            return False
        if scan.kind is ScanKind.COMMAND:
            self._command(scan.command)
            return True
        working = self.session is not None and not self.session.done
        if scan.kind is ScanKind.ORDER and scan.ok:
            ref = scan.order_ref or ""
            if working and self.session is not None and not self._is_current(ref):
                self._feedback(
                    Tone.ERROR,
                    f"{self.session.name} is still being picked: finish it before you open {ref}.",
                )
                return True
            self.call(picking.open_pick, self._opened, self.ui.services, ref)
            return True
        if not working:
            if scan.kind is ScanKind.UNKNOWN and scan.data.strip():
                self.call(picking.open_pick, self._opened, self.ui.services, scan.data.strip())
                return True
            self._feedback(Tone.WARNING, f"Nothing is being picked. {IDLE_ACTION}.")
            return True
        assert self.session is not None
        self.call(picking.pick_scan, self.answered, self.ui.services, self.session.ref, scan)
        return True

    def _is_current(self, ref: str) -> bool:
        """The order or batch being picked, by name or by its `ORDID:<id>` slip barcode."""
        assert self.session is not None
        own_id = self.session.ref.order_id
        return ref == self.session.name or (own_id is not None and order_id_of(ref) == own_id)

    def _command(self, command: StationCommand | None) -> None:
        if command is StationCommand.NEXT_BATCH:
            self.next_batch()
        elif self.session is not None and self.session.done:
            self._feedback(Tone.INFO, self.session.next_action)
        elif command is StationCommand.CANCEL and self.session is not None:
            self._feedback(Tone.INFO, f"Scan the next item or press Skip: {self.next_text}")
        else:
            label = command.label if command else "That command"
            self._feedback(Tone.WARNING, f"{label} is for the Pack screen. {self.next_text}")

    @property
    def next_text(self) -> str:
        return self.session.next_action if self.session else IDLE_ACTION

    def next_order(self) -> None:
        if self.session is not None and not self.session.done:
            self._feedback(Tone.ERROR, f"{self.session.name} is still being picked.")
            return
        self.call(picking.pick_next, self._opened, self.ui.services)

    def next_batch(self) -> None:
        """Cluster picking: the most urgent open batch (button, F3 or the NEXT-BATCH code)."""
        if self.session is not None and not self.session.done:
            self._feedback(Tone.ERROR, f"{self.session.name} is still being picked.")
            return
        self.call(picking.pick_next_batch, self._opened_batch, self.ui.services)

    def enter_quantity(self) -> None:
        if self.session is None or self.session.done:
            return
        qty = self.qty.value()
        ref = self.session.ref
        self.call(picking.pick_quantity, self.answered, self.ui.services, ref, qty, new_event_id())

    def skip(self) -> None:
        if self.session is not None and not self.session.done:
            ref = self.session.ref
            self.call(picking.skip_task, self.answered, self.ui.services, ref, new_event_id())

    def short(self) -> None:
        if self.session is not None and not self.session.done:
            ref = self.session.ref
            self.call(picking.short_pick, self.answered, self.ui.services, ref, new_event_id())

    # -- answers ------------------------------------------------------------------------------
    def _got_policy(self, policy: PickPolicy) -> None:
        self.policy = policy
        self._show(self.session)

    def _resumed(self, session: PickSession | None) -> None:
        if session is not None and not session.done:
            self._show(session)
            self._feedback(Tone.INFO, f"Resumed {session.name}: {session.next_action}")

    def _opened(self, session: PickSession | None) -> None:
        if session is None:
            self._feedback(Tone.INFO, "No order is waiting to be picked at this station.")
            self.scan_answered.emit("nothing to pick")
            return
        self._show(session)
        self._feedback(Tone.SUCCESS, f"Picking {session.name}. {session.next_action}")
        self.scan_answered.emit(session)

    def _opened_batch(self, session: PickSession | None, finished: str | None = None) -> None:
        if session is None:
            done = f"{finished} is picked. " if finished else ""
            self._feedback(Tone.INFO, f"{done}No batch is waiting to be picked at this station.")
            self.scan_answered.emit("no batch to pick")
            return
        self._opened(session)

    def answered(self, verdict: PickVerdict) -> None:
        self._show(verdict.session)
        tone = Tone.SUCCESS if verdict.accepted else Tone.ERROR
        finished_batch = verdict.session.done and verdict.accepted
        if finished_batch:
            tone = Tone.COMPLETE
        self._feedback(tone, verdict.message)  # the next action is in the big line below
        self.scan_answered.emit(verdict)
        if finished_batch and verdict.session.ref.batch_id is not None:
            # A batch picker goes straight on to the next batch, as "Next batch" would.
            name = verdict.session.name
            self.call(
                picking.pick_next_batch,
                lambda session: self._opened_batch(session, finished=name),
                self.ui.services,
            )

    def refused(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, DomainError) else f"Could not do that: {error}"
        self._feedback(Tone.ERROR, text)
        self.scan_answered.emit(text)

    def _show(self, session: PickSession | None) -> None:
        self.session = session
        working = session is not None and not session.done
        for key, button in self.buttons.items():
            button.setEnabled(working or key in ("next", "batch"))
        allow_qty = not self.policy.scan_every_unit
        self.qty.setVisible(allow_qty)
        self.buttons["qty"].setVisible(allow_qty)
        if session is None:
            self.title.setText("Nothing to pick")
            self.next_action.setText(IDLE_ACTION)
            self.bin.setText("—")
            self.item.setText("")
            self.into.setText("")
            self.model.show(())
        else:
            count = len(session.orders)
            what = f"Batch {session.name} · {count} orders" if count > 1 else session.name
            self.title.setText(what if count > 1 else f"Order {session.name}")
            self.next_action.setText(session.next_action)
            task = session.current
            self.bin.setText(task.bin_code if task else "✓")
            self.item.setText(f"{task.remaining} × {task.sku}\n{task.name}" if task else "")
            self.into.setText(f"into {task.tote_label}" if task else "")
            if task is not None:
                self.qty.setMaximum(max(task.remaining, 1))
            self.model.show(session.tasks)
        self.session_shown.emit(session)

    def _feedback(self, tone: Tone, text: str) -> None:
        if self.ui.feedback is not None:
            self.ui.feedback.show(tone, text)

    def _on_changes(self, changes: ChangeSet) -> None:
        mine = not changes.remote and changes.station_id == self.ui.actor.station_id
        if mine or self.session is None or self._busy or self._jobs:
            return
        if Topic.ORDERS in changes or Topic.STOCK in changes or Topic.LEASES in changes:
            ref = self.session.ref
            self.call(picking.pick_session, self._refreshed, self.ui.services, ref)

    def _refreshed(self, session: PickSession) -> None:
        if self.session is not None and session.ref == self.session.ref:
            self._show(session)

    # -- one call at a time, in scan order ----------------------------------------------------
    def call(self, fn: Callable[..., Any], on_done: Callable[[Any], None], *args: Any) -> None:
        self._jobs.append((fn, args, on_done))
        self._pump()

    def _pump(self) -> None:
        if self._busy or not self._jobs:
            return
        fn, args, on_done = self._jobs.popleft()
        self._busy = True

        def done(result: Any) -> None:
            self._busy = False
            try:
                on_done(result)
            finally:
                self._pump()

        def failed(error: BaseException) -> None:
            self._busy = False
            try:
                self.refused(error)
            finally:
                self._pump()

        self.ui.tasks.run(fn, *args, on_done=done, on_error=failed)

    @property
    def idle(self) -> bool:
        return not self._busy and not self._jobs

    # -- the demo scan pad --------------------------------------------------------------------
    def expected_codes(self) -> list[tuple[str, str]]:
        """(label, code) of what this screen expects next: the bin, the tote (item barcodes
        come from the pad's product list: the task names the SKU)."""
        session = self.session
        if session is None or session.done or session.current is None:
            return []
        task = session.current
        if session.stage is PickStage.BIN:
            return [(f"Bin {task.bin_code}", task.bin_code)]
        if session.stage is PickStage.TOTE:
            return [(f"{task.tote_label.capitalize()}", task.tote)]
        return []  # the item: the pad lists it from its products (expected_skus)

    def order_codes(self) -> set[str]:
        return set()

    def expected_weight(self) -> None:
        return None

    def expected_skus(self) -> set[str]:
        s = self.session
        return {s.current.sku} if s is not None and s.current is not None else set()
