"""The supervisor's dashboard with the whole station installed: the hand-counted floor on the
tiles, each number opening exactly its orders in the queue, and a commit made by a service
refreshing the numbers through the change bus."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, QSize, Qt

from tests.services.dashboard_seed import Floor, seed_floor
from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.domain.dashboard import Measure
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.orders import hold_orders
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import run_unit_of_work
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings
from wms_desk.ui.screens.dashboard_screen import CLOCK_MS, DashboardScreen
from wms_desk.ui.screens.queue_screen import QueueScreen

WAIT = 10_000


@pytest.fixture
def floor(database: Database) -> Floor:
    now = datetime.now().astimezone()
    return seed_floor(database, now, now.utcoffset() or timedelta(0))


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, floor: Floor):
    info = ensure_station(database, "desk-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "sam", "supervisor", "super123", badge="SUPV-0001", display_name="Sam Boss")
    settings = load_settings(
        cli={"station": "desk-01", "poll_seconds": 3600, "data_dir": str(tmp_path)},
        environ={},
        config_path=tmp_path / "none.toml",
    )
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=20_000):
        app.start()
    yield app
    app.window.close()
    app.shutdown()


def _sign_in(qtbot, app: StationApp) -> DashboardScreen:
    """The supervisor's landing screen is the dashboard."""
    app.login.username.setText("sam")
    app.login.password.setText("super123")
    with qtbot.waitSignal(app.window_shown, timeout=WAIT):
        app.login.sign_in_button.click()
    assert app.window.current_screen_key() == "dashboard"
    screen = app.window.workspace.current_screen()
    assert isinstance(screen, DashboardScreen)
    qtbot.waitUntil(lambda: screen.snapshot is not None, timeout=WAIT)
    return screen


def _queue_numbers(qtbot, app: StationApp, expected: int) -> set[str]:
    qtbot.waitUntil(lambda: app.window.current_screen_key() == "queue", timeout=WAIT)
    queue = app.window.workspace.current_screen()
    assert isinstance(queue, QueueScreen)
    qtbot.waitUntil(
        lambda: not queue.model.loading and queue.model.rowCount() == expected, timeout=WAIT
    )
    return {queue.model.row_data(r).number for r in range(queue.model.rowCount())}


def test_the_tiles_show_the_hand_counted_floor_and_fit_a_laptop(
    qtbot, station: StationApp, laptop_screen: QSize
) -> None:
    screen = _sign_in(qtbot, station)
    text = {key: tile.count_text for key, tile in screen.tiles.items()}
    assert text["status:new"] == "3" and text["status:on_hold"] == "1"
    assert text["status:shipped"] == "2" and text["status:backordered"] == "0"
    assert (text["backlog:late"], text["backlog:today"], text["backlog:tomorrow"]) == (
        "2",
        "2",
        "1",
    )
    assert text["exception:short_pick"] == "1" and text["exception:wrong_scan"] == "2"
    assert text["exception:weight_mismatch"] == "1" and text["exception:print_failure"] == "1"
    assert text["exception:voided_label"] == "1"
    assert (text["packed"], text["shipped"]) == ("2", "2")
    assert screen.station_model.rowCount() == 2 and screen.packer_model.rowCount() == 2
    assert "Counted at" in screen.clock.text()
    assert_fits(station.window, laptop_screen)


