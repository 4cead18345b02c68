"""Settings > Users, driven as an admin would: real key events through the wedge filter."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from wms_desk.services import auth, users
from wms_desk.services.errors import AuthenticationFailed
from wms_desk.services.stations import ensure_station
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.settings_screen import SettingsScreen
from wms_desk.ui.screens.users_panel import UserDialog, UsersPanel
from wms_desk.ui.tasks import TaskRunner
from wms_desk.ui.wedge_filter import install_wedge_filter

HUMAN_MS = 70  # between keys: a person typing, not a scanner


@pytest.fixture
def wedge(qtbot):
    """The real app installs the wedge filter app-wide; typing must get through it."""
    app = QApplication.instance()
    wedge = install_wedge_filter(app, None)
    yield wedge
    app.removeEventFilter(wedge)


def _settings_screen(qtbot, ctx, tmp_path: Path) -> tuple[SettingsScreen, TaskRunner]:
    tasks = TaskRunner()
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    screen = SettingsScreen(UiContext(ctx, tasks, settings))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=5_000)
    return screen, tasks


def _type(qtbot, field, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text, delay=HUMAN_MS)
    if isinstance(field, QLineEdit):
        # The wedge filter holds keys until it knows they are typing, then replays them.
        qtbot.waitUntil(lambda: field.text() == text, timeout=3_000)


def _dialog(qtbot, panel: UsersPanel, button) -> UserDialog:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=3_000)
    assert panel.dialog is not None
    return panel.dialog


def _ok(qtbot, tasks: TaskRunner, dialog: UserDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10_000)


def _closed(dialog: UserDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _row(panel: UsersPanel, username: str) -> list[str]:
    for r in range(panel.table.rowCount()):
        if panel.table.item(r, 0).text() == username:
            return [panel.table.item(r, c).text() for c in range(panel.table.columnCount() - 1)]
    raise AssertionError(f"{username} is not in the list")


def _visible_text(widget) -> str:
    texts = [w.text() for w in widget.findChildren(QLineEdit) if w.echoMode() == w.EchoMode.Normal]
    texts += [w.text() for w in widget.findChildren(type(widget.message))]
    table = widget.table
    texts += [
        table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
    ]
    return "\n".join(texts)


def test_an_admin_adds_and_manages_a_user_by_typing(
    qtbot, wedge, make_ctx, database, tmp_path: Path
) -> None:
    admin = make_ctx("admin", "boss")
    screen, tasks = _settings_screen(qtbot, admin, tmp_path)
    panel = screen.users_panel
    assert panel is not None and screen.tabs.tabText(screen.tabs.count() - 1) == "Users"
    screen.show_panel(panel)
    station = ensure_station(database, "pack-1")

    # Add: every field typed, key by key.
    dialog = _dialog(qtbot, panel, panel.add_button)
    _type(qtbot, dialog.username, "dana")
    _type(qtbot, dialog.display_name, "Dana Park")
    _type(qtbot, dialog.role, "supervisor")
    assert dialog.role.currentText() == "supervisor"
    _type(qtbot, dialog.passwords.password, "dana-pass-1")
    _type(qtbot, dialog.passwords.repeat, "dana-pass-2")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "The two passwords differ" in dialog.error.text() and dialog.isVisible()
    dialog.passwords.repeat.clear()
    _type(qtbot, dialog.passwords.repeat, "dana-pass-1")
    _type(qtbot, dialog.badge, "DP-100")
    assert dialog.passwords.password.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.badge.echoMode() == QLineEdit.EchoMode.Password
    _ok(qtbot, tasks, dialog)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=3_000)
    assert _row(panel, "dana") == ["dana", "Dana Park", "supervisor", "yes", "yes"]
    assert "Added dana" in panel.message.text()
    assert auth.sign_in_with_password(admin, "dana", "dana-pass-1", station).role == "supervisor"

    # A taken username: the service's message shows in the dialog, which stays open.
    dialog = _dialog(qtbot, panel, panel.add_button)
    _type(qtbot, dialog.username, "dana")
    _type(qtbot, dialog.passwords.password, "another-1")
    _type(qtbot, dialog.passwords.repeat, "another-1")
    _ok(qtbot, tasks, dialog)
    qtbot.waitUntil(lambda: "is taken" in dialog.error.text(), timeout=3_000)
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=3_000)

    # Edit name and role.
    panel.select("dana")
    dialog = _dialog(qtbot, panel, panel.edit_button)
    dialog.display_name.selectAll()
    _type(qtbot, dialog.display_name, "Dana P.")
    _type(qtbot, dialog.role, "packer")
    _ok(qtbot, tasks, dialog)
    qtbot.waitUntil(lambda: _row(panel, "dana")[1:3] == ["Dana P.", "packer"], timeout=3_000)

    # Reset the password: the old one stops working, the new one works.
    dialog = _dialog(qtbot, panel, panel.password_button)
    _type(qtbot, dialog.passwords.password, "fresh-pass-9")
    _type(qtbot, dialog.passwords.repeat, "fresh-pass-9")
    _ok(qtbot, tasks, dialog)
    qtbot.waitUntil(lambda: "New password set for dana" in panel.message.text(), timeout=3_000)
    assert auth.sign_in_with_password(admin, "dana", "fresh-pass-9", station).username == "dana"
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        auth.sign_in_with_password(admin, "dana", "dana-pass-1", station)

    # A new badge replaces the old one.
    dialog = _dialog(qtbot, panel, panel.badge_button)
    _type(qtbot, dialog.badge, "DP-200")
    _ok(qtbot, tasks, dialog)
    qtbot.waitUntil(lambda: "Badge saved for dana" in panel.message.text(), timeout=3_000)
    assert auth.sign_in_with_badge(admin, "DP-200", station).username == "dana"
    with pytest.raises(AuthenticationFailed, match="badge is not known"):
        auth.sign_in_with_badge(admin, "DP-100", station)

    # Deactivate: the list says so, and dana cannot sign in either way.
    assert panel.active_button.text() == "Deactivate"
    qtbot.mouseClick(panel.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _row(panel, "dana")[3] == "no", timeout=5_000)
    assert "can no longer sign in" in panel.message.text()
    assert panel.active_button.text() == "Reactivate"
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        auth.sign_in_with_password(admin, "dana", "fresh-pass-9", station)
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        auth.sign_in_with_badge(admin, "DP-200", station)

    # Nothing secret is ever on screen.
    shown = _visible_text(panel)
    for secret in ("dana-pass-1", "fresh-pass-9", "DP-100", "DP-200"):
        assert secret not in shown
    actions = [
        a
        for a in _audit_actions(database)
        if a.startswith("user.")
        and a not in {"user.signed_in", "user.added"}
        and not a.startswith("user.sign_in")
    ]
    assert actions == [
        "user.renamed",
        "user.role_changed",
        "user.password_reset",
        "user.badge_changed",
        "user.activation_changed",
    ]


def _audit_actions(database) -> list[str]:
    from sqlalchemy import select

    from wms_desk.db.models import AuditEvent

    with database.read_session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("role", ["supervisor", "packer"])
def test_a_non_admin_does_not_see_the_users_panel(qtbot, make_ctx, tmp_path, role) -> None:
    screen, _ = _settings_screen(qtbot, make_ctx(role), tmp_path)
    assert screen.users_panel is None
    assert "Users" not in [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert not screen.findChildren(UsersPanel)


def test_the_list_shows_every_user_with_role_and_state(qtbot, make_ctx, tmp_path) -> None:
    admin = make_ctx("admin", "boss")
    users.add_user(admin, "ezra", "packer", badge="E-1")
    off = users.add_user(admin, "old", "packer", "old-password")
    users.set_active(admin, off.id, False)
    screen, _ = _settings_screen(qtbot, admin, tmp_path)
    panel = screen.users_panel
    assert panel is not None
    assert _row(panel, "ezra") == ["ezra", "ezra", "packer", "yes", "yes"]
    assert _row(panel, "old")[3] == "no"
    panel.select("old")
    assert panel.active_button.text() == "Reactivate"


def test_a_deactivated_user_is_told_so_on_the_sign_in_panel(
    qtbot, wedge, make_ctx, database
) -> None:
    from wms_desk.ui.sign_in import SignInPanel

    admin = make_ctx("admin", "boss")
    gone = users.add_user(admin, "gone", "packer", "gone-password", badge="G-1")
    users.set_active(admin, gone.id, False)
    station = ensure_station(database, "pack-1")
    tasks = TaskRunner()
    panel = SignInPanel(
        tasks,
        lambda u, p: auth.sign_in_with_password(admin, u, p, station),
        lambda code: auth.sign_in_with_badge(admin, code, station),
        station.name,
    )
    qtbot.addWidget(panel)
    panel.show()
    _type(qtbot, panel.username, "gone")
    _type(qtbot, panel.password, "gone-password")
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error.isVisible(), timeout=10_000)
    assert "'gone' is deactivated" in panel.error.text() and "Ask an admin" in panel.error.text()
    assert panel.actor is None
