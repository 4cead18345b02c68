"""Settings > Users (admins): add users, change name and role, set badges, reset passwords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.roles import Role
from wms_desk.services import users
from wms_desk.services.changes import Topic
from wms_desk.services.users import MIN_PASSWORD_LENGTH, UserInfo
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.named import named

ROLES = tuple(role.value for role in Role)


def _secret(placeholder: str) -> QLineEdit:
    """Passwords and badge codes are never shown, not even while typed."""
    field = QLineEdit(placeholderText=placeholder)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _role_box(current: str = Role.PACKER.value) -> QComboBox:
    box = QComboBox()
    box.addItems(ROLES)
    box.setCurrentText(current)
    return box


class UserDialog(QDialog):
    """A form whose OK asks the panel to run the change; it closes only when the change worked.

    Our own QDialog with QLineEdits (not QInputDialog) so the keyboard-wedge filter treats its
    fields like any other text field.
    """

    submitted = Signal()

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = named(QLabel("", wordWrap=True), "FormError")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = QLabel(intro, wordWrap=True)
        layout.addWidget(text)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def problem(self) -> str | None:
        """What is wrong with the fields, checked before anything is sent."""
        return None

    def _submit(self) -> None:
        problem = self.problem()
        if problem:
            self.fail(problem)
            return
        self.error.hide()
        self.ok_button.setEnabled(False)  # one change at a time; re-enabled by fail()
        self.submitted.emit()

    def fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.ok_button.setEnabled(True)


class PasswordFields:
    """A new password typed twice."""

    def __init__(self, dialog: UserDialog, label: str = "Password") -> None:
        self.password = _secret(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.repeat = _secret("the same again")
        dialog.form.addRow(label, self.password)
        dialog.form.addRow("Repeat", self.repeat)

    def problem(self, required: bool = True) -> str | None:
        password = self.password.text()
        if not password and not required:
            return None
        if len(password) < MIN_PASSWORD_LENGTH:
            return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
        if password != self.repeat.text():
            return "The two passwords differ. Type the same password in both fields."
        return None


class AddUserDialog(UserDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add user",
            "A new user signs in with the password, the badge, or either. Tell them the "
            "password yourself; it is not shown again.",
            parent,
        )
        self.username = QLineEdit(placeholderText="e.g. kim (no spaces)")
        self.display_name = QLineEdit(placeholderText="shown on screens (default: username)")
        self.role = _role_box()
        self.form.addRow("Username", self.username)
        self.form.addRow("Name", self.display_name)
        self.form.addRow("Role", self.role)
        self.passwords = PasswordFields(self)
        self.badge = _secret("scan or type the badge code (optional)")
        self.form.addRow("Badge", self.badge)

    def problem(self) -> str | None:
        if not self.username.text().strip():
            return "Enter a username."
        if not self.passwords.password.text() and not self.badge.text().strip():
            return "Give the user a password, a badge, or both."
        return self.passwords.problem(required=False)


class EditUserDialog(UserDialog):
    def __init__(self, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Edit {user.username}", "Change the name shown and the role.", parent)
        self.user = user
        self.display_name = QLineEdit(user.display_name)
        self.role = _role_box(user.role.value)
        self.form.addRow("Name", self.display_name)
        self.form.addRow("Role", self.role)

    def problem(self) -> str | None:
        return None if self.display_name.text().strip() else "Enter a name."


class PasswordDialog(UserDialog):
    def __init__(self, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Reset {user.username}'s password",
            f"Type a new password for {user.display_name}, then tell them what it is.",
            parent,
        )
        self.user = user
        self.passwords = PasswordFields(self, "New password")

    def problem(self) -> str | None:
        return self.passwords.problem()


class BadgeDialog(UserDialog):
    def __init__(self, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Badge for {user.username}",
            "Type the code on the new badge (it replaces the old one), or leave it empty to "
            "take the badge away.",
            parent,
        )
        self.user = user
        self.badge = _secret("badge code")
        self.form.addRow("Badge code", self.badge)


class UsersPanel(QWidget):
    """The list of users and one button per action; every change goes through a service."""

    COLUMNS = ("Username", "Name", "Role", "Active", "Badge", "Last sign-in")
    changed = Signal(object)  # UserInfo after a change committed

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.users: list[UserInfo] = []
        self.dialog: UserDialog | None = None
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton("Add user…")
        self.edit_button = QPushButton("Edit name and role…")
        self.password_button = QPushButton("Reset password…")
        self.badge_button = QPushButton("Set badge…")
        self.active_button = QPushButton("Deactivate")
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.password_button.clicked.connect(self.reset_password)
        self.badge_button.clicked.connect(self.set_badge)
        self.active_button.clicked.connect(self.toggle_active)
        self.message = QLabel("", wordWrap=True)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.password_button,
            self.badge_button,
            self.active_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        # Another admin's change (here or at another station) shows without a manual refresh.
        if ui.changes is not None:
            ui.changes.changed.connect(self._on_changes)
        self._selection_changed()
        self.reload()

    # -- the list --------------------------------------------------------------------------

    def reload(self) -> None:
        self.ui.tasks.run(users.list_users, self.ui.services, on_done=self._show)

    def _on_changes(self, changes: Any) -> None:
        if Topic.USERS in changes:
            self.reload()

    def _show(self, rows: list[UserInfo]) -> None:
        selected = self.selected()
        self.users = sorted(rows, key=lambda u: u.username)
        self.table.setRowCount(len(self.users))
        for r, user in enumerate(self.users):
            last = user.last_login_at
            values = (
                user.username,
                user.display_name,
                user.role.value,
                "yes" if user.active else "no",
                "yes" if user.has_badge else "no",
                last.astimezone().strftime("%Y-%m-%d %H:%M") if last else "never",
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        if selected is not None:
            self.select(selected.username)
        self._selection_changed()

    def _replace(self, info: UserInfo) -> None:
        """Show what the service returned at once; the change bus brings everyone else's."""
        self._show([u for u in self.users if u.id != info.id] + [info])
        self.select(info.username)

    def select(self, username: str) -> None:
        for r, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(r)
                return

    def selected(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.edit_button, self.password_button, self.badge_button):
            button.setEnabled(user is not None)
        self.active_button.setEnabled(user is not None)
        self.active_button.setText("Reactivate" if user and not user.active else "Deactivate")

    # -- actions ---------------------------------------------------------------------------

    def _open(self, dialog: UserDialog, work: Callable[[], UserInfo], done: str) -> None:
        """Show the dialog; on OK run `work` off the GUI thread, close on success."""
        self.dialog = dialog

        def succeeded(info: UserInfo) -> None:
            dialog.accept()
            self._replace(info)
            self.message.setText(done.format(user=info.username))
            self.changed.emit(info)

        def failed(error: BaseException) -> None:
            dialog.fail(str(error))

        dialog.submitted.connect(
            lambda: self.ui.tasks.run(work, on_done=succeeded, on_error=failed)
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()

    def add_user(self) -> None:
        dialog = AddUserDialog(self)
        ctx = self.ui.services

        def work() -> UserInfo:
            return users.add_user(
                ctx,
                dialog.username.text().strip(),
                dialog.role.currentText(),
                password=dialog.passwords.password.text() or None,
                badge=dialog.badge.text().strip() or None,
                display_name=dialog.display_name.text().strip() or None,
            )

        self._open(dialog, work, "Added {user}.")

    def edit_user(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = EditUserDialog(user, self)
        ctx = self.ui.services

        def work() -> UserInfo:
            info = user
            name = dialog.display_name.text().strip()
            if name != user.display_name:
                info = users.set_display_name(ctx, user.id, name)
            if dialog.role.currentText() != user.role.value:
                info = users.set_role(ctx, user.id, dialog.role.currentText())
            return info

        self._open(dialog, work, "Saved {user}.")

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = PasswordDialog(user, self)
        ctx = self.ui.services

        def work() -> UserInfo:
            return users.reset_password(ctx, user.id, dialog.passwords.password.text())

        self._open(dialog, work, "New password set for {user}. Tell them what it is.")

    def set_badge(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = BadgeDialog(user, self)
        ctx = self.ui.services

        def work() -> UserInfo:
            return users.set_badge(ctx, user.id, dialog.badge.text().strip() or None)

        self._open(dialog, work, "Badge saved for {user}.")

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        active = not user.active

        def done(info: UserInfo) -> None:
            self._replace(info)
            self.message.setText(
                f"{info.username} can sign in again."
                if info.active
                else f"{info.username} is deactivated and can no longer sign in. "
                "Reactivate to undo."
            )
            self.changed.emit(info)

        self.ui.tasks.run(
            users.set_active,
            self.ui.services,
            user.id,
            active,
            on_done=done,
            on_error=lambda error: self.message.setText(str(error)),
        )
