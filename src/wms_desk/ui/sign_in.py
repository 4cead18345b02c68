"""The sign-in page of the station window: password or badge scan; demo accounts in demo mode."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.errors import AuthenticationFailed
from wms_desk.ui.tasks import TaskRunner
from wms_desk.ui.widgets.named import named

if TYPE_CHECKING:  # the dialog paints before the database layer is even imported
    from wms_desk.services.context import Actor

PasswordCheck = Callable[[str, str], "Actor"]
BadgeCheck = Callable[[str], "Actor"]


class SignInPanel(QWidget):
    """Checks run off the GUI thread (argon2 is slow on purpose); `actor` is set on success."""

    signed_in = Signal(object)
    retry_requested = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        check_password: PasswordCheck,
        check_badge: BadgeCheck,
        station_name: str,
        demo_users: Sequence[tuple[str, str, str, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setMaximumWidth(520)
        self._tasks = tasks
        self._check_password = check_password
        self._check_badge = check_badge
        self.actor: Actor | None = None

        title = named(QLabel("Sign in"), "LoginTitle")
        where = QLabel(f"Station {station_name}")
        self.username = QLineEdit(placeholderText="username")
        self.password = QLineEdit(placeholderText="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.badge = QLineEdit(placeholderText="scan your badge here, or anywhere")
        self.badge.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = named(QLabel("", wordWrap=True), "LoginError")
        self.error.hide()
        self.sign_in_button = named(QPushButton("Sign in"), "PrimaryButton")
        # The page is no dialog, so a default button does nothing: Enter is wired by hand.
        self.sign_in_button.clicked.connect(self.submit_password)
        self.username.returnPressed.connect(self._username_entered)
        self.password.returnPressed.connect(self.submit_password)
        self.badge.returnPressed.connect(lambda: self.submit_badge(self.badge.text()))
        self.status = QLabel("", wordWrap=True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(self.retry_requested)
        self.retry_button.hide()

        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow("Badge", self.badge)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.addWidget(title)
        layout.addWidget(where)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.status)
        layout.addWidget(self.retry_button)
        if demo_users:
            layout.addWidget(self._demo_hint(demo_users))
        self.username.setFocus()

    @staticmethod
    def _demo_hint(users: Sequence[tuple[str, str, str, str]]) -> QFrame:
        hint = named(QFrame(), "DemoHint")
        box = QVBoxLayout(hint)
        rows = "".join(
            f"<tr><td><b>{name}</b></td><td>{role}</td><td>{password}</td><td>{badge}</td></tr>"
            for name, role, password, badge in users
        )
        text = QLabel(
            "<b>Demo mode</b> — sample accounts:<table cellspacing=6>"
            "<tr><td>user</td><td>role</td><td>password</td><td>badge</td></tr>"
            f"{rows}</table>"
        )
        text.setTextFormat(Qt.TextFormat.RichText)
        box.addWidget(text)
        return hint

    def set_ready(self, ready: bool, message: str = "") -> None:
        """Disable signing in until the database is reachable and its schema is right."""
        self.sign_in_button.setEnabled(ready)
        self.status.setText(message)
        self.retry_button.hide()

    def set_unavailable(self, message: str) -> None:
        """The database cannot be used: say why and what to do, and offer to try again."""
        self.sign_in_button.setEnabled(False)
        self._show_error(message)
        self.status.setText("")
        self.retry_button.show()

    def _username_entered(self) -> None:
        if self.password.text():
            self.submit_password()
        else:
            self.password.setFocus()

    def submit_password(self) -> None:
        if not self.sign_in_button.isEnabled():
            return  # a check is running, or the database is not open yet (the status says so)
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self._show_error("Enter your username and password, or scan your badge.")
            return
        self._start(self._check_password, username, password)

    def submit_badge(self, code: str) -> None:
        self.badge.clear()
        if code.strip():
            self._start(self._check_badge, code.strip())

    def _start(self, check: Callable[..., Actor], *args: str) -> None:
        self.sign_in_button.setEnabled(False)
        self.status.setText("Checking…")
        self.error.hide()
        self._tasks.run(check, *args, on_done=self._succeeded, on_error=self._failed)

    def _succeeded(self, actor: Actor) -> None:
        self.actor = actor
        self.status.setText("")
        self.signed_in.emit(actor)

    def _failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self.status.setText("")
        if isinstance(error, AuthenticationFailed):
            self._show_error(str(error))
        else:
            self._show_error(f"Could not sign in: {error}")
        self.password.clear()
        self.password.setFocus()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def reset(self) -> None:
        self.actor = None
        self.sign_in_button.setEnabled(True)
        self.password.clear()
        self.badge.clear()
        self.error.hide()
        self.username.setFocus()
