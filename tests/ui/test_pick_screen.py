"""The Pick screen with the whole station installed, driven by the scanner simulator on a pty:
it always says what to scan next; wrong bins are red; batches go into totes; skip, stock-out and
quantity entry (only where the station allows it)."""

from __future__ import annotations

from dataclasses import replace

from tests.e2e import pack_station as fixtures
from tests.e2e.pack_station import (
    MUG,
    Item,
    add_items,
    scan,
    sign_in,
)
from tests.services import packdata
from wms_desk.domain.picking import PickOutcome, PickStage
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import PickPolicy, StationRules
from wms_desk.services import allocation, waves
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.packing.cartons import save_station_rules
from wms_desk.ui.feedback import Tone

# The whole-station fixtures (pytest finds them by these names).
pack_station = fixtures.pack_station
scale = fixtures.scale
scanner = fixtures.scanner

PEN = Item("SKU-PEN", "4006381333962")


def _allocated(station, number: str, lines) -> int:
    admin = ServiceContext(station.database, system_actor(station.station_id, "pack-01"))
    oid = packdata.order(station.database, number, lines, status="new")
    assert allocation.run_allocation(admin, [oid]).allocated == 1
    return oid


def _pick_screen(qtbot, station):
    sign_in(qtbot, station)
    screen = station.app.window.show_screen("pick")
    qtbot.waitUntil(lambda: screen.idle, timeout=10_000)
    hint = station.app.window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
    return screen


def _stock(station) -> None:
    add_items(station.database, PEN)
    packdata.stock(station.database, "A-01-05", "SKU-PEN", 10)
    packdata.stock(station.database, "A-01-02", MUG.sku, 8)


def test_a_single_order_is_picked_bin_then_item_and_says_what_next(qtbot, pack_station) -> None:
    _stock(pack_station)
    _allocated(pack_station, "2001", [(MUG.sku, 1), ("SKU-PEN", 2)])
    screen = _pick_screen(qtbot, pack_station)
    assert not screen.qty.isVisibleTo(screen)  # this station wants a scan per unit
    opened = scan(qtbot, pack_station, "ORD:2001")
    assert opened.name == "2001"
    assert screen.next_action.text() == "Scan bin A-01-02"
    assert screen.bin.text() == "A-01-02"
    wrong = scan(qtbot, pack_station, "A-01-05")
    assert wrong.outcome is PickOutcome.WRONG_BIN
    assert pack_station.app.window.feedback_line.tone is Tone.ERROR
    assert "Scan bin A-01-02" in pack_station.app.window.feedback_line.text
    assert scan(qtbot, pack_station, "A-01-02").outcome is PickOutcome.BIN_CONFIRMED
    assert screen.next_action.text().startswith("Scan item MUG-BLUE")
    assert scan(qtbot, pack_station, MUG.code).outcome is PickOutcome.PICKED
    assert screen.next_action.text() == "Scan bin A-01-05"
    scan(qtbot, pack_station, "A-01-05")
    scan(qtbot, pack_station, PEN.code)
    qtbot.waitUntil(lambda: screen.idle, timeout=5_000)
    # What the packer reads on the pen's row: one more to pick, one picked (not "1 / 0").
    model = screen.table.model()
    row = [model.data(model.index(0, column)) for column in range(model.columnCount())]
    assert row == ["A-01-05", "SKU-PEN", row[2], "1", "1", "staging"], row
    done = scan(qtbot, pack_station, PEN.code)
    assert done.session.done and "take the goods to packing" in screen.next_action.text()
    assert pack_station.app.feedback.sounds.played[-1] is Tone.COMPLETE


def test_skip_and_stock_out_keep_the_walk_going(qtbot, pack_station) -> None:
    _stock(pack_station)
    _allocated(pack_station, "2002", [(MUG.sku, 1), ("SKU-PEN", 1)])
    screen = _pick_screen(qtbot, pack_station)
    scan(qtbot, pack_station, "ORD:2002")
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as skipped:
        screen.buttons["skip"].click()
    assert skipped.args[0].outcome is PickOutcome.SKIPPED
    assert screen.next_action.text() == "Scan bin A-01-05"
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as shorted:
        screen.buttons["short"].click()
    assert shorted.args[0].outcome is PickOutcome.SHORTED
    assert screen.session.current is not None


