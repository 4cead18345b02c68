"""Print preview: PDF pages rendered with pypdfium2 and shown before the job is sent."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from wms_desk.ui.widgets.screen_fit import fit_to_screen


def render_page(pdf: bytes, index: int = 0, dpi: float = 96.0) -> QImage:
    """One page as a QImage (a copy: pdfium's buffer is freed when the page closes)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        bitmap = page.render(scale=dpi / 72.0)
        image = bitmap.to_pil().convert("RGB")
        data = image.tobytes()
        qimage = QImage(
            data, image.width, image.height, image.width * 3, QImage.Format.Format_RGB888
        )
        return qimage.copy()
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


class PrintPreviewDialog(QDialog):
    """Shows the pages of `pdf`; Accept means "send it", Reject means "don't print"."""

    def __init__(
        self, pdf: bytes, title: str, parent: QWidget | None = None, dpi: float = 96.0
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview: {title}")
        self._pdf, self._dpi = pdf, dpi
        self.pages = page_count(pdf)
        self.index = 0
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.image)
        self.where = QLabel()
        self.previous = QPushButton("◀ Previous")
        self.next = QPushButton("Next ▶")
        self.previous.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next.clicked.connect(lambda: self.show_page(self.index + 1))
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton("Print", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        nav = QHBoxLayout()
        nav.addWidget(self.previous)
        nav.addWidget(self.where, 1, Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(nav)
        layout.addWidget(buttons)
        self.show_page(0)
        # The whole page width (and a scroll bar's) where the screen has room; the page's height
        # scrolls, so Print stays on the screen.
        page = self.image.sizeHint()
        fit_to_screen(self, QSize(max(720, page.width() + 60), 900))

    def show_page(self, index: int) -> None:
        self.index = max(0, min(index, self.pages - 1))
        self.image.setPixmap(QPixmap.fromImage(render_page(self._pdf, self.index, self._dpi)))
        self.where.setText(f"page {self.index + 1} of {self.pages}")
        self.previous.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < self.pages - 1)


def confirm_with_preview(pdf: bytes, title: str, parent: QWidget | None = None) -> bool:
    """Show the pages; True if the user pressed Print (then enqueue the job)."""
    return PrintPreviewDialog(pdf, title, parent).exec() == QDialog.DialogCode.Accepted
