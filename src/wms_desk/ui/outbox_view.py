"""The outbox for supervisors: failed and dead e-mails and channel updates, with what the far
side said, Retry and Cancel; and a toast whenever a message gives up (goes DEAD)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.services import outbox
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.outbox import OutboxInfo, OutboxKind, OutboxStatus
from wms_desk.ui.context import UiContext
from wms_desk.ui.first_paint import after_first_paint
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.widgets.named import named

COLUMNS = ("Created", "What", "Order", "Status", "Tries", "What the far side said")
STATUS_COLOURS = {"dead": "#b3261e", "failed": "#b26a00", "sent": "#2e7d32"}
KIND_NAMES = {OutboxKind.EMAIL: "E-mail", OutboxKind.CHANNEL_FULFILMENT: "Channel update"}
# Filter entries: (label, statuses asked for; () = every status)
FILTERS = (
    ("Needs attention (failed, gave up)", (OutboxStatus.DEAD, OutboxStatus.FAILED)),
    ("Waiting to be sent", (OutboxStatus.QUEUED, OutboxStatus.SENDING)),
    ("All messages", ()),
)
Index = QModelIndex | QPersistentModelIndex


def describe(info: OutboxInfo) -> tuple[str, str]:
    """(what, order number) in words, from the payload (the order's id is not its number)."""
    try:
        payload = json.loads(info.payload)
    except ValueError:
        payload = None
    what = KIND_NAMES.get(info.kind, info.kind.value)
    if not isinstance(payload, dict):
        return what, ""
    if info.kind is OutboxKind.CHANNEL_FULFILMENT:
        action = "label voided" if payload.get("action") == "cancel" else "shipped"
        what = f"{payload.get('channel', 'Channel')}: {action}"
    elif info.kind is OutboxKind.EMAIL and payload.get("to"):
        what = f"E-mail to {payload['to']}"
    return what, str(payload.get("order_number") or "")


def list_for_panel(ctx: Any, statuses: Sequence[OutboxStatus]) -> list[OutboxInfo]:
    """Off the GUI thread: the messages of these statuses, newest first."""
    if not statuses:
        return outbox.list_messages(ctx)
    found = [m for status in statuses for m in outbox.list_messages(ctx, status=status)]
    return sorted(found, key=lambda m: m.created_at, reverse=True)


class OutboxModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages: list[OutboxInfo] = []

    def set_messages(self, messages: Sequence[OutboxInfo]) -> None:
        self.beginResetModel()
        self.messages = list(messages)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.messages)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.messages):
            return None
        info = self.messages[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            what, order = describe(info)
            said = info.last_error or (f"sent: {info.reference}" if info.reference else "")
            values = (
                info.created_at.astimezone().strftime("%d %b %H:%M"),
                what,
                order,
                "gave up" if info.status is OutboxStatus.DEAD else info.status.value,
                str(info.attempts),
                said.splitlines()[0] if said else "",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return info.last_error or None
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = STATUS_COLOURS.get(info.status.value)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.UserRole:
            return info.id
        return None


class OutboxPanel(QWidget):
    """`OutboxPanel(ui)`: refreshes from the change bus; every call runs on the task runner."""

    messages_loaded = QtSignal(int)
    action_done = QtSignal(str)
    action_failed = QtSignal(str)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.model = OutboxModel(self)
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.filter = QComboBox()
        for label, statuses in FILTERS:
            self.filter.addItem(label, statuses)
        self.filter.currentIndexChanged.connect(self.refresh)
        self.retry_button = QPushButton("Retry now")
        self.cancel_button = QPushButton("Cancel message")
        self.refresh_button = QPushButton("Refresh")
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.detail = QLabel(wordWrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(wordWrap=True)
        tools = QHBoxLayout()
        tools.addWidget(self.filter)
        tools.addStretch(1)
        for button in (self.retry_button, self.cancel_button, self.refresh_button):
            tools.addWidget(button)
        subtitle = named(
            QLabel(
                "E-mails to customers and shipments told to the shops. A message that failed is "
                "retried on its own; one that gave up needs you: fix what it says, then Retry, "
                "or Cancel it.",
                wordWrap=True,
            ),
            "ScreenSubtitle",
        )
        layout = QVBoxLayout(self)
        layout.addWidget(subtitle)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.refresher = RefreshOnChange(ui, self, {Topic.OUTBOX}, self.refresh)
        self._loading = False
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        statuses = self.filter.currentData() or ()
        self.ui.tasks.run(
            list_for_panel,
            self.ui.services,
            statuses,
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _loaded(self, messages: list[OutboxInfo]) -> None:
        self._loading = False
        selected = self.selected()
        self.model.set_messages(messages)
        if not messages:
            self.message.setText(
                "Nothing needs you: every message was sent or is on its way."
                if self.filter.currentIndex() == 0
                else "No messages here."
            )
        for row, info in enumerate(messages):
            if selected is not None and info.id == selected.id:
                self.table.selectRow(row)
        self.messages_loaded.emit(len(messages))

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.message.setText(f"Could not load the outbox: {error}")

    def selected(self) -> OutboxInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.messages[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        info = self.selected()
        allowed = self.ui.actor.can(Permission.MANAGE_OUTBOX)
        can_act = info is not None and info.status.value in outbox.RETRYABLE and allowed
        self.retry_button.setEnabled(can_act)
        self.cancel_button.setEnabled(can_act)
        if info is None:
            self.detail.clear()
            return
        what, order = describe(info)
        said = info.last_error or info.reference or "nothing yet"
        self.detail.setText(f"{what}, order {order or '-'}: {said}")

    def retry_selected(self) -> None:
        info = self.selected()
        if info is not None:
            what, order = describe(info)
            self._run(outbox.retry, info.id, done=f"{what} for order {order}: sending again.")

    def cancel_selected(self) -> None:
        info = self.selected()
        if info is not None:
            what, order = describe(info)
            self._run(outbox.cancel, info.id, done=f"{what} for order {order}: cancelled.")

    def _run(self, fn: Any, *args: Any, done: str) -> None:
        def finished(_: object) -> None:
            self.message.setText(done)
            self.action_done.emit(done)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.message.setText(str(error))
            self.action_failed.emit(str(error))

        self.ui.tasks.run(fn, self.ui.services, *args, on_done=finished, on_error=failed)


class OutboxAlerts(QObject):
    """Toasts a message that went DEAD while this supervisor is signed in. The first look only
    learns what was dead already (the panel lists those); later looks toast what is new."""

    alerted = QtSignal(str, str)

    def __init__(self, ui: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.seen: set[str] | None = None
        self._loading = self._again = False
        if ui.changes is not None:
            ui.changes.changed.connect(self._heard)
        if isinstance(parent, QWidget):
            # The first look waits for the workspace's first paint: its query on a worker
            # only delayed that paint, at a supervisor's sign-in. A change heard before looks
            # at once.
            after_first_paint(parent, self._first_look)
        else:
            self.look()

    def _first_look(self) -> None:
        if self.seen is None and not self._loading:
            self.look()

    def _heard(self, changes: ChangeSet) -> None:
        if Topic.OUTBOX in changes.topics:
            self.look()

    def look(self) -> None:
        if self._loading:
            self._again = True  # a change heard mid-look: look once more when it is done
            return
        self._loading, self._again = True, False
        self.ui.tasks.run(
            outbox.list_messages,
            self.ui.services,
            OutboxStatus.DEAD,
            on_done=self._looked,
            on_error=self._failed,
        )

    def _failed(self, _error: BaseException) -> None:
        self._loading = False  # the connection banner says the database is away
        if self._again:
            self.look()

    def _looked(self, dead: list[OutboxInfo]) -> None:
        self._loading = False
        # What is dead now; a message retried and dead again is new again, and toasted again.
        before, self.seen = self.seen, {m.id for m in dead}
        if before is None:
            before = self.seen
        new = [info for info in dead if info.id not in before]
        if new:
            # One toast for a burst (a revoked token fails every message at once).
            what, order = describe(new[0])
            title = f"{what} for order {order} gave up" if order else f"{what} gave up"
            if len(new) > 1:
                title = f"{len(new)} messages gave up; the first: {what} for order {order}"
            detail = f"{new[0].last_error} Open Settings > Outbox to retry or cancel it."
            self.alerted.emit(title, detail)
            if self.ui.toast is not None:
                self.ui.toast.show_message(title, detail)
        if self._again:
            self.look()
