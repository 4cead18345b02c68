"""The Reports screen's widget on its own: a run off the GUI thread with a progress bar, Cancel,
a backwards date range, and the read-only table model. The report service is a small local
stand-in here (the screen with the real service: tests/ui/test_reports_screen.py)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from wms_desk.domain.reports import (
    Chart,
    ChartKind,
    Column,
    Figure,
    Report,
    ReportCancelled,
    ReportFilters,
    ReportName,
    Series,
    Table,
    ValueKind,
)
from wms_desk.domain.roles import Role
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.report_table import ReportTableModel
from wms_desk.ui.screens.reports_screen import ReportsScreen
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000
TABLE = Table(
    "per_packer",
    "Per packer",
    (
        Column("packer", "Packer"),
        Column("orders", "Orders", ValueKind.COUNT),
        Column("median", "Median", ValueKind.SECONDS),
        Column("rate", "On time", ValueKind.PERCENT),
        Column("when", "Last", ValueKind.DATETIME),
    ),
    (
        ("Pat Packer", 12, Decimal(95), Decimal("97.5"), datetime(2026, 6, 1, 9, tzinfo=UTC)),
        ("Kim Packer", 3, None, Decimal(100), None),
    ),
)


def _report(name: ReportName, filters: ReportFilters) -> Report:
    points = (("Pat Packer", Decimal(12)), ("Kim Packer", Decimal(3)))
    chart = Chart(
        ChartKind.BAR, "Orders per packer", "Packer", "Orders", (Series("Orders", points),)
    )
    return Report(
        name, filters, datetime.now(UTC),
        figures=(Figure("orders", "Orders", 15),), tables=(TABLE,), chart=chart,
    )  # fmt: skip


class Runner:
    """Stands in for services.reports.run_report: answers at once, or waits to be cancelled."""

    def __init__(self, wait_for_cancel: bool) -> None:
        self.wait_for_cancel = wait_for_cancel
        self.started = threading.Event()
        self.calls: list[tuple[ReportName, ReportFilters]] = []

    def __call__(self, _ctx, name, filters, cancel: threading.Event) -> Report:
        self.calls.append((name, filters))
        self.started.set()
        if self.wait_for_cancel:
            if not cancel.wait(WAIT / 1000):
                raise AssertionError("never cancelled")
            raise ReportCancelled(name.label)
        return _report(name, filters)


@pytest.fixture
def make_screen(qtbot, make_ctx, tmp_path: Path):
    runners: list[TaskRunner] = []

    def make(runner: Runner) -> ReportsScreen:
        settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
        tasks = TaskRunner()
        runners.append(tasks)
        screen = ReportsScreen(UiContext(make_ctx(Role.SUPERVISOR), tasks, settings), runner=runner)
        qtbot.addWidget(screen)
        screen.show()
        return screen

    yield make
    for tasks in runners:
        tasks.wait_idle()


def test_cancel_stops_a_running_report_and_says_so(qtbot, make_screen) -> None:
    runner = Runner(wait_for_cancel=True)
    screen = make_screen(runner)
    screen.picker.setCurrentRow(list(ReportName).index(ReportName.THROUGHPUT))
    qtbot.mouseClick(screen.run_button, Qt.MouseButton.LeftButton)
    assert runner.started.wait(WAIT / 1000)
    assert screen.progress.isVisible() and not screen.run_button.isEnabled()
    assert "Running “Throughput”" in screen.status.text()
    with qtbot.waitSignal(screen.run_ended, timeout=WAIT) as ended:
        qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert ended.args == ["cancelled"]
    assert "“Throughput” was cancelled" in screen.status.text()
    assert not screen.progress.isVisible() and screen.run_button.isEnabled()
    assert not screen.cancel_button.isEnabled()
    assert screen.report is None


def test_a_report_shows_its_figures_chart_and_tables(qtbot, make_screen) -> None:
    runner = Runner(wait_for_cancel=False)
    screen = make_screen(runner)
    screen.date_from.setDate(QDate(2026, 6, 1))
    screen.date_to.setDate(QDate(2026, 6, 7))
    with qtbot.waitSignal(screen.report_shown, timeout=WAIT):
        qtbot.mouseClick(screen.run_button, Qt.MouseButton.LeftButton)
    name, filters = runner.calls[0]
    assert name is ReportName.STATUS
    assert (filters.start, filters.end) == (date(2026, 6, 1), date(2026, 6, 7))
    assert filters.timezone  # the site's zone, never empty
    assert "Orders: <b>15</b>" in screen.figures.text()
    assert screen.chart.chart is not None and screen.tabs.count() == 1
    assert screen.tabs.tabText(0) == "Per packer"
    model = screen.models[0]
    assert model.index(0, 2).data() == "1 min 35 s"
    assert model.index(0, 3).data() == "97.5 %"
    assert model.index(1, 2).data() == "—"
    assert "2 rows" in screen.status.text()


def test_a_backwards_range_is_refused_in_plain_words(qtbot, make_screen) -> None:
    runner = Runner(wait_for_cancel=False)
    screen = make_screen(runner)
    screen.date_from.setDate(QDate(2026, 6, 9))
    screen.date_to.setDate(QDate(2026, 6, 1))
    qtbot.mouseClick(screen.run_button, Qt.MouseButton.LeftButton)
    assert "ends (2026-06-01) before it starts (2026-06-09)" in screen.status.text()
    assert "Set From on or before To" in screen.status.text()
    assert runner.calls == [] and screen.run_button.isEnabled()


def test_the_report_table_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = ReportTableModel(TABLE)
    qtmodeltester.check(model, force_py=True)
    model.set_table(Table("empty", "Empty", TABLE.columns))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 0 and model.headerData(0, Qt.Orientation.Horizontal) == "Packer"
