"""The print queue: what is waiting, failed or unknown, with retry, cancel and reprint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.services import print_queue
from wms_desk.services.changes import Topic
from wms_desk.services.print_queue import PrintJobInfo
from wms_desk.ui.context import UiContext
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.widgets.named import named

ACTIVE = ("queued", "sending", "failed", "unknown")
COLUMNS = ("Created", "Document", "Printer", "Status", "Tries", "Problem")
STATUS_COLOURS = {"failed": "#b3261e", "unknown": "#b26a00", "sent": "#2e7d32"}
Index = QModelIndex | QPersistentModelIndex


class PrintJobModel(QAbstractTableModel):
    """Rows are frozen PrintJobInfo snapshots fetched off the GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[PrintJobInfo] = []

    def set_jobs(self, jobs: Sequence[PrintJobInfo]) -> None:
        self.beginResetModel()
        self.jobs = list(jobs)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.jobs):
            return None
        job = self.jobs[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                job.created_at.astimezone().strftime("%H:%M:%S"),
                job.title or job.document + (" (reprint)" if job.reprint_of else ""),
                job.printer,
                job.status,
                str(job.attempts),
                job.last_error.splitlines()[0] if job.last_error else "",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return job.last_error or None
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = STATUS_COLOURS.get(job.status)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.UserRole:
            return job.id
        return None


class PrintQueueView(QWidget):
    """`PrintQueueView(ui)`: refreshes itself; every service call runs on the task runner."""

    jobs_loaded = QtSignal(int)
    action_done = QtSignal(str)
    action_failed = QtSignal(str)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.model = PrintJobModel(self)
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.filter = QComboBox()
        self.filter.addItem("Waiting, failed or unknown", ACTIVE)
        self.filter.addItem("All jobs", ())
        self.filter.currentIndexChanged.connect(self.refresh)
        self.retry_button = QPushButton("Retry now")
        self.cancel_button = QPushButton("Cancel")
        self.reprint_button = QPushButton("Reprint…")
        self.refresh_button = QPushButton("Refresh")
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.message = QLabel(wordWrap=True)
        tools = QHBoxLayout()
        tools.addWidget(self.filter)
        tools.addStretch(1)
        for button in (
            self.retry_button,
            self.cancel_button,
            self.reprint_button,
            self.refresh_button,
        ):
            tools.addWidget(button)
        title = named(QLabel("Print queue"), "ScreenTitle")
        subtitle = named(
            QLabel(
                "Labels and slips this station sends. A job whose outcome is unknown is never "
                "re-sent on its own: check the printer, then reprint it with a reason.",
                wordWrap=True,
            ),
            "ScreenSubtitle",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        # A job queued, sent or failed anywhere on this database: re-read the list.
        self.refresher = RefreshOnChange(ui, self, {Topic.PRINT_JOBS}, self.refresh)
        self._loading = False
        self._update_buttons()
        self.refresh()

    # -- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        statuses = self.filter.currentData() or None
        self.ui.tasks.run(
            print_queue.list_jobs,
            self.ui.services,
            statuses,
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _loaded(self, jobs: list[PrintJobInfo]) -> None:
        self._loading = False
        selected = self.selected_job()
        self.model.set_jobs(jobs)
        if not jobs:
            self.message.setText(
                "Nothing waiting: every job was sent."
                if self.filter.currentData()
                else "No print jobs yet."
            )
        elif self.message.text().startswith(("Nothing waiting", "No print jobs")):
            self.message.clear()
        if selected is not None:
            for row, job in enumerate(jobs):
                if job.id == selected.id:
                    self.table.selectRow(row)
        self.jobs_loaded.emit(len(jobs))

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.message.setText(f"Could not load the print queue: {error}")

    # -- actions --------------------------------------------------------------------------

    def selected_job(self) -> PrintJobInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.jobs[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        job = self.selected_job()
        status = job.status if job else ""
        self.retry_button.setEnabled(status in print_queue.RETRYABLE)
        self.cancel_button.setEnabled(status in print_queue.RETRYABLE)
        self.reprint_button.setEnabled(
            status not in ("", "sending", "cancelled") and self.ui.actor.can(Permission.REPRINT)
        )
        if status == "unknown":
            self.message.setText(
                "The printer took this job but never confirmed it. Check whether it printed; "
                "if not, a supervisor reprints it with a reason."
            )

    def ask_reason(self, job: PrintJobInfo) -> str | None:
        """The supervisor's reason for a reprint (tests replace this)."""
        text, ok = QInputDialog.getText(
            self, "Reprint", f"Why is {job.title or job.document} printed again?"
        )
        return text if ok else None

    def retry_selected(self) -> None:
        job = self.selected_job()
        if job is not None:
            self._run(print_queue.retry, job.id, done=f"{job.title or job.document}: retrying")

    def cancel_selected(self) -> None:
        job = self.selected_job()
        if job is not None:
            self._run(print_queue.cancel, job.id, done=f"{job.title or job.document}: cancelled")

    def reprint_selected(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        reason = self.ask_reason(job)
        if reason is None:
            return
        self._run(
            print_queue.reprint, job.id, reason, done=f"{job.title or job.document}: reprint queued"
        )

    def _run(self, fn: Any, *args: Any, done: str) -> None:
        def finished(_: object) -> None:
            self.message.setText(done)
            self.action_done.emit(done)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.message.setText(str(error))
            self.action_failed.emit(str(error))

        self.ui.tasks.run(fn, self.ui.services, *args, on_done=finished, on_error=failed)
