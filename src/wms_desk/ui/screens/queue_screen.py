"""The supervisor's queue screen: filter bar, the order table, actions, and the detail panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import ScanResult
from wms_desk.services import queue as queue_service
from wms_desk.services.changes import Topic
from wms_desk.services.queue import FilterChoices
from wms_desk.ui.context import UiContext
from wms_desk.ui.feedback import Tone
from wms_desk.ui.models.queue_model import QueueModel, guarded
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.screens.queue_actions import QueueActions
from wms_desk.ui.screens.queue_columns import QueueColumns
from wms_desk.ui.screens.queue_detail import OrderDetailPanel
from wms_desk.ui.screens.queue_filters import QueueFilterBar
from wms_desk.ui.screens.queue_prompts import QueuePrompts
from wms_desk.ui.widgets.toast import Toast

if TYPE_CHECKING:
    from wms_desk.services.dashboard import OrderSelection  # the dashboard's, not loaded here

REFRESH_DEBOUNCE_MS = 250
REFRESH_TOPICS = frozenset({Topic.ORDERS, Topic.STOCK, Topic.PACKAGES, Topic.SHIPMENTS})


class QueueScreen(QueueActions, QueueColumns, QWidget):
    """Needs from UiContext: services (the signed-in supervisor), tasks, settings.poll_seconds.

    The actions live in queue_actions, the column chooser in queue_columns (mixins).
    """

    action_finished = Signal(str)
    slip_previewed = Signal(bytes)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.setObjectName("queue_screen")
        self.prompts = QueuePrompts(self)
        self.choices = FilterChoices((), (), (), (), ())
        self._keep_ids: list[int] = []
        self._keep_current: int | None = None
        self._keep_scroll = 0

        self.filters = QueueFilterBar(self)
        self.model = QueueModel(ui, self)
        self.table = QTableView(self)
        self.table.setObjectName("queue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        # The indicator first: enabling sorting asks the model to sort by it at once.
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.detail = OrderDetailPanel(ui, self)
        self.status = QLabel(self)
        self.status.setObjectName("queue_status")
        # Shown while the queue holds a dashboard number's orders (no filter control says so).
        self.pinned: OrderSelection | None = None
        self.pinned_bar = QFrame(self)
        self.pinned_bar.setObjectName("PinnedBar")
        self.pinned_text = QLabel(self.pinned_bar)
        self.pinned_text.setObjectName("queue_pinned")
        self.pinned_clear = QPushButton("Show the whole queue", self.pinned_bar)
        self.pinned_clear.setObjectName("queue_pinned_clear")
        self.pinned_clear.clicked.connect(self.clear_selection)
        pinned_layout = QHBoxLayout(self.pinned_bar)
        pinned_layout.setContentsMargins(8, 4, 8, 4)
        pinned_layout.addWidget(self.pinned_text, 1)
        pinned_layout.addWidget(self.pinned_clear)
        self.pinned_bar.hide()
        self._last_message = ""

        self.toolbar = QToolBar(self)
        self._build_actions()
        self.toolbar.addSeparator()
        self.act_columns = self._action("act_columns", "Columns…", self._columns_button)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        # The main window's toast when there is one (a screen on its own keeps its own).
        self.toast = ui.toast or Toast(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        # The panel scrolls on a small window rather than making the window taller.
        detail_scroll = QScrollArea(self)
        detail_scroll.setWidget(self.detail)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail.setMinimumHeight(460)
        splitter.addWidget(detail_scroll)
        # The list is what a supervisor works in; the detail panel needs less.
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.pinned_bar)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        layout.addLayout(bottom)

        self._restore_columns()
        self.filters.filter_changed.connect(self._filter_changed)
        self.model.counts_changed.connect(self.filters.set_counts)
        self.model.load_failed.connect(self._show_error)
        self.model.loading_changed.connect(lambda _b: self._update_status())
        self.model.modelAboutToBeReset.connect(self._remember_view)
        self.model.refreshed.connect(self._restore_view)
        self.model.refreshed.connect(lambda _kept: self._after_first_page())
        self.model.rowsInserted.connect(lambda *_a: self._update_status())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        header.sectionMoved.connect(lambda *_a: self._save_columns())
        header.sectionResized.connect(lambda *_a: self._save_columns())

        # Orders changed here or at another station: re-read the rows on screen.
        self.refresher = RefreshOnChange(
            ui, self, REFRESH_TOPICS, self.refresh, delay_ms=REFRESH_DEBOUNCE_MS
        )
        self._started = False

        self.model.set_filter(self.filters.current_filter())
        self._selection_changed()

    def _after_first_page(self) -> None:
        """The rows are on screen: now the filter choices (loaded earlier they would compete
        with the first page for the database and the CPU)."""
        if self._started:
            return
        self._started = True
        self._load_choices()

    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    # --- loading and refreshing -----------------------------------------------------------
    def _load_choices(self) -> None:
        def done(choices: FilterChoices) -> None:
            self.choices = choices
            self.filters.set_choices(choices)

        self._ui.tasks.run(
            queue_service.filter_choices,
            self._ui.services,
            on_done=guarded(self, done),
            on_error=lambda _e: None,
        )

    def _filter_changed(self, f: queue_service.QueueFilter) -> None:
        self._last_message = ""  # it was about orders this filter may no longer show
        self._unpin()
        self.model.set_filter(f)

    def show_selection(self, selection: OrderSelection) -> None:
        """Show exactly the orders behind a dashboard number, and say which they are."""
        self._last_message = ""
        self.pinned = selection
        self.pinned_text.setText(f"Showing {selection.description}, from the dashboard.")
        self.pinned_bar.show()
        self.filters.clear_quietly("all")
        self.model.set_filter(selection.filter)

    def clear_selection(self) -> None:
        """Back to the queue as it opens: every order still to ship."""
        self._unpin()
        self.filters.clear_quietly("open")
        self.model.set_filter(self.filters.current_filter())

    def _unpin(self) -> None:
        self.pinned = None
        self.pinned_bar.hide()

    def refresh(self) -> None:
        """Reload the rows on screen (selection and scroll position are kept)."""
        self.model.refresh()
        self.detail.reload()

    def _remember_view(self) -> None:
        self._keep_ids = self.selected_ids()
        current = self.table.currentIndex()
        self._keep_current = self.model.order_id(current.row()) if current.isValid() else None
        self._keep_scroll = self.table.verticalScrollBar().value()

    def _restore_view(self, kept: bool = True) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for order_id in self._keep_ids:
            row = self.model.row_of(order_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)
        if self._keep_current is not None:
            row = self.model.row_of(self._keep_current)
            if row is not None:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        self.table.verticalScrollBar().setValue(self._keep_scroll if kept else 0)
        self._update_status()
        self._selection_changed()

    def _update_status(self, message: str = "") -> None:
        """The status line: what the last action did (kept while the rows reload after it,
        until another filter is chosen), then how many orders are shown."""
        if message:
            self._last_message = message
        shown = self.model.rowCount()
        more = " (scroll for more)" if self.model.canFetchMore() else ""
        loading = " · loading…" if self.model.loading else ""
        text = f"{shown:,} orders shown{more}{loading}"
        said = self._last_message
        self.status.setText(f"{said} · {text}" if said else text)

    def _show_error(self, message: str) -> None:
        self.status.setText(message)

    # --- selection -----------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.order_id(r) for r in rows if r < self.model.rowCount()]

    def select_ids(self, ids: Sequence[int]) -> None:
        self._keep_ids, self._keep_current = list(ids), (ids[0] if ids else None)
        self._keep_scroll = self.table.verticalScrollBar().value()
        self._restore_view()

    def _selection_changed(self, *_args: Any) -> None:
        ids = self.selected_ids()
        actor = self._ui.services.actor
        can_hold = actor.can(Permission.HOLD_ORDERS)
        for action in (self.act_hold, self.act_release, self.act_priority, self.act_assign):
            action.setEnabled(bool(ids) and can_hold)
        self.act_wave.setEnabled(bool(ids) and can_hold)
        self.act_print.setEnabled(bool(ids))
        self.act_print_picks.setEnabled(bool(ids))
        self.act_preview.setEnabled(len(ids) == 1)
        self.act_wave_rule.setEnabled(can_hold)
        self.act_reallocate.setEnabled(can_hold or actor.can(Permission.EDIT_STOCK))
        self.act_cancel.setEnabled(bool(ids) and actor.can(Permission.CANCEL_ORDERS))
        self.detail.show_order(ids[0] if len(ids) == 1 else None)
        if len(ids) > 1:
            self.detail.title.setText(f"{len(ids)} orders selected.")

    # --- scans ---------------------------------------------------------------------------
    def handle_scan(self, scan: ScanResult) -> bool:
        """An order barcode (or a bare number the router found to be an order) opens it."""
        if scan.order_id is not None:  # `ORDID:<id>`: a number Code 128 cannot carry
            from wms_desk.services.order_detail import order_detail

            self._ui.tasks.run(
                order_detail,
                self._ui.services,
                scan.order_id,
                on_done=guarded(self, lambda detail: self.open_order(detail.number)),
                on_error=guarded(self, lambda error: self._answer(False, str(error))),
            )
            return True
        number = scan.order_number
        if number is None:
            return False
        self.open_order(number)
        return True

    def open_order(self, number: str) -> None:
        """Show the order(s) with this number, whatever their status, and select it."""

        def shown(_kept: bool) -> None:
            self.model.refreshed.disconnect(shown)
            rows = [
                r
                for r in range(self.model.rowCount())
                if (data := self.model.row_data(r)) is not None and data.number == number
            ]
            if not rows:
                self._answer(False, f"No order {number} in this database. Check the slip.")
                return
            self.select_ids([self.model.order_id(rows[0])])
            self.table.scrollTo(self.model.index(rows[0], 0))
            first = self.model.row_data(rows[0])
            assert first is not None
            status = OrderStatus(first.status).label.lower()
            more = (
                f" {len(rows)} channels use this number: check the channel column."
                if len(rows) > 1
                else ""
            )
            self._answer(True, f"Order {number} ({first.channel}): {status}.{more}")

        self.model.refreshed.connect(shown)
        self.filters.search.blockSignals(True)
        self.filters.search.setText(number)
        self.filters.search.blockSignals(False)
        self.filters.select_chip("all")

    def _answer(self, ok: bool, text: str) -> None:
        self._update_status(text)
        if self._ui.feedback is not None:
            self._ui.feedback.show(Tone.SUCCESS if ok else Tone.ERROR, text)

    # --- lifecycle -----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Nothing of its own to stop: the screen owns no thread (the station's change
        listener belongs to the composition root)."""
