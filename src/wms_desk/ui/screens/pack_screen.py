"""The Pack screen: open an order by scan, verify every item, box, weigh and COMPLETE by scan."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.codes import ORDER_ID_PREFIX, StationCommand
from wms_desk.domain.errors import DomainError
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.scan import ScanKind, ScanResult, new_event_id
from wms_desk.services import packing
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.packing.session import PackageView, PackSession, ScanVerdict
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens import pack_actions
from wms_desk.ui.screens.pack_lines import THUMB, VERIFIED, PackLinesModel
from wms_desk.ui.screens.pack_side import PackSide
from wms_desk.ui.widgets.named import named

IDLE_ACTION = "Scan an order, packing slip, tote or batch barcode"
_REFRESH_TOPICS = (Topic.PACKAGES, Topic.ORDERS, Topic.LEASES)
# Grams a stable reading must differ by from the last recorded box to count as a new box.
_SAME_BOX_G = Decimal(3)


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    on_done: Callable[[Any], None]
    what: str


class PackScreen(QWidget):
    """Scans go to services one at a time (in the order they were read); every answer repaints
    the lines, the boxes and the next action, and gives the flash and the sound."""

    session_shown = Signal(object)  # PackSession | None, after it is on screen
    scan_answered = Signal(object)  # ScanVerdict, or the error text of a refused call

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.session: PackSession | None = None
        self._jobs: deque[_Job] = deque()
        self._busy = False
        self._reading: Any = None
        self._item_mark = 0.0  # monotonic time the open box last got an item (on screen)
        # What the scale showed when the box last changed (an item went in, or a weight was
        # recorded): a box's weight is a reading that moved away from it, so a weight standing
        # on the scale from before (the previous box, an empty scale) is never taken.
        self._baseline_g: Decimal | None = None
        self._scale_moved = False
        self._after_weight: str | None = None  # a command waiting for the box's weight
        self.last_dialog: QWidget | None = None  # the by-hand dialog open now (tests type in it)
        self._build()
        bridge = ui.devices.bridge if ui.devices is not None else None
        if bridge is not None:
            bridge.weight_changed.connect(self._on_reading)
            bridge.device_state_changed.connect(self.side.weight.on_device_state)
        if ui.changes is not None:
            ui.changes.changed.connect(self._on_changes)
        self._show(None)
        # Crash safety: a station that was mid-order opens on it, as committed.
        self.call(packing.current_pack_session, self._resumed, "resume", ui.services)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = named(QLabel("No order open"), "PackTitle")
        title_font = QFont()
        title_font.setPointSize(16)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.next_action = named(QLabel(IDLE_ACTION), "PackNextAction")
        action_font = QFont()
        action_font.setPointSize(22)
        action_font.setBold(True)
        self.next_action.setFont(action_font)
        self.next_action.setWordWrap(True)
        self.next_action.setStyleSheet(
            "#PackNextAction { background: #143a63; color: white; padding: 8px 12px;"
            " border-radius: 4px; }"
        )
        self.model = PackLinesModel()
        self.table = named(QTableView(), "PackLines")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 4)
        self.table.setIconSize(self.table.iconSize().expandedTo(self.table.iconSize()))
        table_font = QFont()
        table_font.setPointSize(13)
        self.table.setFont(table_font)
        header = self.table.horizontalHeader()
        # Column widths are fitted when an order opens, not on every scan: ResizeToContents
        # would ask every row of a 200-line order for its size after each count.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(50)
        header.setMinimumSectionSize(THUMB + 6)
        self.model.modelReset.connect(self.table.resizeColumnsToContents)
        self.side = PackSide()
        self.side.setFixedWidth(400)
        actions = {
            "next": self.next_order,
            "typed_weight": self.type_weight,
            "new_box": lambda: self.command(StationCommand.NEW_BOX),
            "reprint": lambda: self.command(StationCommand.REPRINT),
            "cancel": lambda: self.command(StationCommand.CANCEL),
            "complete": lambda: self.command(StationCommand.COMPLETE),
            "by_hand": self.confirm_by_hand,
            "short": self.short_line,
            "approve": self.approve_weight,
        }
        for key, slot in actions.items():
            self.side.buttons[key].clicked.connect(slot)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.next_action)
        left.addWidget(self.table, 1)
        body = QHBoxLayout(self)
        body.setContentsMargins(10, 8, 10, 8)
        body.addLayout(left, 1)
        body.addWidget(self.side)

    @property
    def has_scale(self) -> bool:
        bindings = self.ui.bindings
        return bindings is not None and bindings.scale is not None

    # -- scans --------------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        if scan.kind is ScanKind.ORDER and scan.ok:
            self.open_order(scan.order_ref or "", scan)
            return True
        if scan.kind is ScanKind.COMMAND and scan.command is not None:
            self.command(scan.command, scan.event_id)
            return True
        if scan.kind is ScanKind.BADGE:
            return False
        if not self._open:
            if scan.kind in (ScanKind.UNKNOWN, ScanKind.BIN) and scan.data.strip():
                # A tote, a batch or a bare order number: only the database can tell.
                self.open_order(scan.data.strip(), scan)
                return True
            self._feedback(Tone.WARNING, f"No order is open. {IDLE_ACTION}.")
            return True
        assert self.session is not None
        self.call(
            packing.verify_scan,
            self.answered,
            f"check {scan.data!r}",
            self.ui.services,
            self.session.order_id,
            scan,
        )
        return True

    @property
    def _open(self) -> bool:
        return self.session is not None and not self.session.completed

    def open_order(self, ref: str, scan: ScanResult | None = None) -> None:
        current = self.session
        same = (
            ref in (current.order_number, f"{ORDER_ID_PREFIX}{current.order_id}")
            if current
            else False
        )
        if current is not None and not current.completed and not same:
            self._feedback(
                Tone.ERROR,
                f"Order {current.order_number} is still open: COMPLETE or CANCEL it "
                f"before you open {ref}.",
            )
            return
        self.call(packing.open_order, self._opened, f"open {ref}", self.ui.services, ref)

    def next_order(self) -> None:
        if self._open:
            assert self.session is not None
            self._feedback(
                Tone.ERROR, f"Order {self.session.order_number} is still open: finish it first."
            )
            return
        self.call(packing.open_next, self._opened_next, "find the next order", self.ui.services)

    def command(self, command: StationCommand, event_id: str | None = None) -> None:
        """A station command from its barcode, its button or its key: one path for all three."""
        event_id = event_id or new_event_id()
        session = self.session
        if command is StationCommand.NEXT_BATCH:
            self._feedback(Tone.WARNING, "Next batch is for the Pick screen (batch picking).")
            return
        if session is None:
            self._feedback(Tone.WARNING, f"No order is open for {command.label}. {IDLE_ACTION}.")
            return
        if command is StationCommand.REPRINT:
            fn: Callable[..., Any] = packing.reprint
            self.call(fn, self.answered, "reprint", self.ui.services, session.order_id, event_id)
            return
        if session.completed:
            if command is StationCommand.COMPLETE:
                self._feedback(Tone.INFO, f"Order {session.order_number} is already packed.")
            else:
                self._feedback(
                    Tone.WARNING, f"Order {session.order_number} is packed. {IDLE_ACTION}."
                )
            return
        box = self._current_box()
        unweighed = self._needs_weight() and box is not None and box.weight_g is None
        weigh_first = command in (StationCommand.NEW_BOX, StationCommand.COMPLETE) and unweighed
        if weigh_first and self._weigh_now(then=command.value):
            return
        if command is StationCommand.NEW_BOX:
            fn = packing.new_box
        elif command is StationCommand.COMPLETE:
            fn = pack_actions.complete_with_settings(self.ui.settings)
        elif command is StationCommand.CANCEL:
            self.call(
                packing.cancel, self._cancelled, "cancel", self.ui.services, session.order_id,
                event_id,
            )  # fmt: skip
            return
        else:
            self._feedback(Tone.WARNING, f"{command.label} does nothing on the Pack screen.")
            return
        self.call(fn, self.answered, command.label, self.ui.services, session.order_id, event_id)

    # -- weighing -----------------------------------------------------------------------------
    def _current_box(self) -> PackageView | None:
        return current_box(self.session) if self.session else None

    def _needs_weight(self) -> bool:
        box = self._current_box()
        if not self._open or box is None or box.item_count == 0:
            return False
        # A box outside tolerance is weighed again when the packer fixes it and puts it back.
        recheck = box.weight_check in ("warn", "block") and not box.weight_approved
        return box.weight_g is None or recheck

    def _usable_reading(self) -> Decimal | None:
        """A stable reading taken after the box's last item, and not the previous box's."""
        r = self._reading
        if r is None or not r.stable or r.grams is None or r.grams <= 0:
            return None
        if r.at and r.at < self._item_mark:
            return None
        if not self._scale_moved:
            return None
        return Decimal(r.grams)

    def _mark_box(self, grams: Decimal | None = None) -> None:
        """The box changed: the next weight must be a reading that moves away from now."""
        self._item_mark = time.monotonic()
        r = self._reading
        if grams is None and r is not None and r.stable and r.grams is not None:
            grams = Decimal(r.grams)
        self._baseline_g = grams
        self._scale_moved = grams is None and r is not None and not r.stable

    def _on_reading(self, reading: Any) -> None:
        self.side.weight.show_reading(reading)
        self._reading = reading
        grams = reading.grams
        if (
            not reading.stable
            or grams is None
            or self._baseline_g is None
            or abs(Decimal(grams) - self._baseline_g) > _SAME_BOX_G
        ):
            self._scale_moved = True
        if self._busy or not self._needs_weight():
            return
        all_done = self.session is not None and all(ln.done for ln in self.session.lines)
        if all_done or self._after_weight:
            self._weigh_now(then=self._after_weight)

    def _weigh_now(self, then: str | None) -> bool:
        """Record the open box's weight from the scale; False if no scale is bound (the command
        then goes ahead and the service says what is missing)."""
        if not self.has_scale:
            return False
        grams = self._usable_reading()
        box = self._current_box()
        if grams is None or box is None or self.session is None:
            self._after_weight = then
            seq = box.seq if box else self.session.current_seq if self.session else 1
            if then:
                text = (
                    f"Put box {seq} on the scale and wait for a stable weight; "
                    f"{then.replace('-', ' ')} follows by itself."
                )
                self._feedback(Tone.WARNING, text)
                self.scan_answered.emit(text)
            return then is not None
        self._after_weight = None
        self._mark_box(grams)
        self.call(
            packing.record_weight,
            lambda verdict: self._weighed(verdict, then),
            "record the weight",
            self.ui.services,
            self.session.order_id,
            grams,
            new_event_id(),
        )
        return True

    def _weighed(self, verdict: ScanVerdict, then: str | None) -> None:
        self.answered(verdict)
        box = current_box(verdict.session)
        blocked = box is not None and box.weight_check == "block" and not box.weight_approved
        if then and verdict.outcome is ScanOutcome.WEIGHED and not blocked:
            self.command(StationCommand(then))

    def type_weight(self) -> None:
        if not self._open or self.session is None:
            return
        pack_actions.type_weight(self)

    # -- supervisor and by-hand paths ---------------------------------------------------------
    def confirm_by_hand(self) -> None:
        if self._open:
            pack_actions.confirm_by_hand(self)

    def short_line(self) -> None:
        if self._open:
            pack_actions.short_line(self)

    def approve_weight(self) -> None:
        if self._open:
            pack_actions.approve_weight(self)

    # -- answers ------------------------------------------------------------------------------
    def _resumed(self, session: PackSession | None) -> None:
        if session is None:
            return
        self._show(session)
        self._feedback(Tone.INFO, f"Resumed order {session.order_number}: {session.next_action}")

    def _opened(self, session: PackSession) -> None:
        self._mark_box()
        self._show(session)
        if session.completed:
            self._feedback(Tone.INFO, f"Order {session.order_number} is already packed.")
        else:
            self._feedback(
                Tone.SUCCESS, f"Order {session.order_number} open. {session.next_action}"
            )

    def _opened_next(self, session: PackSession | None) -> None:
        if session is None:
            self._feedback(Tone.INFO, "No order is waiting to be packed at this station.")
            return
        self._opened(session)

    def answered(self, verdict: ScanVerdict) -> None:
        if verdict.outcome in (
            ScanOutcome.VERIFIED,
            ScanOutcome.SERIAL_RECORDED,
            ScanOutcome.CONFIRMED_BY_HAND,
            ScanOutcome.NEW_BOX,
        ):
            self._mark_box()
        self._show(verdict.session, verdict.line_id)
        self._feedback(tone_of(verdict), verdict.message)
        self.scan_answered.emit(verdict)
        if self._needs_weight() and all(ln.done for ln in verdict.session.lines):
            self._weigh_now(then=self._after_weight)

    def _cancelled(self, verdict: ScanVerdict) -> None:
        self._show(None)
        self._feedback(Tone.INFO, verdict.message)
        self.scan_answered.emit(verdict)

    def refused(self, what: str, error: BaseException) -> None:
        text = str(error) or error.__class__.__name__
        if not isinstance(error, DomainError):  # a bug or a lost database: say what failed
            text = f"Could not {what}: {text}"
        self._feedback(Tone.ERROR, text)
        self.scan_answered.emit(text)

    def _show(self, session: PackSession | None, last_line_id: int | None = None) -> None:
        self.session = session
        if session is None:
            self.title.setText("No order open")
            self.next_action.setText(IDLE_ACTION)
            self.model.show(())
        else:
            box = f"Box {session.current_seq} of {max(len(session.packages), 1)}"
            state = "packed" if session.completed else box
            self.title.setText(f"Order {session.order_number} · {state}")
            self.next_action.setText(session.next_action)
            self.model.show(session.lines, last_line_id)
            # The picture column only where the catalogue has pictures.
            self.table.setColumnHidden(0, not any(line.image_path for line in session.lines))
            row = self.model.row_of(last_line_id)
            if row is not None:
                # Column 0 (pictures) is hidden when the catalogue has none, and a table
                # never scrolls to an index in a hidden column: aim at the count itself.
                self.table.scrollTo(self.model.index(row, VERIFIED))
        self.side.show_session(session, self.has_scale)
        self.session_shown.emit(session)

    def _feedback(self, tone: Tone, text: str) -> None:
        if self.ui.feedback is not None:
            self.ui.feedback.show(tone, text)

    def _on_changes(self, changes: ChangeSet) -> None:
        mine = not changes.remote and changes.station_id == self.ui.actor.station_id
        if mine or self.session is None or self._busy or self._jobs:
            return
        if any(topic in changes for topic in _REFRESH_TOPICS):
            order_id = self.session.order_id
            self.call(packing.pack_session, self._refreshed, "refresh", self.ui.services, order_id)

    def _refreshed(self, session: PackSession) -> None:
        if self.session is not None and session.order_id == self.session.order_id:
            self._show(session)

    # -- one call at a time, in scan order ----------------------------------------------------
    def call(self, fn: Callable[..., Any], on_done: Callable[[Any], None], what: str, *args: Any,
             **kwargs: Any) -> None:  # fmt: skip
        self._jobs.append(_Job(fn, args, kwargs, on_done, what))
        self._pump()

    def _pump(self) -> None:
        if self._busy or not self._jobs:
            return
        job = self._jobs.popleft()
        self._busy = True

        def done(result: Any) -> None:
            self._busy = False
            try:
                job.on_done(result)
            finally:
                self._pump()

        def failed(error: BaseException) -> None:
            self._busy = False
            try:
                self.refused(job.what, error)
            finally:
                self._pump()

        self.ui.tasks.run(job.fn, *job.args, on_done=done, on_error=failed, **job.kwargs)

    @property
    def idle(self) -> bool:
        return not self._busy and not self._jobs

    # -- the demo scan pad --------------------------------------------------------------------
    def expected_codes(self) -> list[tuple[str, str]]:
        """(label, barcode) of what this screen expects next, for the demo scan pad."""
        session = self.session
        if session is None or session.completed:
            return []
        if session.awaiting_capture:
            return [(f"The {session.awaiting_capture}", f"SN-{new_event_id()[:8].upper()}")]
        codes = []
        for line in session.lines:
            if line.done:
                continue
            left = line.ordered - line.verified - line.shorted
            for barcode in line.barcodes:
                what = "unit" if barcode.qty == 1 else f"case of {barcode.qty}"
                codes.append((f"{line.sku} {line.name} ({what}, {left} left)", barcode.code))
        return codes

    def order_codes(self) -> set[str]:
        s = self.session
        return {b.code for line in s.lines for b in line.barcodes} if s else set()

    def expected_weight(self) -> Decimal | None:
        """The open box's expected weight, when it has items and waits for its weight."""
        box = self._current_box()
        return box.expected_weight_g if box is not None and self._needs_weight() else None


def current_box(session: PackSession) -> PackageView | None:
    return next((p for p in session.packages if p.seq == session.current_seq), None)


def tone_of(verdict: ScanVerdict) -> Tone:
    """Red for what changed nothing, amber for a weight to check, the chord when packed."""
    if verdict.outcome is ScanOutcome.COMPLETED and verdict.session.completed:
        return Tone.COMPLETE
    box = current_box(verdict.session)
    if verdict.outcome is ScanOutcome.WEIGHED and box is not None and box.weight_g is not None:
        if box.weight_check == "block" and not box.weight_approved:
            return Tone.ERROR
        if box.weight_check == "warn":
            return Tone.WARNING
    if verdict.outcome is ScanOutcome.REPLAYED:
        return Tone.INFO
    return Tone.SUCCESS if verdict.accepted else Tone.ERROR
