"""The Ship screen with the whole station: each label's tracking status and delivery date,
and a supervisor's open alert with Acknowledge, refreshed from the change bus."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.domain.tracking import TrackingEvent, TrackingStatus
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.shipping import tracking
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens.ship_screen import ShipScreen

S = TrackingStatus


@pytest.fixture
def admin(database: Database) -> ServiceContext:
    info = ensure_station(database, "ship-01")
    return ServiceContext(database, system_actor(info.id, info.name))


@pytest.fixture
def station(qtbot, database: Database, tmp_path: Path, admin: ServiceContext):
    add_user(admin, "sam", "supervisor", "super123", badge="SUPV-0001", display_name="Sam")
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat")
    import_nordpost(admin)
    ship_from_sweden(database)
    packed_order(database, "S-200", (900, 1400))
    (tmp_path / "labels").mkdir()
    settings = load_settings(
        cli={"station": "ship-01", "poll_seconds": 3600, "data_dir": str(tmp_path),
             "label_printer": (tmp_path / "labels").as_uri()},
        environ={},
        config_path=tmp_path / "none.toml",
    )  # fmt: skip
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=20_000):
        app.start()
    yield app
    app.window.close()
    app.shutdown()


def _sign_in(qtbot, app: StationApp, badge: str) -> ShipScreen:
    with qtbot.waitSignal(app.window_shown, timeout=10_000):
        app.login.submit_badge(badge)
    screen = app.window.show_screen("ship")
    assert isinstance(screen, ShipScreen)
    return screen


def test_tracking_status_delivery_date_and_an_alert_to_acknowledge(
    qtbot, station: StationApp, admin: ServiceContext, laptop_screen: QSize
) -> None:
    screen = _sign_in(qtbot, station, "SUPV-0001")
    with qtbot.waitSignal(screen.rates_loaded, timeout=10_000):
        screen.order.setFocus()
        qtbot.keyClicks(screen.order, "S-200")
        qtbot.keyClick(screen.order, Qt.Key.Key_Return)
    with qtbot.waitSignal(screen.board_loaded, timeout=10_000):
        qtbot.mouseClick(screen.buy_button, Qt.MouseButton.LeftButton)
    board = screen.board_model
    qtbot.waitUntil(lambda: board.rowCount() == 2, timeout=10_000)
    column = [board.headerData(c, Qt.Orientation.Horizontal) for c in range(board.columnCount())]
    tracked = column.index("Tracking status")
    assert board.data(board.index(0, tracked)) == ""
    assert not screen.alerts.isVisible()
    first, second = (r.tracking for r in board.rows)

    # Noon UTC: the same local date in every time zone a station is likely in.
    # The carrier's scans arrive (another process, a webhook): the screen hears the commit.
    tracking.record_events(admin, [
        TrackingEvent(first, S.DELIVERED, datetime(2026, 12, 3, 14, 5, tzinfo=UTC), "Nacka"),
        TrackingEvent(second, S.IN_TRANSIT, datetime(2026, 12, 3, 9, tzinfo=UTC), "Kista"),
    ])  # fmt: skip
    qtbot.waitUntil(lambda: board.data(board.index(0, tracked)) == "In transit", timeout=10_000)
    tracking.record_events(admin, [
        TrackingEvent(second, S.DELIVERED, datetime(2026, 12, 4, 12, tzinfo=UTC), "Kista"),
    ])  # fmt: skip
    qtbot.waitUntil(
        lambda: board.data(board.index(1, tracked)) == "Delivered 4 Dec 2026", timeout=10_000
    )
    assert board.data(board.index(0, tracked)) == "Delivered 4 Dec 2026"  # the whole shipment

    with qtbot.waitSignal(screen.alerts.alerts_loaded, timeout=10_000):
        tracking.record_events(admin, [
            TrackingEvent(second, S.EXCEPTION, datetime(2026, 12, 5, 8, tzinfo=UTC), "Kista",
                          "Package damaged"),
        ])  # fmt: skip
    qtbot.waitUntil(screen.alerts.isVisible, timeout=10_000)
    text = screen.alerts.text.text()
    assert "Order S-200" in text and second in text and "damaged" in text
    assert_fits(station.window, laptop_screen)

    with qtbot.waitSignal(screen.alerts.acknowledged, timeout=10_000):
        qtbot.mouseClick(screen.alerts.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.alerts.isVisible(), timeout=10_000)
    line = station.window.feedback_line
    assert line.tone is Tone.SUCCESS and "acknowledged" in line.text and "S-200" in line.text
    assert tracking.list_alerts(admin) == ()


def test_a_packer_sees_tracking_but_no_alerts(
    qtbot, station: StationApp, admin: ServiceContext, database: Database, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from wms_desk.db.models import Order
    from wms_desk.services.shipping import labels

    with database.read_session() as session:
        order_id = session.scalar(select(Order.id).where(Order.number == "S-200"))
    assert order_id is not None
    bought = labels.ship_order(admin, order_id, printer_url=(tmp_path / "labels").as_uri())
    code = bought.labels[0].tracking
    tracking.record_events(admin, [
        TrackingEvent(code, S.RETURNED_TO_SENDER, datetime(2026, 12, 5, 8, tzinfo=UTC)),
    ])  # fmt: skip
    assert len(tracking.list_alerts(admin)) == 1
    screen = _sign_in(qtbot, station, "PACK-0001")
    board = screen.board_model
    qtbot.waitUntil(lambda: board.rowCount() == 2, timeout=10_000)
    assert [r.tracking_words for r in board.rows] == ["Returned to sender"] * 2
    qtbot.waitUntil(lambda: station.tasks.pending == 0, timeout=10_000)
    assert not screen.alerts.allowed and not screen.alerts.isVisible()
