"""The Returns screen with the whole station installed: a parcel found by its return label's
tracking number, a serial that did not ship refused, then the list's filters and search and
an RMA's detail resolved through its dialog (real keys, wedge filter on)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from sqlalchemy import select

from tests.services.test_rma_support import MUG_CODE, TEE_CODE, seed_catalogue, shipped_order
from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.db.models import OrderLine, Package, PackCapture
from wms_desk.domain.returns import Reason
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma, set_return_tracking
from wms_desk.services.returns.views import RmaFilter, rma_detail
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens.returns_screen import ReturnsScreen

HUMAN_MS = 70
WAIT = 10_000
LAPTOP = QSize(1366, 768)
RETURN_TRACKING = "RR100000231SE"


@pytest.fixture
def admin(database: Database) -> ServiceContext:
    info = ensure_station(database, "returns-01")
    ctx = ServiceContext(database, system_actor(info.id, info.name))
    seed_catalogue(ctx)
    add_user(ctx, "sam", "supervisor", "super123", badge="SUPV-0001", display_name="Sam Boss")
    mugs = shipped_order(ctx, "6201", [("MUG", 2, "10.00", "0", "0")], customer="Ada Byron")
    shipped_order(ctx, "6202", [("TEE", 1, "20.00", "0", "0")], customer="Alan Turing")
    with database.write_session() as session, session.begin():
        # Packing captured the mugs' serials: only these two can come back on 6201.
        line_id = session.scalar(select(OrderLine.id).where(OrderLine.order_id == mugs))
        package = Package(order_id=mugs, seq=1)
        session.add(package)
        session.flush()
        for serial in ("SN-1", "SN-2"):
            session.add(
                PackCapture(
                    order_line_id=line_id, package_id=package.id, kind="serial", value=serial
                )
            )
    return ctx


@pytest.fixture
def station(admin: ServiceContext, start_station) -> StationApp:
    return start_station("returns-01")


def _scan(qtbot, station: StationApp, scanner, code: str, says: str) -> None:
    with qtbot.waitSignal(station.router.routed, timeout=WAIT) as routed:
        scanner.scan(code)
    assert routed.args[1] == "screen:returns"
    qtbot.waitUntil(lambda: says in station.window.feedback_line.text, timeout=WAIT)


def test_receive_by_return_label_refuse_a_stranger_serial_then_list_and_resolve(
    qtbot, station: StationApp, scanner, admin: ServiceContext, laptop_screen
) -> None:
    mugs = create_rma(admin, "6201", [ReturnLineRequest("MUG", 2, Reason.NO_LONGER_NEEDED)])
    tee = create_rma(admin, "6202", [ReturnLineRequest("TEE", 1, Reason.DAMAGED)])
    set_return_tracking(admin, tee.number, RETURN_TRACKING)
    with qtbot.waitSignal(station.window_shown, timeout=WAIT):
        scanner.scan("BADGE:SUPV-0001")
    screen = station.window.show_screen("returns")
    assert isinstance(screen, ReturnsScreen)

    # The return label's tracking number on the parcel opens its RMA.
    _scan(qtbot, station, scanner, RETURN_TRACKING, f"Return {tee.number} is open")
    _scan(qtbot, station, scanner, TEE_CODE, "TEE received (1 of 1)")
    screen.disposition_buttons[next(iter(screen.disposition_buttons))].click()  # quarantine
    qtbot.waitUntil(lambda: "Item quarantined" in station.window.feedback_line.text, timeout=WAIT)

    # A mug whose serial did not ship on 6201 is refused, naming the serial and the order.
    _scan(qtbot, station, scanner, f"RMA:{mugs.number}", f"Return {mugs.number} is open")
    with qtbot.waitSignal(station.router.routed, timeout=WAIT):
        scanner.scan(MUG_CODE)  # no serial typed: the station asks for it
    qtbot.waitUntil(lambda: "type this unit's serial" in screen.next_action.text(), timeout=WAIT)
    screen.serial.setFocus()
    qtbot.keyClicks(screen.serial, "SN-9", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: screen.serial.text() == "SN-9", timeout=3_000)
    with qtbot.waitSignal(station.router.routed, timeout=WAIT):
        scanner.scan(MUG_CODE)
    qtbot.waitUntil(
        lambda: "Serial SN-9 of MUG did not ship with order 6201" in screen.next_action.text(),
        timeout=WAIT,
    )
    assert station.window.feedback_line.tone is Tone.ERROR
    screen.serial.clear()
    qtbot.keyClicks(screen.serial, "SN-1", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: screen.serial.text() == "SN-1", timeout=3_000)
    _scan(qtbot, station, scanner, MUG_CODE, "MUG received (1 of 2)")
    assert screen.serial.text() == ""
    assert [u.serial for u in rma_detail(admin, mugs.number).units] == ["SN-1"]

    # The list: open returns, then those inspected and waiting to be resolved, then a search.
    panel = screen.returns_list
    screen.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT)
    panel.filter.setCurrentIndex(panel.filter.findData(RmaFilter.INSPECTED))
    qtbot.waitUntil(lambda: [r.number for r in panel.model.rows] == [tee.number], timeout=WAIT)
    panel.filter.setCurrentIndex(panel.filter.findData(RmaFilter.ALL))
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "byron", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: [r.number for r in panel.model.rows] == [mugs.number], timeout=WAIT)
    assert panel.count.text() == "1 return"
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=WAIT)

    # The detail of the parcel received: the unit's condition and disposition, then resolved.
    panel.table.selectRow([r.number for r in panel.model.rows].index(tee.number))
    detail = panel.detail
    qtbot.waitUntil(
        lambda: detail.detail is not None and detail.detail.number == tee.number, timeout=WAIT
    )
    unit = detail.units_model.rows[0]
    assert (unit.sku, unit.condition, unit.disposition) == ("TEE", "new", "quarantine")
    assert detail.refund.text() == "Not resolved yet: no refund recorded."
    assert detail.resolve_button.isEnabled()
    dialog = detail.resolve()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3_000)
    assert_fits(dialog, laptop_screen)
    dialog.reference.setFocus()
    qtbot.keyClicks(dialog.reference, "PSP-77", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: dialog.reference.text() == "PSP-77", timeout=3_000)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: f"Return {tee.number} resolved" in detail.message.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: detail.refund.text().startswith("Refund "), timeout=WAIT)
    assert "ref PSP-77" in detail.refund.text()
    assert rma_detail(admin, tee.number).status == "resolved"
    assert_fits(station.window, laptop_screen)

    station.window.resize(LAPTOP)
    folder = Path(os.environ.get("WMS_DESK_SCREENSHOT_DIR") or station.settings.data_dir)
    assert station.window.grab().save(str(folder / "returns-list.png"))


def test_the_list_and_desk_models_pass_qtmodeltester(qtmodeltester) -> None:
    from datetime import UTC, datetime

    from wms_desk.services.returns.service_desk import OrderHit
    from wms_desk.services.returns.views import RmaSummary
    from wms_desk.ui.screens.returns_list import RmaListModel
    from wms_desk.ui.screens.service_desk_screen import HitsModel

    now = datetime.now(UTC)
    returns = RmaListModel()
    returns.set_rows(
        [
            RmaSummary("R1", "6201", "received", "refund", 2, 2, now, 1, "Ada", ""),
            RmaSummary("R2", "6202", "open", "exchange", 1, 0, now, 0, "Alan", "RR1SE"),
        ]
    )
    qtmodeltester.check(returns)
    assert returns.data(returns.index(0, 5)) == "1 of 2"  # inspected of received
    hits = HitsModel()
    hits.set_rows([OrderHit(1, "6201", "shop", "on_hold", "Ada", "a@x.se", "+46 8 1", None)])
    qtmodeltester.check(hits)
    assert hits.data(hits.index(0, 2)) == "On hold"
