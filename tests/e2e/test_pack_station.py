"""The Pack screen end to end: the whole station, a scanner and a scale simulator on real ptys,
scans typed by nobody. What the packer sees (lines, boxes, next action, flash, sound) is checked,
and what was committed is read back."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from tests.e2e.pack_station import (  # noqa: F401 - fixtures
    GLASS,
    MUG,
    PHONE,
    order,
    pack_station,
    put_on_scale,
    scale,
    scan,
    scanner,
    sign_in,
)
from tests.e2e.pack_station import open_order as open_by_scan
from wms_desk.db.models import AuditEvent, Order, Package
from wms_desk.domain.packing import ScanOutcome
from wms_desk.ui.feedback import Tone


def _status(station, number: str) -> str:
    with station.database.read_session() as s:
        return s.scalar(select(Order.status).where(Order.number == number))


def test_a_single_item_order_packs_by_scans_alone(qtbot, pack_station) -> None:
    order(pack_station.database, "1001", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    assert pack_station.app.workspace.current_screen_key() == "pack"
    session = open_by_scan(qtbot, pack_station, "1001")
    assert session.order_number == "1001"
    assert screen.model.rowCount() == 1 and "MUG-BLUE" in screen.model.index(0, 1).data()
    verdict = scan(qtbot, pack_station, MUG.code)
    assert verdict.outcome is ScanOutcome.VERIFIED
    assert screen.model.index(0, 5).data().startswith("1")
    expected = screen.session.packages[0].expected_weight_g
    put_on_scale(qtbot, pack_station, expected)
    assert screen.session.packages[0].weight_g == expected
    done = scan(qtbot, pack_station, "CMD:COMPLETE")
    assert done.session.completed
    assert pack_station.app.feedback.sounds.played[-1] is Tone.COMPLETE
    assert "packed" in screen.next_action.text()
    assert _status(pack_station, "1001") == "packed"
