"""The sign-in page typed at by real keys with the wedge filter on: nothing lost, nothing shown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.ui.keyboard import scan, type_text
from wms_desk.devices.wedge import WedgeConfig
from wms_desk.services.errors import AuthenticationFailed
from wms_desk.ui.sign_in import SignInPanel
from wms_desk.ui.tasks import TaskRunner
from wms_desk.ui.wedge_filter import WedgeFilter

WAIT = 10_000
# An ordinary typist, a fast one, and one so fast (25 keys a second) few people manage it.
HUMAN_SPEEDS_MS = (70, 55, 40)
_RUNNERS: list[TaskRunner] = []  # outlive the widgets, as the shell's runner does


@dataclass
class Checks:
    """Stand-ins for the auth services: they record what they were asked, on the worker."""

    passwords: list[tuple[str, str]] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def password(self, username: str, password: str) -> str:
        with self.lock:
            self.passwords.append((username, password))
        if (username, password) != ("sam", "super123"):
            raise AuthenticationFailed("Wrong username or password.")
        return "actor:sam"

    def badge(self, code: str) -> str:
        with self.lock:
            self.badges.append(code)
        return f"actor:{code}"


@pytest.fixture
def checks() -> Checks:
    return Checks()


@pytest.fixture
def panel(qtbot, checks: Checks) -> Iterator[SignInPanel]:
    runner = TaskRunner()
    _RUNNERS.append(runner)
    panel = SignInPanel(runner, checks.password, checks.badge, "pack-01")
    qtbot.addWidget(panel)
    wedge = WedgeFilter(WedgeConfig())
    # As the scan router hands on a scan while nobody is signed in: it is a badge.
    wedge.scan_received.connect(lambda result: panel.submit_badge(result.badge or result.data))
    app = QApplication.instance()
    app.installEventFilter(wedge)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.username.setFocus()
    qtbot.waitUntil(panel.username.hasFocus, timeout=WAIT)
    yield panel
    app.removeEventFilter(wedge)
    runner.wait_idle(5000)


def clear_text_fields(panel: SignInPanel) -> list[str]:
    """Everything the page shows in clear: what a person standing behind could read."""
    return [
        edit.text()
        for edit in panel.findChildren(QLineEdit)
        if edit.echoMode() == QLineEdit.EchoMode.Normal
    ]


@pytest.mark.parametrize("delay_ms", HUMAN_SPEEDS_MS)
def test_username_tab_password_enter_signs_in(qtbot, panel, checks, delay_ms) -> None:
    with qtbot.waitSignal(panel.signed_in, timeout=WAIT) as signed_in:
        type_text(qtbot, "sam\t", delay_ms)
        assert panel.password.hasFocus()  # Tab moved on, after the username was in its field
        type_text(qtbot, "super123\r", delay_ms)
    assert signed_in.args == ["actor:sam"]
    assert checks.passwords == [("sam", "super123")] and checks.badges == []
    assert clear_text_fields(panel) == ["sam"]  # the username, nothing else


@pytest.mark.parametrize("delay_ms", HUMAN_SPEEDS_MS)
def test_enter_in_the_username_field_moves_to_the_password(qtbot, panel, checks, delay_ms) -> None:
    type_text(qtbot, "sam\r", delay_ms)
    qtbot.waitUntil(panel.password.hasFocus, timeout=WAIT)
    with qtbot.waitSignal(panel.signed_in, timeout=WAIT):
        type_text(qtbot, "super123\r", delay_ms)
    assert checks.passwords == [("sam", "super123")]


def test_a_wrong_password_is_said_and_never_shown(qtbot, panel, checks) -> None:
    type_text(qtbot, "sam\tnot-his-password\r", 40)
    qtbot.waitUntil(panel.error.isVisible, timeout=WAIT)
    assert "Wrong username or password" in panel.error.text()
    assert "not-his-password" not in panel.error.text() + panel.status.text()
    assert clear_text_fields(panel) == ["sam"] and panel.password.text() == ""
    assert panel.password.hasFocus() and checks.badges == []


@pytest.mark.parametrize("where", ["username", "password", "badge", "sign_in_button"])
def test_a_badge_scan_signs_in_from_anywhere_on_the_page(qtbot, panel, checks, where) -> None:
    type_text(qtbot, "sa", 70)  # someone began typing, then scanned their badge instead
    widget = getattr(panel, where)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT)
    qtbot.wait(200)  # a hand goes from the keys to the scanner
    with qtbot.waitSignal(panel.signed_in, timeout=WAIT) as signed_in:
        scan(qtbot, "BADGE:PACK-0001")
    assert signed_in.args == ["actor:PACK-0001"] and checks.badges == ["PACK-0001"]
    assert (panel.username.text(), panel.password.text(), panel.badge.text()) == ("sa", "", "")
    assert checks.passwords == []
