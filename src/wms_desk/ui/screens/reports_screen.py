"""The Reports screen: pick a report, set the filters, run it off the GUI thread (cancellable),
and read its figures, chart and tables."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.reports import (
    Report,
    ReportCancelled,
    ReportFilters,
    ReportFormat,
    ReportName,
)
from wms_desk.services.context import ServiceContext
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.paged import guarded
from wms_desk.ui.models.report_table import ReportTableModel, format_cell
from wms_desk.ui.screens.report_choices import ReportChoices, load_choices
from wms_desk.ui.widgets.bar_chart import BarChart
from wms_desk.ui.widgets.flow_layout import FlowLayout
from wms_desk.ui.widgets.named import named

Runner = Callable[[ServiceContext, ReportName, ReportFilters, threading.Event], Report]
DEFAULT_DAYS = 7


def _service_runner(
    ctx: ServiceContext, name: ReportName, filters: ReportFilters, cancel: threading.Event
) -> Report:
    from wms_desk.services.reports import run_report

    return run_report(ctx, name, filters, cancel)


def write_report_file(report: Report, fmt: ReportFormat, path: str) -> int:
    """Runs on a worker: the bytes the CLI would write (services.report_export), to `path`."""
    from wms_desk.services.report_export import render

    data = render(report, fmt)
    Path(path).write_bytes(data)
    return len(data)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ReportsScreen(QWidget):
    """Needs from UiContext: services (a supervisor), tasks. `runner` is the report service
    (`services.reports.run_report`); a test of the widget alone may pass its own."""

    report_shown = Signal(object)  # Report
    run_ended = Signal(str)  # "done", "cancelled" or "failed"

    def __init__(
        self, ui: UiContext, parent: QWidget | None = None, runner: Runner | None = None
    ) -> None:
        super().__init__(parent)
        self._ui = ui
        self._runner = runner or _service_runner
        self.setObjectName("reports_screen")
        self.report: Report | None = None
        self._cancel: threading.Event | None = None

        self.picker = named(QListWidget(), "report_picker")
        self.picker.setFixedWidth(190)
        self.picker.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for name in ReportName:
            item = QListWidgetItem(name.label)
            item.setData(Qt.ItemDataRole.UserRole, name.value)
            self.picker.addItem(item)
        self.picker.setCurrentRow(0)
        self.picker.itemDoubleClicked.connect(lambda _i: self.run())

        today = date.today()
        self.date_from = named(QDateEdit(_qdate(today).addDays(1 - DEFAULT_DAYS)), "report_from")
        self.date_to = named(QDateEdit(_qdate(today)), "report_to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.all_dates = named(QCheckBox("All dates"), "report_all_dates")
        self.all_dates.toggled.connect(self._dates_toggled)
        self.channel = self._combo("report_channel")
        self.carrier = self._combo("report_carrier")
        self.station = self._combo("report_station")
        self.packer = self._combo("report_packer")
        self.run_button = named(QPushButton("Run"), "report_run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = named(QPushButton("Cancel"), "report_cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_csv = named(QPushButton("Export CSV…"), "report_export_csv")
        self.export_pdf = named(QPushButton("Export PDF…"), "report_export_pdf")
        self.export_dialog: QFileDialog | None = None
        for button, fmt in (
            (self.export_csv, ReportFormat.CSV),
            (self.export_pdf, ReportFormat.PDF),
        ):
            button.setEnabled(False)
            button.setToolTip("Run a report first; then save it as a file.")
            button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
        strip = QWidget(self)
        bar = FlowLayout(strip, spacing=6)
        for caption, widget in (
            ("From", self.date_from), ("To", self.date_to), ("", self.all_dates),
            ("Channel", self.channel), ("Carrier", self.carrier),
            ("Station", self.station), ("Packer", self.packer),
        ):  # fmt: skip
            bar.addWidget(self._pair(caption, widget))
        bar.addWidget(self.run_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.export_csv)
        bar.addWidget(self.export_pdf)

        self.progress = named(QProgressBar(), "report_progress")
        self.progress.setRange(0, 0)  # busy: a report cannot say how far it has got
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.status = named(
            QLabel("Pick a report, set the filters and press Run."), "report_status"
        )
        self.status.setWordWrap(True)
        status_row = QHBoxLayout()
        status_row.addWidget(self.progress)
        status_row.addWidget(self.status, 1)

        self.title = named(QLabel(""), "ScreenTitle")
        self.figures = named(QLabel(""), "report_figures")
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.chart = named(BarChart(), "report_chart")
        self.chart.empty_text = "This report has no chart."
        self.tabs = named(QTabWidget(), "report_tables")
        self.models: list[ReportTableModel] = []
        results = QSplitter(Qt.Orientation.Vertical, self)
        results.addWidget(self.chart)
        results.addWidget(self.tabs)
        results.setStretchFactor(0, 2)
        results.setStretchFactor(1, 3)

        right = QVBoxLayout()
        right.addWidget(strip)
        right.addLayout(status_row)
        right.addWidget(self.title)
        right.addWidget(self.figures)
        right.addWidget(results, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addLayout(right, 1)

        ui.tasks.run(
            load_choices, ui.services, on_done=guarded(self, self._set_choices),
            on_error=lambda _e: None,
        )  # fmt: skip

    # --- the filter bar ------------------------------------------------------------------
    def _combo(self, name: str) -> QComboBox:
        combo = named(QComboBox(), name)
        combo.setMinimumContentsLength(8)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.addItem("Any", None)
        return combo

    def _pair(self, caption: str, widget: QWidget) -> QWidget:
        pair = QWidget(self)
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        if caption:
            label = QLabel(caption + ":", pair)
            label.setBuddy(widget)
            row.addWidget(label)
        row.addWidget(widget)
        return pair

    def _dates_toggled(self, every: bool) -> None:
        self.date_from.setEnabled(not every)
        self.date_to.setEnabled(not every)

    def _set_choices(self, choices: ReportChoices) -> None:
        for combo, values in (
            (self.channel, choices.channels), (self.carrier, choices.carriers),
            (self.station, choices.stations), (self.packer, choices.packers),
        ):  # fmt: skip
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("Any", None)
            for value, text in values:
                combo.addItem(text, value)
            combo.blockSignals(False)

    def selected_name(self) -> ReportName:
        item = self.picker.currentItem()
        return ReportName(item.data(Qt.ItemDataRole.UserRole)) if item else ReportName.STATUS

    def current_filters(self) -> ReportFilters:
        """What the bar says; raises ValueError (shown in plain words) for a backwards range."""
        start = end = None
        if not self.all_dates.isChecked():
            start = self.date_from.date().toPython()
            end = self.date_to.date().toPython()
        return ReportFilters(
            start=start,  # type: ignore[arg-type]  # QDate.toPython() is a date
            end=end,  # type: ignore[arg-type]
            channel=self.channel.currentData(),
            carrier=self.carrier.currentData(),
            station=self.station.currentData(),
            packer=self.packer.currentData(),
            timezone=self._ui.settings.timezone,
        )

    # --- running -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._cancel is not None

    def run(self) -> None:
        if self.running:
            return
        name = self.selected_name()
        try:
            filters = self.current_filters()
        except ValueError as exc:
            self.status.setText(f"{exc} Set From on or before To, then press Run.")
            return
        cancel = threading.Event()
        self._cancel = cancel
        self._busy(True)
        self.status.setText(f"Running “{name.label}”… Cancel stops it.")

        def failed(error: BaseException) -> None:
            self._failed(name, error)

        self._ui.tasks.run(
            self._runner, self._ui.services, name, filters, cancel,
            on_done=guarded(self, self._show), on_error=guarded(self, failed),
        )  # fmt: skip

    def cancel(self) -> None:
        if self._cancel is None:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status.setText(f"Cancelling “{self.selected_name().label}”…")

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.picker.setEnabled(not busy)
        for button in (self.export_csv, self.export_pdf):
            button.setEnabled(not busy and self.report is not None)

    # --- exporting -----------------------------------------------------------------------
    def export(self, fmt: ReportFormat) -> QFileDialog | None:
        """Ask where to save the report on screen as `fmt` (CSV or PDF), then write it."""
        report = self.report
        if report is None:
            return None
        ext = fmt.value
        dialog = QFileDialog(self, f"Save “{report.title}” as {ext.upper()}")
        dialog.setObjectName("report_export_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # Qt's own dialog: the same on every desktop, and typed into like any other.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setNameFilter(f"{ext.upper()} files (*.{ext})")
        dialog.setDefaultSuffix(ext)
        dialog.selectFile(f"{report.name.value}-{report.generated_at:%Y%m%d-%H%M}.{ext}")
        dialog.fileSelected.connect(lambda path: self._write(report, fmt, path))
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def _write(self, report: Report, fmt: ReportFormat, path: str) -> None:
        what = f"“{report.title}” as {fmt.value.upper()}"
        self.status.setText(f"Saving {what}…")
        self._ui.tasks.run(
            write_report_file, report, fmt, path,
            on_done=guarded(self, lambda _n: self.status.setText(f"Saved {what} to {path}.")),
            on_error=guarded(self, lambda e: self.status.setText(
                f"Could not save {what} to {path}: {e}. Choose another folder or name."
            )),
        )  # fmt: skip

    def _ended(self, how: str) -> None:
        self._cancel = None
        self._busy(False)
        self.run_ended.emit(how)

    def _failed(self, name: ReportName, error: BaseException) -> None:
        if isinstance(error, ReportCancelled):
            self.status.setText(
                f"“{name.label}” was cancelled; nothing changed. Press Run to start again."
            )
            self._ended("cancelled")
            return
        self.status.setText(
            f"“{name.label}” could not be made: {error}. Change the filters or try again."
        )
        self._ended("failed")

    def _show(self, report: Report) -> None:
        self.report = report
        self.title.setText(report.title)
        self.figures.setText(
            "  ·  ".join(
                f"{f.label}: <b>{format_cell(f.value, f.kind)}</b>" for f in report.figures
            )
        )
        self.chart.set_chart(report.chart)
        self.chart.setVisible(report.chart is not None)
        self._show_tables(report)
        rows = sum(len(t.rows) for t in report.tables)
        notes = " ".join(report.notes)
        empty = " No rows for these filters." if report.empty and not notes else ""
        self.status.setText(f"“{report.title}”: {rows:,} rows.{empty} {notes}".strip())
        self._ended("done")
        self.report_shown.emit(report)

    def _show_tables(self, report: Report) -> None:
        self.tabs.clear()
        self.models = []
        for table in report.tables:
            model = ReportTableModel(table, self)
            proxy = QSortFilterProxyModel(self)
            proxy.setSourceModel(model)
            proxy.setSortRole(Qt.ItemDataRole.UserRole)
            view = QTableView(self)
            view.setObjectName(f"report_table_{table.key}")
            view.setModel(proxy)
            view.setSortingEnabled(True)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setAlternatingRowColors(True)
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.horizontalHeader().setStretchLastSection(True)
            self.tabs.addTab(view, table.title)
            self.models.append(model)
