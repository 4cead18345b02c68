"""`system://NAME`: PDFs to an OS printer through QtPrintSupport, pages rasterised by pdfium."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from wms_desk.printing import transports
from wms_desk.printing.transports import OutcomeUnknown, PrinterUnreachable

RASTER_DPI = 300


def printer_names() -> list[str]:
    from PySide6.QtPrintSupport import QPrinterInfo

    return [info.printerName() for info in QPrinterInfo.availablePrinters()]


@dataclass(frozen=True)
class SystemPrinterTransport:
    name: str

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        from PySide6.QtCore import QRect, Qt
        from PySide6.QtGui import QPainter
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        from wms_desk.ui.print_preview import page_count, render_page

        if fmt != "pdf":
            raise PrinterUnreachable(f"system://{self.name} prints PDFs only, not {fmt}.")
        info = QPrinterInfo.printerInfo(self.name)
        if info.isNull():
            raise PrinterUnreachable(f"There is no system printer named {self.name!r}.")
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title or job_id)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterUnreachable(f"The system printer {self.name!r} cannot start a job.")
        try:
            for index in range(page_count(payload)):
                if index:
                    printer.newPage()
                image = render_page(payload, index, RASTER_DPI)
                target = painter.viewport()
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(0, 0, scaled.width(), scaled.height()), image)
        except Exception as exc:  # pages already handed to the spooler may print
            painter.end()
            raise OutcomeUnknown(f"Printing to {self.name} stopped: {exc}") from exc
        if not painter.end():
            raise OutcomeUnknown(f"The system printer {self.name!r} did not finish the job.")


def transport(url: str) -> SystemPrinterTransport:
    parts = urlsplit(url)
    return SystemPrinterTransport(unquote(parts.netloc + parts.path).strip("/"))


def register() -> None:
    """Called by the GUI at start-up so the print worker can reach system printers."""
    transports.register("system", transport)
