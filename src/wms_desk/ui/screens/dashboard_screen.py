"""The supervisor's landing screen: the floor now, today's work per hour, and today's exceptions.

Every number is a button that opens the queue on exactly the orders behind it. The counts are
re-read on a worker after a commit that touches orders, boxes, labels or print jobs (the change
bus), never by polling the database.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain import order_status
from wms_desk.domain.dashboard import Backlog, ExceptionKind, Measure, hourly_chart
from wms_desk.domain.reports import Column, Table, ValueKind
from wms_desk.services import dashboard as dashboard_service
from wms_desk.services.dashboard import DashboardSnapshot, OrderSelection, Tile, WorkerRow
from wms_desk.ui.context import UiContext
from wms_desk.ui.first_paint import after_first_paint
from wms_desk.ui.models.paged import guarded
from wms_desk.ui.models.report_table import ReportTableModel
from wms_desk.ui.refresh import RefreshOnChange
from wms_desk.ui.widgets.bar_chart import BarChart
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.tile import NumberTile

# Lateness moves with the clock, not with commits: the counts are taken again once a minute
# (the same few indexed counts; no table is scanned).
CLOCK_MS = 60_000
_TONES = {"late": "bad", "today": "warn", "tomorrow": ""}
_MEASURES = tuple(Measure)
_WORKER_COLUMNS = (
    Column("name", "Name"),
    Column("packed", "Packed", ValueKind.COUNT),
    Column("shipped", "Shipped", ValueKind.COUNT),
)


def _section(text: str) -> QLabel:
    return named(QLabel(text), "DashSection")


class DashboardScreen(QWidget):
    """Needs from UiContext: services (a supervisor), tasks, changes (refresh)."""

    orders_requested = Signal(object)  # OrderSelection: the workspace opens the queue on it
    refreshed = Signal()

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.setObjectName("dashboard_screen")
        self.snapshot: DashboardSnapshot | None = None
        self._loading = False
        self._again = False
        self.tiles: dict[str, NumberTile] = {}

        self.clock = named(QLabel("Counting…"), "DashClock")
        header = QHBoxLayout()
        header.addWidget(named(QLabel("Today on the floor"), "ScreenTitle"))
        header.addStretch(1)
        header.addWidget(self.clock)

        left = QVBoxLayout()
        left.addWidget(_section("Orders by status now"))
        left.addLayout(self._tile_grid("status", order_status.ALL, columns=4))
        left.addWidget(_section("Backlog against ship-by"))
        left.addLayout(self._backlog_row())
        left.addWidget(_section("Exceptions today"))
        left.addLayout(self._exception_grid())
        left.addStretch(1)

        right = QVBoxLayout()
        work = QHBoxLayout()
        for key, label in (("packed", "Packed today"), ("shipped", "Shipped today")):
            work.addWidget(self._make_tile(key, label, "good"))
        self.who = named(QComboBox(), "dashboard_who")
        self.who.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.who.setMinimumContentsLength(9)
        self.who.addItem("Everyone", None)
        self.who.currentIndexChanged.connect(lambda _i: self._draw_chart())
        pick = QVBoxLayout()
        pick.addWidget(QLabel("Chart for:"))
        pick.addWidget(self.who)
        work.addLayout(pick)
        right.addWidget(_section("Packed and shipped per hour today"))
        right.addLayout(work)
        self.chart = named(BarChart(), "dashboard_chart")
        self.chart.setMinimumHeight(200)
        self.chart.empty_text = "Nothing packed or shipped yet today."
        self.chart.bar_clicked.connect(self._bar_clicked)
        right.addWidget(self.chart, 1)
        tables = QHBoxLayout()
        self.station_model = ReportTableModel(parent=self)
        self.packer_model = ReportTableModel(parent=self)
        self.station_table = self._worker_table("dashboard_stations", self.station_model)
        self.packer_table = self._worker_table("dashboard_packers", self.packer_model)
        for title, table in (
            ("Per station", self.station_table),
            ("Per packer", self.packer_table),
        ):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b> (click a number)"))
            column.addWidget(table)
            tables.addLayout(column)
        right.addLayout(tables)

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.addLayout(header)
        outer.addWidget(scroll, 1)

        self.refresher = RefreshOnChange(ui, self, dashboard_service.TOPICS, self.refresh)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        # Counted once the tiles are on screen: a supervisor's sign-in paints sooner.
        after_first_paint(self, self.refresh)

    # --- building ------------------------------------------------------------------------
    def _make_tile(self, key: str, label: str, tone: str = "") -> NumberTile:
        tile = NumberTile(label, tone, self)
        tile.setObjectName("DashTile")
        tile.setAccessibleName(label)
        tile.setProperty("key", key)
        tile.clicked.connect(lambda _checked=False, k=key: self._tile_clicked(k))
        self.tiles[key] = tile
        return tile

    def _tile_grid(
        self, prefix: str, statuses: tuple[order_status.OrderStatus, ...], columns: int
    ) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(6)
        for n, status in enumerate(statuses):
            tone = "" if status in order_status.OPEN else "quiet"
            if status is order_status.OrderStatus.ON_HOLD:
                tone = "warn"
            tile = self._make_tile(f"{prefix}:{status.value}", status.label, tone)
            grid.addWidget(tile, n // columns, n % columns)
        return grid

    def _backlog_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        for backlog in Backlog:
            row.addWidget(
                self._make_tile(f"backlog:{backlog.value}", backlog.label, _TONES[backlog.value])
            )
        return row

    def _exception_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(6)
        for n, kind in enumerate(ExceptionKind):
            grid.addWidget(
                self._make_tile(f"exception:{kind.value}", kind.label, "bad"), n // 3, n % 3
            )
        return grid

    def _worker_table(self, name: str, model: ReportTableModel) -> QTableView:
        table = named(QTableView(self), name)
        table.setModel(model)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        table.setMinimumHeight(120)
        table.clicked.connect(lambda index, t=table: self._worker_clicked(t, index))
        return table

    # --- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Count again on a worker; a request while counting runs once more afterwards."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._ui.tasks.run(
            dashboard_service.dashboard,
            self._ui.services,
            on_done=guarded(self, self._show),
            on_error=guarded(self, self._failed),
        )

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _finish(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.clock.setText(
            f"Could not count the orders: {error}. It will try again on the next change."
        )
        self._finish()

    def _show(self, snapshot: DashboardSnapshot) -> None:
        self.snapshot = snapshot
        for tile in (*snapshot.statuses,):
            self._set(f"status:{tile.key}", tile)
        for tile in snapshot.backlog:
            self._set(f"backlog:{tile.key}", tile)
        for tile in snapshot.exceptions:
            self._set(f"exception:{tile.key}", tile)
        self._set("packed", snapshot.packed_today)
        self._set("shipped", snapshot.shipped_today)
        self.station_model.set_table(self._workers_table("stations", snapshot.stations))
        self.packer_model.set_table(self._workers_table("packers", snapshot.packers))
        self._refill_who(snapshot)
        self._draw_chart()
        self.clock.setText(
            f"Counted at {snapshot.taken_at.strftime('%H:%M:%S')} · updates by itself"
        )
        self._finish()
        self.refreshed.emit()

    def _set(self, key: str, tile: Tile) -> None:
        self.tiles[key].set_count(
            tile.count, tile.capped, f"{tile.selection.description}: click to see them"
        )

    @staticmethod
    def _workers_table(key: str, rows: tuple[WorkerRow, ...]) -> Table:
        return Table(
            key,
            key.capitalize(),
            _WORKER_COLUMNS,
            tuple((r.name, r.packed.count, r.shipped.count) for r in rows),
        )

    def _refill_who(self, snapshot: DashboardSnapshot) -> None:
        current = self.who.currentData()
        self.who.blockSignals(True)
        self.who.clear()
        self.who.addItem("Everyone", None)
        for row in snapshot.stations:
            self.who.addItem(f"Station {row.name}", ("station", row.name))
        for row in snapshot.packers:
            self.who.addItem(f"Packer {row.name}", ("packer", row.name))
        found = self.who.findData(current) if current is not None else 0
        self.who.setCurrentIndex(max(found, 0))
        self.who.blockSignals(False)

    def _who(self) -> tuple[str | None, str | None]:
        data = self.who.currentData()
        if not data:
            return None, None
        kind, name = data
        return (name, None) if kind == "station" else (None, name)

    def _draw_chart(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        station, packer = self._who()
        chart = hourly_chart(snapshot.work, snapshot.last_hour, station, packer)
        self.chart.set_chart(chart if snapshot.work else None)

    # --- clicks --------------------------------------------------------------------------
    def selection_of(self, key: str) -> OrderSelection | None:
        """The orders behind a tile (what clicking it opens)."""
        snapshot = self.snapshot
        if snapshot is None:
            return None
        kind, _sep, name = key.partition(":")
        groups = {"status": snapshot.statuses, "backlog": snapshot.backlog,
                  "exception": snapshot.exceptions}  # fmt: skip
        if kind in groups:
            return next((t.selection for t in groups[kind] if t.key == name), None)
        if key == "packed":
            return snapshot.packed_today.selection
        if key == "shipped":
            return snapshot.shipped_today.selection
        return None

    def _open(self, selection: OrderSelection | None) -> None:
        """Today's work names its orders only when clicked (on a worker); then the queue."""
        if selection is None:
            return
        if selection.work is None:
            self.orders_requested.emit(selection)
            return
        self._ui.tasks.run(
            dashboard_service.orders_behind,
            self._ui.services,
            selection,
            on_done=guarded(self, self.orders_requested.emit),
            on_error=guarded(self, self._failed_link),
        )

    def _failed_link(self, error: BaseException) -> None:
        self.clock.setText(f"Could not list those orders: {error}. Click the number again.")

    def _tile_clicked(self, key: str) -> None:
        self._open(self.selection_of(key))

    def _bar_clicked(self, series: int, point: int) -> None:
        if self.snapshot is None:
            return
        station, packer = self._who()
        self._open(self.snapshot.hour_selection(_MEASURES[series], point, station, packer))

    def _worker_clicked(self, table: QTableView, index: QModelIndex) -> None:
        snapshot = self.snapshot
        if snapshot is None or index.column() == 0:
            return
        rows = snapshot.stations if table is self.station_table else snapshot.packers
        if index.row() < len(rows):
            row = rows[index.row()]
            self._open(row.packed if index.column() == 1 else row.shipped)
