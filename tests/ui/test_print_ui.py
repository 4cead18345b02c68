"""Print queue view, toast, preview, the Qt print worker and the system:// transport."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.printing.servers import closed_port
from wms_desk.printing import transports
from wms_desk.printing.model import Address, PackingSlip, SlipLine
from wms_desk.printing.slip import packing_slip_pdf
from wms_desk.services import print_queue
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import run_unit_of_work
from wms_desk.settings import Settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.tasks import TaskRunner


def _enqueue(ctx: ServiceContext, url: str, title: str) -> str:
    return run_unit_of_work(
        ctx,
        lambda uow: print_queue.enqueue(
            uow, document="label", payload=b"^XA^XZ", fmt="zpl", printer_url=url, title=title
        ),
    )


@pytest.fixture
def jobs(system_ctx: ServiceContext) -> dict[str, str]:
    """One failed job (closed port) and one unknown job."""
    failed = _enqueue(system_ctx, f"tcp://127.0.0.1:{closed_port()}", "Label failed")
    print_queue.PrintWorker(system_ctx.database, system_ctx.actor.station_id).run_pending()
    unknown = _enqueue(system_ctx, "tcp://127.0.0.1:9", "Label unknown")
    run_unit_of_work(
        system_ctx,
        lambda uow: setattr(uow.session.get(print_queue.PrintJob, unknown), "status", "unknown"),
    )
    return {"failed": failed, "unknown": unknown}


@pytest.fixture
def make_view(qtbot: Any, make_ctx: Any) -> Iterator[Any]:
    from wms_desk.ui.print_queue_view import PrintQueueView

    runners: list[TaskRunner] = []

    def make(role: str) -> PrintQueueView:
        runner = TaskRunner()
        runners.append(runner)
        ui = UiContext(make_ctx(role), runner, Settings({"poll_seconds": 3600}))
        with qtbot.waitSignal(ui.tasks.busy_changed, timeout=10_000):
            view = PrintQueueView(ui)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
        return view

    yield make
    for runner in runners:
        runner.wait_idle()


def _select(view: Any, job_id: str) -> None:
    row = next(i for i, job in enumerate(view.model.jobs) if job.id == job_id)
    view.table.selectRow(row)


def test_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, make_view: Any, jobs: dict[str, str]
) -> None:
    view = make_view("supervisor")
    qtmodeltester.check(view.model)
    assert {j.status for j in view.model.jobs} == {"failed", "unknown"}


def test_retry_and_cancel_from_the_view(
    qtbot: Any, make_view: Any, jobs: dict[str, str], system_ctx: ServiceContext
) -> None:
    view = make_view("packer")
    _select(view, jobs["failed"])
    assert view.retry_button.isEnabled() and not view.reprint_button.isEnabled()
    with qtbot.waitSignal(view.action_done, timeout=10_000):
        view.retry_button.click()
    assert print_queue.get_job(system_ctx, jobs["failed"]).status == "queued"
    qtbot.waitUntil(
        lambda: view.selected_job() is not None and view.selected_job().status == "queued",
        timeout=10_000,
    )
    with qtbot.waitSignal(view.action_done, timeout=10_000):
        view.cancel_button.click()
    assert print_queue.get_job(system_ctx, jobs["failed"]).status == "cancelled"
    _select(view, jobs["unknown"])
    assert not view.retry_button.isEnabled()
    assert "never confirmed" in view.message.text()


def test_supervisor_reprints_an_unknown_job_with_a_reason(
    qtbot: Any, make_view: Any, jobs: dict[str, str], system_ctx: ServiceContext
) -> None:
    view = make_view("supervisor")
    _select(view, jobs["unknown"])
    assert view.reprint_button.isEnabled()
    view.ask_reason = lambda job: "nothing came out of the printer"
    with qtbot.waitSignal(view.action_done, timeout=10_000):
        view.reprint_button.click()
    reprints = [j for j in print_queue.list_jobs(system_ctx) if j.reprint_of == jobs["unknown"]]
    assert len(reprints) == 1 and reprints[0].reason == "nothing came out of the printer"
    view.ask_reason = lambda job: None  # the supervisor changes their mind: nothing happens
    view.reprint_button.click()
    assert len([j for j in print_queue.list_jobs(system_ctx) if j.reprint_of]) == 1


def test_toast_names_the_printer_and_hides_itself(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from wms_desk.ui.widgets.toast import Toast

    window = QWidget()
    window.resize(800, 600)
    qtbot.addWidget(window)
    window.show()
    toast = Toast(window, msecs=100)
    toast.show_message("Printer 10.0.0.5:9100 (tcp) is not answering", "Check the cable.")
    assert toast.isVisible() and "10.0.0.5" in toast.title.text()
    assert toast.geometry().right() <= window.width()
    qtbot.waitUntil(lambda: not toast.isVisible(), timeout=5_000)


def test_qt_print_worker_reports_an_offline_printer(qtbot: Any, system_ctx: ServiceContext) -> None:
    from wms_desk.ui.print_worker import QtPrintWorker

    port = closed_port()
    worker = QtPrintWorker(system_ctx.database, system_ctx.actor.station_id, poll_seconds=60)
    _enqueue(system_ctx, f"tcp://127.0.0.1:{port}", "Label 42")
    try:
        with qtbot.waitSignal(worker.printer_problem, timeout=15_000) as problem:
            worker.start()
            worker.wake()
    finally:
        worker.stop()
    title, detail, error = problem.args
    assert f"127.0.0.1:{port}" in title and "switched on" in detail and "Cannot connect" in error


def _slip(lines: int) -> bytes:
    slip = PackingSlip(
        Address("Co"),
        "1",
        "ORD:1",
        None,
        date(2026, 1, 1),
        Address("Zoë"),
        None,
        tuple(SlipLine(f"S{i}", "thing", "A-01-01", 1, 1) for i in range(lines)),
    )
    return packing_slip_pdf(dataclasses.replace(slip))


def test_preview_renders_pages(qtbot: Any) -> None:
    from wms_desk.ui.print_preview import PrintPreviewDialog, render_page

    pdf = _slip(60)
    image = render_page(pdf, 0, 72)
    assert (image.width(), image.height()) == (612, 792)
    assert image.pixelColor(5, 5).name() == "#ffffff"  # paper, not garbage
    dialog = PrintPreviewDialog(pdf, "Slip 1")
    qtbot.addWidget(dialog)
    assert dialog.pages >= 2 and dialog.where.text() == f"page 1 of {dialog.pages}"
    dialog.next.click()
    assert dialog.where.text() == f"page 2 of {dialog.pages}"
    assert not dialog.image.pixmap().isNull()


def test_system_printer_transport_refuses_unknown_printer() -> None:
    from wms_desk.ui import system_printer

    system_printer.register()
    with pytest.raises(transports.PrinterUnreachable, match="no system printer"):
        transports.send("system://No Such Printer", _slip(1), "job", "pdf")
    with pytest.raises(transports.PrinterUnreachable, match="PDFs only"):
        transports.send("system://Any", b"^XA^XZ", "job", "zpl")


def test_install_shows_a_toast_for_an_offline_printer(
    qtbot: Any, system_ctx: ServiceContext, tmp_path: Any
) -> None:
    from PySide6.QtWidgets import QWidget

    from wms_desk.ui.print_worker import install

    window = QWidget()
    window.resize(900, 600)
    qtbot.addWidget(window)
    window.show()
    port = closed_port()
    _enqueue(system_ctx, tmp_path.as_uri(), "Label to folder")
    _enqueue(system_ctx, f"tcp://127.0.0.1:{port}", "Label to dead printer")
    # The station's worker starts with the app, signed in or not, and sends what was queued.
    worker = install(system_ctx.database, system_ctx.actor.station_id, window)
    try:
        toast = worker.toast
        qtbot.waitUntil(lambda: toast.isVisible(), timeout=15_000)
        assert f"127.0.0.1:{port}" in toast.title.text()
        assert "switched on" in toast.detail.text()
        qtbot.waitUntil(lambda: (tmp_path / "Label_to_folder.zpl").exists(), timeout=15_000)
    finally:
        worker.stop()


def test_repeated_failures_tell_once(qtbot: Any, system_ctx: ServiceContext) -> None:
    from wms_desk.ui.print_worker import QtPrintWorker

    worker = QtPrintWorker(system_ctx.database, system_ctx.actor.station_id)
    told: list[str] = []
    worker.printer_problem.connect(lambda title, detail, error: told.append(title))
    url = f"tcp://127.0.0.1:{closed_port()}"
    for _ in range(3):
        _enqueue(system_ctx, url, "Label")
    # Run on this (the GUI) thread, so each signal is delivered before run_pending returns.
    assert worker.worker.run_pending() == 3
    assert len(told) == 1


def test_the_view_refreshes_from_the_change_bus_alone(qtbot: Any, make_ctx: Any) -> None:
    """A job queued by a service call (not by the view) appears without polling or a click."""
    from wms_desk.ui.change_signals import ChangeSignals
    from wms_desk.ui.print_queue_view import PrintQueueView

    ctx = make_ctx("supervisor")
    runner = TaskRunner()
    changes = ChangeSignals(ctx.database.changes)
    ui = UiContext(ctx, runner, Settings({"poll_seconds": 3600}), changes=changes)
    view = PrintQueueView(ui)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert view.model.rowCount() == 0
    try:
        _enqueue(ctx, f"tcp://127.0.0.1:{closed_port()}", "Label from elsewhere")
        qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
        assert view.model.jobs[0].title == "Label from elsewhere"
    finally:
        changes.stop()
        runner.wait_idle()
