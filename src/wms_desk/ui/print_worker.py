"""The print worker for the GUI: the service worker's thread, its events as Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from wms_desk.printing import transports
from wms_desk.services.database import Database
from wms_desk.services.print_queue import PrintJobInfo, PrintWorker


class QtPrintWorker(QObject):
    """Owns a PrintWorker thread; `job_finished` arrives on the GUI thread (queued signal).

    `printer_problem(printer, message, advice)` is what the window turns into a toast.
    Call `wake()` after a unit of work that enqueued jobs commits.
    """

    job_finished = Signal(str, object)  # event ("sent", "failed", "unknown"), PrintJobInfo
    printer_problem = Signal(str, str, str)

    def __init__(
        self, database: Database, station_id: int | None, parent: QObject | None = None,
        **options: object,
    ) -> None:
        super().__init__(parent)
        self.worker = PrintWorker(database, station_id, listener=self._heard, **options)  # type: ignore[arg-type]

    def _heard(self, event: str, job: PrintJobInfo) -> None:
        # Runs on the worker thread: only emit, Qt queues delivery to the GUI thread.
        self.job_finished.emit(event, job)
        if event == "failed":
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