def test_clicking_a_tile_opens_the_queue_on_exactly_its_orders(qtbot, station: StationApp) -> None:
    screen = _sign_in(qtbot, station)
    qtbot.mouseClick(screen.tiles["exception:wrong_scan"], Qt.MouseButton.LeftButton)
    assert _queue_numbers(qtbot, station, 2) == {"D-A4", "D-S1"}
    queue = station.window.workspace.current_screen()
    assert queue.pinned_bar.isVisible()
    assert "Wrong scans today: 2 orders" in queue.pinned_text.text()
    # Back to the dashboard, the late orders: the two open ones past their ship-by.
    station.window.show_screen("dashboard")
    qtbot.mouseClick(screen.tiles["backlog:late"], Qt.MouseButton.LeftButton)
    assert _queue_numbers(qtbot, station, 2) == {"D-A1", "D-A2"}
    station.window.show_screen("dashboard")
    qtbot.mouseClick(screen.tiles["backlog:tomorrow"], Qt.MouseButton.LeftButton)
    assert _queue_numbers(qtbot, station, 1) == {"D-A5"}
    # The whole queue is one click away again.
    qtbot.mouseClick(queue.pinned_clear, Qt.MouseButton.LeftButton)
    assert not queue.pinned_bar.isVisible()
    qtbot.waitUntil(lambda: not queue.model.loading, timeout=WAIT)
    assert queue.model.rowCount() == 7  # the open chip: every order still to ship


def test_a_chart_bar_and_a_packer_cell_open_their_orders(qtbot, station: StationApp) -> None:
    screen = _sign_in(qtbot, station)
    snapshot = screen.snapshot
    assert snapshot is not None
    hour = next(c.hour for c in snapshot.work if c.measure is Measure.PACKED)
    screen.chart.repaint()
    rect = screen.chart.bar_rect(0, hour)
    assert rect is not None
    point = QPoint(int(rect.center().x()), int(rect.bottom()) - 1)
    qtbot.mouseClick(screen.chart, Qt.MouseButton.LeftButton, pos=point)
    # Today's work names its orders when clicked (on a worker), then the queue comes up.
    qtbot.waitUntil(lambda: station.window.current_screen_key() == "queue", timeout=WAIT)
    queue = station.window.workspace.current_screen()
    qtbot.waitUntil(lambda: not queue.model.loading and queue.model.rowCount() >= 1, timeout=WAIT)
    assert f"Packed {hour:02d}:00" in queue.pinned_text.text()
    station.window.show_screen("dashboard")
    row = next(
        n for n in range(screen.packer_model.rowCount())
        if screen.packer_model.index(n, 0).data() == "Kim Packer"
    )  # fmt: skip
    cell = screen.packer_table.visualRect(screen.packer_model.index(row, 2)).center()
    qtbot.mouseClick(screen.packer_table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert _queue_numbers(qtbot, station, 2) == {"D-S1", "D-S2"}
    assert "Shipped today by Kim Packer: 2 orders" in queue.pinned_text.text()


def test_a_commit_by_a_service_refreshes_the_dashboard(
    qtbot, station: StationApp, floor: Floor
) -> None:
    screen = _sign_in(qtbot, station)
    assert screen.tiles["status:on_hold"].count_text == "1"
    assert screen._clock.interval() == CLOCK_MS  # the clock ticks once a minute, far away
    supervisor = station.window.ui.services
    with qtbot.waitSignal(screen.refreshed, timeout=WAIT):
        hold_orders(supervisor, [floor.ids["A6"], floor.ids["A7"]], "Address check")
    assert screen.tiles["status:on_hold"].count_text == "3"
    assert screen.tiles["status:new"].count_text == "1"


def test_a_wrong_scan_alone_refreshes_the_exceptions(
    qtbot, station: StationApp, floor: Floor
) -> None:
    """A refused scan writes only its audit row; the bus still carries it (Topic.AUDIT)."""
    screen = _sign_in(qtbot, station)
    assert screen.tiles["exception:wrong_scan"].count_text == "2"
    supervisor = station.window.ui.services

    def refused_scan(uow) -> None:  # what the pack service records for a wrong item
        uow.audit("pack.scan", "order", floor.ids["A1"], after={"outcome": "wrong_item"})

    with qtbot.waitSignal(screen.refreshed, timeout=WAIT):
        run_unit_of_work(supervisor, refused_scan)
    assert screen.tiles["exception:wrong_scan"].count_text == "3"