def test_a_batch_goes_into_totes_and_quantity_entry_where_allowed(qtbot, pack_station) -> None:
    from wms_desk.services import auth

    _stock(pack_station)
    a = _allocated(pack_station, "2003", [(MUG.sku, 2)])
    b = _allocated(pack_station, "2004", [("SKU-PEN", 1)])
    admin = ServiceContext(pack_station.database, system_actor(pack_station.station_id, "pack-01"))
    boss = admin.as_actor(
        auth.actor_for(admin, "sam", auth.StationInfo(pack_station.station_id, "pack-01"))
    )
    assert boss.actor.role is Role.SUPERVISOR
    wave = waves.create_wave(boss, [a, b])
    policy = replace(PickPolicy(), require_tote_scan=True, scan_every_unit=False)
    save_station_rules(boss, pack_station.station_id, StationRules(pick=policy))
    screen = _pick_screen(qtbot, pack_station)
    assert screen.qty.isVisibleTo(screen)
    opened = scan(qtbot, pack_station, wave.name)
    assert "2 orders" in screen.title.text() and opened.stage is PickStage.BIN
    scan(qtbot, pack_station, "A-01-02")
    screen.qty.setValue(2)
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as picked:
        screen.buttons["qty"].click()
    assert picked.args[0].outcome is PickOutcome.PICKED
    assert screen.next_action.text().startswith("Put in tote")
    totes = dict(zip(wave.order_ids, wave.totes, strict=True))
    assert scan(qtbot, pack_station, totes[a]).outcome is PickOutcome.IN_TOTE


def test_next_batch_by_command_scan_then_straight_on_to_the_next_when_one_is_done(
    qtbot, pack_station
) -> None:
    _stock(pack_station)
    admin = ServiceContext(pack_station.database, system_actor(pack_station.station_id, "pack-01"))
    calm = waves.create_wave(admin, [_allocated(pack_station, "2101", [(MUG.sku, 1)])])
    urgent_order = _allocated(pack_station, "2102", [(MUG.sku, 1)])
    with pack_station.database.write_session() as s, s.begin():
        from sqlalchemy import update

        from wms_desk.db.models import Order

        s.execute(update(Order).where(Order.id == urgent_order).values(priority=2))
    urgent = waves.create_wave(admin, [urgent_order])
    screen = _pick_screen(qtbot, pack_station)
    assert screen.buttons["batch"].isEnabled()
    opened = scan(qtbot, pack_station, "CMD:NEXT-BATCH")
    assert opened.name == urgent.name  # the most urgent batch first
    assert pack_station.app.window.feedback_line.text.startswith(f"Picking {urgent.name}")
    screen.buttons["batch"].click()  # one batch at a time
    assert pack_station.app.window.feedback_line.text == f"{urgent.name} is still being picked."
    scan(qtbot, pack_station, "A-01-02")
    done = scan(qtbot, pack_station, MUG.code)
    assert done.session.done
    # Finishing a batch claims the next one, as pressing Next batch would.
    qtbot.waitUntil(lambda: screen.session is not None and screen.session.name == calm.name)
    qtbot.waitUntil(lambda: screen.idle, timeout=10_000)
    assert calm.name in screen.title.text()
    assert screen.next_action.text() == "Scan bin A-01-02"
    scan(qtbot, pack_station, "A-01-02")
    scan(qtbot, pack_station, MUG.code)
    qtbot.waitUntil(lambda: screen.idle, timeout=10_000)
    qtbot.waitUntil(lambda: "No batch is waiting" in pack_station.app.window.feedback_line.text)
    assert pack_station.app.window.feedback_line.text.startswith(f"{calm.name} is picked.")
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as nothing:
        screen.buttons["batch"].click()
    assert nothing.args[0] == "no batch to pick"
    assert "No batch is waiting to be picked" in pack_station.app.window.feedback_line.text
