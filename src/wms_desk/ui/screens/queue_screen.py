"""The supervisor's queue screen: filter bar, the order table, actions, and the detail panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Permission
from wms_desk.services import orders as order_service
from wms_desk.services import queue as queue_service
from wms_desk.services import waves
from wms_desk.services.notifications import ChangeWatcher
from wms_desk.services.queue import FilterChoices
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import COLUMNS, QueueModel, guarded
from wms_desk.ui.screens.queue_detail import OrderDetailPanel
from wms_desk.ui.screens.queue_filters import QueueFilterBar
from wms_desk.ui.screens.queue_prompts import QueuePrompts

SETTINGS_ORG, SETTINGS_APP = "wms-desk", "wms-desk"
HEADER_KEY = "queue/header_state"
# Hidden until the supervisor picks them in the column chooser.
DEFAULT_HIDDEN = ("email", "country", "created_at", "total", "units", "hold_reason")
REFRESH_DEBOUNCE_MS = 250


class _ChangeBridge(QObject):
    """Carries the watcher thread's callback onto the GUI thread as a signal."""

    changed = Signal()


class QueueScreen(QWidget):
    """Needs from UiContext: services (the signed-in supervisor), tasks, settings.poll_seconds."""

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

        self.toolbar = QToolBar(self)
        self._build_actions()
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

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._bridge = _ChangeBridge(self)
        self._bridge.changed.connect(self._refresh_timer.start)
        poll = float(getattr(ui.settings, "poll_seconds", 5.0) or 5.0)
        self.watcher = ChangeWatcher(ui.services.database, self._bridge.changed.emit, poll)
        self.destroyed.connect(lambda *_a, w=self.watcher: w.stop(0.5))
        self._started = False

        self.model.set_filter(self.filters.current_filter())
        self._selection_changed()

    def _after_first_page(self) -> None:
        """The rows are on screen: now the filter choices and the change watcher (started
        earlier they would compete with the first page for the database and the CPU)."""
        if self._started:
            return
        self._started = True
        self._load_choices()
        self.watcher.start()

    # --- building ------------------------------------------------------------------------
    def _action(
        self, name: str, text: str, slot: Callable[[], None], shortcut: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_refresh = self._action("act_refresh", "Refresh", self.refresh, "F5")
        self.toolbar.addSeparator()
        self.act_hold = self._action("act_hold", "Hold…", self.hold_selected, "H")
        self.act_release = self._action("act_release", "Release", self.release_selected, "R")
        self.act_priority = self._action("act_priority", "Priority…", self.prioritise, "P")
        self.act_assign = self._action("act_assign", "Assign…", self.assign_selected, "A")
        self.act_cancel = self._action("act_cancel", "Cancel…", self.cancel_selected, "Delete")
        self.toolbar.addSeparator()
        self.act_wave = self._action("act_wave", "Wave from selection", self.wave_selected, "W")
        self.act_wave_rule = self._action("act_wave_rule", "Wave by rule…", self.wave_by_rule)
        self.act_print = self._action(
            "act_print", "Print slips", lambda: self.print_selected("slips"), "Ctrl+P"
        )
        self.act_print_picks = self._action(
            "act_print_picks",
            "Print pick lists",
            lambda: self.print_selected("pick_lists"),
            "Ctrl+Shift+P",
        )
        self.act_preview = self._action(
            "act_preview", "Preview slip…", self.preview_slip, "Ctrl+Alt+P"
        )
        self.act_export = self._action("act_export", "Export CSV…", self.export_csv, "Ctrl+E")
        self.toolbar.addSeparator()
        self.act_columns = self._action("act_columns", "Columns…", self._columns_button)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self._focus_search)
        self.addAction(find)

    # --- columns -------------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _settings(self) -> QSettings:
        # The composition root (or a test) hands over the station's QSettings.
        given = self._ui.qsettings
        return given if given is not None else QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore_columns(self) -> None:
        header = self.table.horizontalHeader()
        state = self._settings().value(HEADER_KEY)
        if state is None or not header.restoreState(state):
            for i, column in enumerate(COLUMNS):
                header.setSectionHidden(i, column.key in DEFAULT_HIDDEN)
            for i, width in enumerate((110, 95, 170, 130, 60, 100, 80, 50)):
                header.resizeSection(i, width)

    def _save_columns(self) -> None:
        self._settings().setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def column_visible(self, key: str) -> bool:
        index = [c.key for c in COLUMNS].index(key)
        return not self.table.horizontalHeader().isSectionHidden(index)

    def set_column_visible(self, key: str, visible: bool) -> None:
        index = [c.key for c in COLUMNS].index(key)
        self.table.horizontalHeader().setSectionHidden(index, not visible)
        self._save_columns()

    def _column_menu_for(self) -> QMenu:
        menu = QMenu(self)
        for column in COLUMNS:
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(self.column_visible(column.key))
            action.toggled.connect(lambda on, key=column.key: self.set_column_visible(key, on))
        return menu

    def _column_menu(self, pos: QPoint) -> None:
        self._column_menu_for().exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _columns_button(self) -> None:
        self._column_menu_for().exec(self.mapToGlobal(self.toolbar.geometry().bottomLeft()))

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
        self.model.set_filter(f)

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
        shown = self.model.rowCount()
        more = " (scroll for more)" if self.model.canFetchMore() else ""
        loading = " · loading…" if self.model.loading else ""
        text = f"{shown:,} orders shown{more}{loading}"
        self.status.setText(f"{message} · {text}" if message else text)

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
        self.act_cancel.setEnabled(bool(ids) and actor.can(Permission.CANCEL_ORDERS))
        self.detail.show_order(ids[0] if len(ids) == 1 else None)
        if len(ids) > 1:
            self.detail.title.setText(f"{len(ids)} orders selected.")

    # --- actions -------------------------------------------------------------------------
    def _run_action(self, verb: str, fn: Callable[..., Any], *args: Any) -> None:
        def done(result: Any) -> None:
            count = len(result) if isinstance(result, list | tuple) else None
            message = self._describe(verb, result, count)
            self._update_status(message)
            self.action_finished.emit(message)
            self.refresh()

        def failed(error: BaseException) -> None:
            message = f"{verb} failed: {error}"
            self._update_status(message)
            self.prompts.error(verb, str(error))
            self.action_finished.emit(message)

        self._ui.tasks.run(
            fn,
            self._ui.services,
            *args,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    @staticmethod
    def _describe(verb: str, result: Any, count: int | None) -> str:
        if isinstance(result, waves.WaveSummary):
            return f"Wave {result.name} created with {len(result.order_ids)} orders."
        if isinstance(result, waves.AssignmentResult):
            who = " / ".join(p for p in (result.station, result.packer) if p) or "nobody"
            return f"{len(result.order_ids)} orders assigned to {who}."
        if verb.endswith("queued") and count is not None:
            return f"{verb}: {count} print job(s) for the document printer."
        if isinstance(result, int):
            return f"{verb}: {result:,} orders written."
        return f"{verb}: {count} orders." if count is not None else f"{verb} done."

    def hold_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        reason = self.prompts.reason("Hold orders", f"Why hold {len(ids)} order(s)?")
        if reason:
            self._run_action("Held", order_service.hold_orders, ids, reason)

    def release_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            reason = self.prompts.reason("Release orders", "Note for the history (optional):")
            self._run_action("Released", order_service.release_orders, ids, reason or "")

    def prioritise(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        row = self.model.row_data(self.model.row_of(ids[0]) or 0)
        value = self.prompts.priority(row.priority if row else 0)
        if value is not None:
            self._run_action("Priority set", order_service.set_priority, ids, value)

    def assign_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        choice = self.prompts.assignment(self.choices)
        if choice is not None:
            self._run_action(
                "Assigned", waves.assign_orders, ids, choice.station_id, choice.user_id
            )

    def cancel_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        numbers = [
            r.number for r in (self.model.row_data(self.model.row_of(i) or 0) for i in ids) if r
        ]
        shown = ", ".join(numbers[:5]) + (" …" if len(numbers) > 5 else "")
        if not self.prompts.confirm(
            "Cancel orders",
            f"Cancel {len(ids)} order(s): {shown}?\nReserved stock goes back to the bins.",
        ):
            return
        reason = self.prompts.reason("Cancel orders", "Why are they cancelled?")
        if reason:
            self._run_action("Cancelled", order_service.cancel_orders, ids, reason)

    def wave_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._run_action("Wave", waves.create_wave, ids)

    def wave_by_rule(self) -> None:
        rule = self.prompts.wave_rule(self.choices)
        if rule is not None:
            self._run_action(
                "Wave", waves.create_wave_by_rule, rule.service, rule.max_orders, rule.single_item
            )

    def print_selected(self, kind: str) -> None:
        """Queue slips or pick lists on this station's document printer (the print queue
        sends them; a dead printer shows there, not here)."""
        ids = self.selected_ids()
        if ids:
            verb = "Slips queued" if kind == "slips" else "Pick lists queued"
            self._run_action(verb, queue_service.print_documents, ids, kind, self._ui.settings)

    def preview_slip(self) -> None:
        """Render the current order's slip off the GUI thread, show it, queue it on Print."""
        ids = self.selected_ids()
        if not ids:
            return
        order_id = ids[0]
        from wms_desk.services import documents

        company = documents.company_address(self._ui.settings)

        def show(pdf: bytes) -> None:
            self.slip_previewed.emit(pdf)
            if self.confirm_preview(pdf, "Packing slip"):
                self._run_action(
                    "Slip queued", queue_service.print_documents, [order_id], "slips",
                    self._ui.settings,
                )

        self._ui.tasks.run(
            documents.packing_slip_pdf_for, self._ui.services, order_id, company,
            on_done=guarded(self, show),
            on_error=guarded(self, lambda error: self._show_error(str(error))),
        )

    def confirm_preview(self, pdf: bytes, title: str) -> bool:
        from wms_desk.ui.print_preview import confirm_with_preview

        return confirm_with_preview(pdf, title, self)

    def export_csv(self) -> None:
        path = self.prompts.export_path()
        if path is None:
            return
        ids = self.selected_ids()
        sort, descending = self.model.sort_key
        current = self.model.filter

        def export(ctx: Any) -> int:
            # Several selected orders: just those; otherwise everything the filter shows.
            return queue_service.export_csv(
                ctx, current, path, sort, descending, ids if len(ids) > 1 else None
            )

        self._run_action("Exported", export)

    # --- lifecycle -----------------------------------------------------------------------
    def shutdown(self) -> None:
        self.watcher.stop(1.0)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
