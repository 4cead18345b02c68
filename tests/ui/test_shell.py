"""Login, role-based navigation, switching user, geometry, and the lost-database banner."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from wms_desk.app.gui import StationApp as Shell
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.main_window import MainWindow
from wms_desk.ui.navigation import ScreenSpec
from wms_desk.ui.screens.placeholder import PlaceholderScreen
from wms_desk.ui.screens.reports_screen import ReportsScreen
from wms_desk.ui.tasks import TaskRunner

SUPERVISOR_SCREENS = {"dashboard", "queue", "reports", "settings"}


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def shell(qtbot, database: Database, qsettings: QSettings, tmp_path: Path):
    station = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(station.id, station.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    add_user(admin, "sam", "supervisor", "super123", display_name="Sam Supervisor")
    settings = load_settings(
        cli={"station": "pack-01"}, environ={}, config_path=tmp_path / "none.toml"
    )
    shell = Shell(settings, database=database, qsettings=qsettings)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=10_000)
    yield shell
    shell.window.close()
    shell.shutdown()


def _sign_in(qtbot, shell: Shell, username: str, password: str) -> MainWindow:
    shell.login.username.setText(username)
    shell.login.password.setText(password)
    with qtbot.waitSignal(shell.window_shown, timeout=10_000) as shown:
        shell.login.sign_in_button.click()
    return shown.args[0]


def test_wrong_password_shows_an_error_and_opens_nothing(qtbot, shell: Shell) -> None:
    shell.login.username.setText("sam")
    shell.login.password.setText("not-his-password")
    shell.login.sign_in_button.click()
    qtbot.waitUntil(lambda: shell.login.error.isVisible(), timeout=10_000)
    assert "Wrong username or password" in shell.login.error.text()
    assert not shell.signed_in and shell.login.password.text() == ""
    assert shell.login.sign_in_button.isEnabled()


def test_packer_sees_no_supervisor_screens(qtbot, shell: Shell) -> None:
    window = _sign_in(qtbot, shell, "pat", "packer123")
    assert not SUPERVISOR_SCREENS & set(window.screen_keys)
    assert {"pick", "pack", "ship", "returns", "inventory"} <= set(window.screen_keys)
    assert window.nav.count() == len(window.screen_keys)
    assert "Pat Packer (packer)" in window.status.user.text()
    assert "pack-01" in window.status.station.text()


def test_supervisor_lands_on_the_dashboard_with_the_queue_one_click_away(
    qtbot, shell: Shell
) -> None:
    window = _sign_in(qtbot, shell, "sam", "super123")
    assert set(window.screen_keys) >= SUPERVISOR_SCREENS
    assert window.current_screen_key() == "dashboard"
    assert window.screen_keys[:2] == ["dashboard", "queue"]
    screen = window.show_screen("reports")
    assert isinstance(screen, ReportsScreen)
    assert window.current_screen_key() == "reports"
    assert window.stack.currentWidget() is screen


def test_a_screen_not_built_yet_says_what_it_will_hold(qtbot) -> None:
    spec = ScreenSpec(
        "later", "Later", Permission.VIEW_QUEUE, "Soon.", ("Throughput per station", "More")
    )
    screen = PlaceholderScreen(spec)
    qtbot.addWidget(screen)
    assert "Throughput per station" in screen.planned_list.text()


def test_badge_scan_signs_in_and_the_station_print_worker_runs(qtbot, shell: Shell) -> None:
    with qtbot.waitSignal(shell.window_shown, timeout=10_000) as shown:
        shell.login.submit_badge("PACK-0001")
    window = shown.args[0]
    assert window.ui.actor.username == "pat"
    assert window.ui.print_worker is shell.print_worker is not None
    assert "prints" in window.screen_keys


def test_unknown_badge_says_what_to_do(qtbot, shell: Shell) -> None:
    shell.login.submit_badge("STOLEN-1")
    qtbot.waitUntil(lambda: shell.login.error.isVisible(), timeout=10_000)
    assert "badge is not known" in shell.login.error.text()


def test_switch_user_returns_to_the_sign_in_page_and_a_restart_remembers_the_window(
    qtbot, shell: Shell, qsettings: QSettings
) -> None:
    window = _sign_in(qtbot, shell, "sam", "super123")
    window.show_screen("reports")
    window.resize(701, 503)  # the offscreen screen is 800x600: stay inside it
    window.sign_out()
    qtbot.waitUntil(lambda: shell.login.isVisible() and not shell.signed_in, timeout=5_000)
    assert window.pages.currentWidget() is window.sign_in_page
    assert "nobody signed in" in window.status.user.text()
    assert "&Go" not in _menu_titles(window)  # the user's menus left with them
    again = _sign_in(qtbot, shell, "sam", "super123")
    assert again is window and again.current_screen_key() == "reports"
    # The next start of the app (a new window on the same settings) opens where this one was.
    restarted = MainWindow(qsettings, QWidget(), shell.tasks)
    qtbot.addWidget(restarted)
    assert (restarted.width(), restarted.height()) == (701, 503)


def test_lost_database_shows_a_banner_and_retry_clears_it(
    qtbot, database: Database, qsettings: QSettings
) -> None:
    station = ensure_station(database, "pack-01")
    actor = system_actor(station.id, station.name)
    tasks = TaskRunner()
    settings = load_settings(cli={}, environ={}, config_path=Path("/nonexistent.toml"))
    window = MainWindow(qsettings, QWidget(), tasks)
    qtbot.addWidget(window)
    window.set_station(database, station.name)
    window.enter(UiContext(ServiceContext(database, actor), tasks, settings))
    window.show()
    dead = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    tasks.run(dead.ping)  # a background call that finds the database gone
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "Cannot reach the database" in window.banner.message.text()
    assert "unreachable" in window.status.database.text()
    window.banner.button.click()  # this window's own database is fine: retry clears the banner
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
    assert "unreachable" not in window.status.database.text()
    dead.dispose()


def _menu_titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def test_supervisor_imports_from_the_orders_menu_and_a_packer_has_none(qtbot, shell: Shell) -> None:
    window = _sign_in(qtbot, shell, "sam", "super123")
    assert "&Orders" in _menu_titles(window)
    dialog = window.open_import()
    assert dialog.isVisible() and type(dialog).__name__ == "ImportDialog"
    dialog.reject()
    window.sign_out()
    qtbot.waitUntil(lambda: not shell.signed_in, timeout=5_000)
    packer = _sign_in(qtbot, shell, "pat", "packer123")
    assert "&Orders" not in _menu_titles(packer)


def test_a_station_that_cannot_open_says_why_and_retry_opens_it_once_fixed(
    qtbot, qsettings: QSettings, tmp_path: Path
) -> None:
    # The database's folder cannot be made: a file stands where it should be.
    blocker = tmp_path / "shared-drive"
    blocker.write_text("not a folder")
    settings = load_settings(
        cli={"station": "pack-01", "db": str(blocker / "station.sqlite3")},
        environ={},
        config_path=tmp_path / "none.toml",
    )
    shell = Shell(settings, qsettings=qsettings, start_workers=False)
    try:
        shell.start()  # the first open waits for the window's first paint
        qtbot.waitUntil(lambda: shell.login.retry_button.isVisible(), timeout=10_000)
        assert not shell.login.sign_in_button.isEnabled()
        assert "shared-drive" in shell.login.error.text()  # says which file and why
        blocker.unlink()  # the cause fixed, the person presses Retry
        with qtbot.waitSignal(shell.station_opened, timeout=10_000):
            qtbot.mouseClick(shell.login.retry_button, Qt.MouseButton.LeftButton)
        assert shell.login.sign_in_button.isEnabled()
        assert not shell.login.retry_button.isVisible()
    finally:
        shell.window.close()
        shell.shutdown()
