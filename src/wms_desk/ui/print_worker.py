"""The print worker for the GUI: the service worker's thread, its events as Qt signals."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from wms_desk.printing import transports
from wms_desk.services.database import Database
from wms_desk.services.print_queue import PrintJobInfo, PrintWorker


class QtPrintWorker(QObject):
    """Owns a PrintWorker thread; `job_finished` arrives on the GUI thread (queued signal).

    `printer_problem(printer, message, advice)` is what the window turns into a toast.
    The worker wakes by itself when a commit announces print jobs (the change bus).
    """

    job_finished = Signal(str, object)  # event ("sent", "failed", "unknown"), PrintJobInfo
    printer_problem = Signal(str, str, str)
    # One "not answering" toast per printer per this many seconds, not one per retry.
    REPEAT_SECONDS = 60.0

    def __init__(
        self, database: Database, station_id: int | None, parent: QObject | None = None,
        **options: Any,
    ) -> None:
        super().__init__(parent)
        self.worker = PrintWorker(database, station_id, listener=self._heard, **options)
        self._last_told: dict[str, float] = {}
        self.toast: Any = None  # set by install(): where printer problems are shown

    def _heard(self, event: str, job: PrintJobInfo) -> None:
        # Runs on the worker thread: only emit, Qt queues delivery to the GUI thread.
        self.job_finished.emit(event, job)
        if event == "sent":
            self._last_told.pop(job.printer_url, None)
        if event == "failed":
            now = time.monotonic()
            if now - self._last_told.get(job.printer_url, -1e9) < self.REPEAT_SECONDS:
                return
            self._last_told[job.printer_url] = now
            self.printer_problem.emit(
                f"Printer {job.printer} is not answering",
                f"{job.title or job.document} will be retried. "
                f"{transports.advice(job.printer_url)}",
                job.last_error,
            )
        elif event == "unknown":
            self.printer_problem.emit(
                f"Did {job.title or job.document} print on {job.printer}?",
                "The printer took the job but never confirmed it. Check the printer; "
                "a supervisor can reprint it from the print queue.",
                job.last_error,
            )

    def start(self) -> None:
        self.worker.start()

    def wake(self) -> None:
        self.worker.wake()

    def stop(self) -> None:
        self.worker.stop()


def install(database: Database, station_id: int | None, window: QWidget) -> QtPrintWorker:
    """Composition root helper: system:// printers, the station's worker, and its toast.

    One worker per station for the life of the process: jobs queued before a restart are sent
    as soon as the app is back, whether or not anyone has signed in. Screens find it as
    `ui.print_worker`; it wakes on the change bus, nobody calls `wake()`. `stop()` on shutdown.
    """
    from wms_desk.ui import system_printer
    from wms_desk.ui.widgets.toast import Toast

    system_printer.register()
    worker = QtPrintWorker(database, station_id, window)
    worker.toast = Toast(window)
    worker.printer_problem.connect(
        lambda title, detail, _error: worker.toast.show_message(title, detail)
    )
    worker.start()
    return worker
