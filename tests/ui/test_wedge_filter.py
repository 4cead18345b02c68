"""The wedge event filter with real key events: scans at scanner speed, people at typing speed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from wms_desk.devices.wedge import WedgeConfig
from wms_desk.domain.scan import GS
from wms_desk.ui.device_bridge import DeviceBridge
from wms_desk.ui.wedge_filter import WedgeFilter

# A wedge scanner types 50-500 chars/s. Its keys carry the platform's timestamps, which a busy
# machine does not stretch; a test's pauses between keys it does (a 4 ms wait can take 40 under
# load), so a test scan is one unbroken burst: -1 is QTest's "no pause".
SCANNER_DELAY_MS = -1
HUMAN_DELAY_MS = 140


class Station(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit()
        self.other = QLineEdit()
        self.button = QPushButton("OK")
        self.entered: list[str] = []
        self.field.returnPressed.connect(lambda: self.entered.append(self.field.text()))
        layout = QVBoxLayout(self)
        for widget in (self.field, self.other, self.button):
            layout.addWidget(widget)


@pytest.fixture
def station(qtbot) -> Station:
    window = Station()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.field.setFocus()
    qtbot.waitUntil(window.field.hasFocus)
    return window


@pytest.fixture
def make_filter() -> Iterator:
    installed: list[WedgeFilter] = []

    def make(config: WedgeConfig | None = None, **kwargs: object) -> WedgeFilter:
        wedge = WedgeFilter(config or WedgeConfig(), **kwargs)
        QApplication.instance().installEventFilter(wedge)
        installed.append(wedge)
        return wedge

    yield make
    for wedge in installed:
        QApplication.instance().removeEventFilter(wedge)


def scan_keys(qtbot, widget: QWidget, text: str, delay: int = SCANNER_DELAY_MS) -> None:
    qtbot.keyClicks(widget, text, delay=delay)
    qtbot.keyClick(widget, Qt.Key.Key_Return, delay=delay)


def test_a_scan_at_scanner_speed_never_reaches_the_focused_field(
    qtbot, station, make_filter
) -> None:
    wedge = make_filter()
    with qtbot.waitSignal(wedge.scan_received, timeout=10_000) as blocker:
        scan_keys(qtbot, station.field, "5901234123457")
    result = blocker.args[0]
    assert (result.data, result.kind, result.gtin) == ("5901234123457", "product", "05901234123457")
    qtbot.wait(3 * int(wedge.config.hold_s * 1000))  # nothing held back comes out later either
    assert station.field.text() == ""
    assert station.entered == []


def test_typing_at_human_speed_reaches_the_field_in_order(qtbot, station, make_filter) -> None:
    wedge = make_filter()
    scans: list[object] = []
    wedge.scan_received.connect(scans.append)
    scan_keys(qtbot, station.field, "Abc12", delay=HUMAN_DELAY_MS)
    qtbot.waitUntil(lambda: station.entered == ["Abc12"], timeout=10_000)
    assert station.field.text() == "Abc12"
    assert scans == []


def test_a_scan_works_whatever_has_focus(qtbot, station, make_filter) -> None:
    bridge = DeviceBridge()
    make_filter(bridge=bridge)
    station.field.setText("typed before")
    station.button.setFocus()
    qtbot.waitUntil(station.button.hasFocus)
    clicked: list[bool] = []
    station.button.clicked.connect(lambda: clicked.append(True))
    with qtbot.waitSignal(bridge.scan_received, timeout=10_000) as blocker:
        scan_keys(qtbot, station.button, "A-01-03")
    assert blocker.args[0].kind == "bin"
    station.other.setFocus()
    qtbot.waitUntil(station.other.hasFocus)
    with qtbot.waitSignal(bridge.scan_received, timeout=10_000) as blocker:
        scan_keys(qtbot, station.other, "ORD:100234")
    assert blocker.args[0].kind == "order"
    assert (station.field.text(), station.other.text(), clicked) == ("typed before", "", [])


def test_fnc1_substitute_becomes_gs(qtbot, station, make_filter) -> None:
    wedge = make_filter(WedgeConfig(fnc1="~"))
    with qtbot.waitSignal(wedge.scan_received, timeout=10_000) as blocker:
        scan_keys(qtbot, station.field, "]C10109506000134352~10ABC~21S42")
    result = blocker.args[0]
    assert result.data == f"0109506000134352{GS}10ABC{GS}21S42"
    assert result.gs1 == {"01": "09506000134352", "10": "ABC", "21": "S42"}
    assert station.field.text() == ""


def test_short_fast_input_is_typing_and_disabled_filter_passes_all(
    qtbot, station, make_filter
) -> None:
    wedge = make_filter(WedgeConfig(min_length=6))
    scans: list[object] = []
    wedge.scan_received.connect(scans.append)
    scan_keys(qtbot, station.field, "ab12")  # fast but shorter than min_length
    qtbot.waitUntil(lambda: station.entered == ["ab12"], timeout=10_000)
    wedge.set_config(WedgeConfig(enabled=False))
    station.field.clear()
    scan_keys(qtbot, station.field, "5901234123457")
    assert station.field.text() == "5901234123457"
    assert scans == []


def test_an_enter_shortcut_does_not_steal_the_end_of_a_scan(qtbot, station, make_filter) -> None:
    from PySide6.QtGui import QKeySequence, QShortcut

    fired: list[bool] = []
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Return), station)
    shortcut.activated.connect(lambda: fired.append(True))
    wedge = make_filter()
    with qtbot.waitSignal(wedge.scan_received, timeout=10_000) as blocker:
        scan_keys(qtbot, station.field, "CMD:COMPLETE")
    assert (blocker.args[0].kind, fired, station.field.text()) == ("command", [], "")
    qtbot.keyClick(station.field, Qt.Key.Key_Return)  # Enter on its own is still the shortcut
    assert fired == [True]


def test_install_from_a_binding_sends_scans_through_the_bridge(qtbot, station) -> None:
    from wms_desk.ui.wedge_filter import install_wedge_filter

    bridge = DeviceBridge()
    app = QApplication.instance()
    wedge = install_wedge_filter(app, {"enabled": True, "suffix": "tab", "min_length": 3}, bridge)
    try:
        with qtbot.waitSignal(bridge.scan_received, timeout=10_000) as blocker:
            qtbot.keyClicks(station.field, "A-01-03", delay=SCANNER_DELAY_MS)
            qtbot.keyClick(station.field, Qt.Key.Key_Tab, delay=SCANNER_DELAY_MS)
        assert blocker.args[0].kind == "bin"
        assert station.field.text() == "" and station.field.hasFocus()
    finally:
        app.removeEventFilter(wedge)


def test_typing_stays_where_it_was_typed_when_the_focus_moves(qtbot, station, make_filter) -> None:
    from tests.ui.keyboard import type_text

    wedge = make_filter()
    type_text(qtbot, "ab\tcd", HUMAN_DELAY_MS)  # Tab is navigation: it passes, in order
    station.button.setFocus()  # a program moves the focus while "d" may still be held
    qtbot.wait(3 * int(wedge.config.hold_s * 1000))
    assert (station.field.text(), station.other.text()) == ("ab", "cd")


def test_a_click_releases_what_was_typed_before_it(qtbot, station, make_filter) -> None:
    from tests.ui.keyboard import press

    make_filter(WedgeConfig(hold_ms=60_000))  # nothing is released by time in this test
    seen: list[str] = []
    station.button.clicked.connect(lambda: seen.append(station.field.text()))
    for char in "42":
        press(qtbot, char)
    qtbot.mouseClick(station.button, Qt.MouseButton.LeftButton)
    assert seen == ["42"]


class CountingFilter(WedgeFilter):
    def __init__(self) -> None:
        super().__init__(WedgeConfig())
        self.events = 0

    def eventFilter(self, watched, event) -> bool:
        self.events += 1
        return super().eventFilter(watched, event)


def _build_page(parent: QWidget) -> None:
    layout = parent.layout()
    for n in range(20):
        layout.addWidget(QPushButton(f"button {n}"))


def test_a_screen_built_while_suspended_skips_the_filter_and_scans_work_after(
    qtbot, station
) -> None:
    wedge = CountingFilter()
    app = QApplication.instance()
    app.installEventFilter(wedge)
    try:
        with wedge.suspended():
            _build_page(station)
            with wedge.suspended():  # nested: still out until the outer block ends
                _build_page(station)
            _build_page(station)
            assert wedge.events == 0
        _build_page(station)
        assert wedge.events > 0  # back in the event stream
        with qtbot.waitSignal(wedge.scan_received, timeout=10_000) as blocker:
            scan_keys(qtbot, station.field, "5901234123457")
        assert blocker.args[0].data == "5901234123457"
        assert station.field.text() == ""
    finally:
        app.removeEventFilter(wedge)
