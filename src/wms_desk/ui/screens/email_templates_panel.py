"""Settings > E-mail > Templates: a supervisor edits the customer e-mails and previews them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.emails import EmailKind, RenderedEmail
from wms_desk.services.emails import templates
from wms_desk.services.emails.templates import TemplateInfo
from wms_desk.ui.context import UiContext

KINDS = (
    (EmailKind.SHIPMENT, "Shipment e-mail"),
    (EmailKind.ORDER_RECEIVED, "Order-received e-mail"),
)


class TemplatesPanel(QGroupBox):
    said = Signal(str)
    loaded = Signal(object)
    previewed = Signal(object)

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("Customer e-mail templates", parent)
        self.ui = ui
        self.kind = QComboBox()
        for _, label in KINDS:
            self.kind.addItem(label)
        self.kind.currentIndexChanged.connect(self.load)
        self.placeholders = QLabel(wordWrap=True)
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setMinimumHeight(90)
        self.preview_view = QPlainTextEdit(readOnly=True)
        self.preview_view.setMinimumHeight(90)
        self.preview_view.setPlaceholderText("Press Preview to see it as a customer would.")
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton("Save template")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("Back to the default")
        self.reset_button.clicked.connect(self.reset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.placeholders)
        layout.addWidget(QLabel("Subject"))
        layout.addWidget(self.subject)
        layout.addWidget(self.body, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.preview_view, 2)
        self.load()

    @property
    def current_kind(self) -> EmailKind:
        return KINDS[self.kind.currentIndex()][0]

    @property
    def label(self) -> str:
        return KINDS[self.kind.currentIndex()][1].lower()

    def load(self) -> None:
        self.ui.tasks.run(
            templates.get_template,
            self.ui.services,
            self.current_kind,
            on_done=self._show,
            on_error=self._failed,
        )

    def _show(self, info: TemplateInfo) -> None:
        self.subject.setText(info.subject)
        self.body.setPlainText(info.body)
        self.placeholders.setText(
            "Placeholders: "
            + ", ".join(f"${name}" for name in info.placeholders)
            + (" (the default wording)" if info.is_default else "")
        )
        self.preview_view.clear()
        self.loaded.emit(info)

    def preview(self) -> None:
        self.ui.tasks.run(
            templates.preview,
            self.ui.services,
            self.current_kind,
            self.subject.text(),
            self.body.toPlainText(),
            on_done=self._previewed,
            on_error=self._failed,
        )

    def _previewed(self, rendered: RenderedEmail) -> None:
        self.preview_view.setPlainText(f"Subject: {rendered.subject}\n\n{rendered.body}")
        self.said.emit(f"The {self.label} for a sample order is shown below the template.")
        self.previewed.emit(rendered)

    def save(self) -> None:
        self.ui.tasks.run(
            templates.save_template,
            self.ui.services,
            self.current_kind,
            self.subject.text(),
            self.body.toPlainText(),
            on_done=lambda info: self._stored(info, "Saved the"),
            on_error=self._failed,
        )

    def reset(self) -> None:
        self.ui.tasks.run(
            templates.reset_template,
            self.ui.services,
            self.current_kind,
            on_done=lambda info: self._stored(info, "Back to the default wording of the"),
            on_error=self._failed,
        )

    def _stored(self, info: TemplateInfo, what: str) -> None:
        self._show(info)
        self.said.emit(f"{what} {self.label}; it is used for the next e-mails queued.")

    def _failed(self, error: BaseException) -> None:
        self.said.emit(f"The {self.label} was not changed. {error}")
