"""The service desk resends a shipment e-mail: a customer says it never came. Whole station
(badge scan on a pty, wedge filter), the button's answer, and the outbox row it queued."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from wms_desk.db.models import Order
from wms_desk.db.models.outbox import OutboxMessage as OutboxRow
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.emails import settings as email_settings
from wms_desk.services.shipping.labels import ship_order
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.screens.service_desk_screen import ServiceDeskScreen

WAIT = 10_000


def _setup(database: Database, tmp_path: Path) -> tuple[int, int]:
    info = ensure_station(database, "desk-01")
    ctx = ServiceContext(database, system_actor(info.id, info.name))
    add_user(ctx, "cs", "service", "service123", badge="SERV-0001", display_name="Cass Service")
    import_nordpost(ctx)
    ship_from_sweden(database)
    shipped = packed_order(database, "7001", (900,))
    unshipped = packed_order(database, "7002", (900,))
    with database.write_session() as session, session.begin():
        session.execute(update(Order).values(ship_email="ada@example.com"))
    # SMTP is not reachable here and need not be: the desk only queues the message.
    email_settings.save_settings(
        ctx, host="127.0.0.1", port=2, security="none", from_address="shop@example.com"
    )
    (tmp_path / "labels").mkdir()
    ship_order(ctx, shipped, printer_url=(tmp_path / "labels").as_uri())
    return shipped, unshipped


def test_service_resends_the_shipment_email_and_is_told_when_there_is_none(
    qtbot, database: Database, start_station, scanner, tmp_path: Path
) -> None:
    shipped, unshipped = _setup(database, tmp_path)
    station = start_station("desk-01", poll_seconds=3600)
    with qtbot.waitSignal(station.window_shown, timeout=WAIT):
        scanner.scan("BADGE:SERV-0001")
    screen = station.window.workspace.current_screen()
    assert isinstance(screen, ServiceDeskScreen)
    view = screen.order_view

    def outbox_keys() -> list[str]:
        with database.read_session() as session:
            return list(session.scalars(select(OutboxRow.key).order_by(OutboxRow.key)))

    before = outbox_keys()
    assert len(before) == 1  # the e-mail queued when the label was bought
    view.show_order(shipped)
    qtbot.waitUntil(lambda: "Order 7001" in view.title.text(), timeout=WAIT)
    qtbot.waitUntil(view.resend_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(view.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "queued again" in view.message.text(), timeout=WAIT)
    assert view.message.text() == (
        "The shipment e-mail for order 7001 is queued again, to ada@example.com."
    )
    after = outbox_keys()
    assert len(after) == 2 and any(":resend:" in key for key in after)

    # An order with no label yet: the button is off, and the service would say why.
    view.show_order(unshipped)
    qtbot.waitUntil(lambda: "Order 7002" in view.title.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: station.tasks.pending == 0, timeout=WAIT)
    assert not view.resend_button.isEnabled()
