"""The Pack screen end to end: the whole station, a scanner and a scale simulator on real ptys,
scans typed by nobody. What the packer sees (lines, boxes, next action, flash, sound) is checked,
and what was committed is read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tests.e2e import pack_station as fixtures
from tests.e2e.pack_station import (
    GLASS,
    MUG,
    PHONE,
    order,
    put_on_scale,
    scan,
    send,
    sign_in,
)
from tests.e2e.pack_station import open_order as open_by_scan
from wms_desk.db.models import AuditEvent, Order, Package, PrintJob, User
from wms_desk.domain.packing import ScanOutcome
from wms_desk.ui.feedback import Tone

# The whole-station fixtures (pytest finds them by these names).
pack_station = fixtures.pack_station
scale = fixtures.scale
scanner = fixtures.scanner


def _status(station, number: str) -> str:
    with station.database.read_session() as s:
        return s.scalar(select(Order.status).where(Order.number == number))


def test_a_single_item_order_packs_by_scans_alone(qtbot, pack_station) -> None:
    order(pack_station.database, "1001", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    assert pack_station.app.workspace.current_screen_key() == "pack"
    hint = pack_station.app.window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint  # fits the station's display
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


def _scan_events(station, order_number: str, action: str = "pack.scan") -> list[dict]:
    with station.database.read_session() as s:
        order_id = s.scalar(select(Order.id).where(Order.number == order_number))
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.subject_id == str(order_id))
            .order_by(AuditEvent.id)
        )
        return [dict(row.after or {}) for row in rows]


def _weigh_and_complete(qtbot, station) -> None:
    screen = station.screen
    expected = screen.session.packages[-1].expected_weight_g
    put_on_scale(qtbot, station, expected)
    assert scan(qtbot, station, "CMD:COMPLETE").session.completed


def test_a_multi_line_order_with_a_case_barcode(qtbot, pack_station) -> None:
    order(pack_station.database, "1002", [(MUG.sku, 2), (GLASS.sku, 6)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1002")
    assert scan(qtbot, pack_station, MUG.code).outcome is ScanOutcome.VERIFIED
    assert scan(qtbot, pack_station, MUG.code).outcome is ScanOutcome.VERIFIED
    case = scan(qtbot, pack_station, GLASS.case_code)
    assert case.outcome is ScanOutcome.VERIFIED and case.qty == 6
    texts = [screen.model.index(r, 5).data() for r in range(2)]
    assert texts == ["2 ✓", "6 ✓"]
    _weigh_and_complete(qtbot, pack_station)
    assert _status(pack_station, "1002") == "packed"


def test_a_wrong_item_flashes_red_is_stored_and_changes_nothing(qtbot, pack_station) -> None:
    order(pack_station.database, "1003", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1003")
    wrong = scan(qtbot, pack_station, GLASS.code)
    assert wrong.outcome is ScanOutcome.WRONG_ITEM
    line = pack_station.app.window.feedback_line
    assert line.tone is Tone.ERROR
    assert "GLASS-6" in line.text and "1003" in line.text
    assert pack_station.app.feedback.sounds.played[-1] is Tone.ERROR
    assert screen.model.index(0, 5).data() == "0"
    assert [e["outcome"] for e in _scan_events(pack_station, "1003")] == ["wrong_item"]
    assert screen.session.lines[0].verified == 0


def test_an_over_scan_is_refused_the_same_way(qtbot, pack_station) -> None:
    order(pack_station.database, "1004", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1004")
    assert scan(qtbot, pack_station, MUG.code).outcome is ScanOutcome.VERIFIED
    over = scan(qtbot, pack_station, MUG.code)
    assert over.outcome is ScanOutcome.OVER_SCAN
    assert pack_station.app.window.feedback_line.tone is Tone.ERROR
    assert pack_station.app.feedback.sounds.played[-1] is Tone.ERROR
    assert screen.session.lines[0].verified == 1
    outcomes = [e["outcome"] for e in _scan_events(pack_station, "1004")]
    assert outcomes == ["verified", "over_scan"]


def test_a_serial_number_item_asks_for_its_serial_next(qtbot, pack_station) -> None:
    order(pack_station.database, "1005", [(PHONE.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1005")
    asked = scan(qtbot, pack_station, PHONE.code)
    assert asked.outcome is ScanOutcome.NEEDS_SERIAL
    assert "serial" in screen.next_action.text().lower()
    assert screen.session.lines[0].verified == 0
    recorded = scan(qtbot, pack_station, "SN-77001234")
    assert recorded.outcome is ScanOutcome.SERIAL_RECORDED
    assert screen.session.lines[0].verified == 1
    _weigh_and_complete(qtbot, pack_station)


def test_a_two_box_order_weighs_each_box_after_its_last_item(qtbot, pack_station) -> None:
    order(pack_station.database, "1006", [(MUG.sku, 1), (GLASS.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1006")
    assert scan(qtbot, pack_station, MUG.code).outcome is ScanOutcome.VERIFIED
    first = screen.session.packages[0].expected_weight_g
    # Box 1 on the scale; NEW BOX takes its weight first, then opens box 2.
    pack_station.scale.command(f"weight {first / 1000:.3f} kg")
    qtbot.waitUntil(
        lambda: screen._reading is not None and screen._reading.grams == first, timeout=10_000
    )
    send(qtbot, pack_station, "CMD:NEW-BOX")
    qtbot.waitUntil(lambda: screen.idle and screen.session.current_seq == 2, timeout=10_000)
    assert "Box 2 of 2" in screen.title.text()
    assert scan(qtbot, pack_station, GLASS.case_code).outcome is ScanOutcome.OVER_SCAN
    assert scan(qtbot, pack_station, GLASS.code).outcome is ScanOutcome.VERIFIED
    # Box 1's reading still on the scale is not box 2's weight.
    assert screen.session.packages[1].weight_g is None
    assert "box 2) on the scale" in screen.next_action.text()
    second = screen.session.packages[1].expected_weight_g
    put_on_scale(qtbot, pack_station, second)
    assert scan(qtbot, pack_station, "CMD:COMPLETE").session.completed
    with pack_station.database.read_session() as s:
        weights = [
            p.weight_g for p in s.scalars(select(Package).order_by(Package.seq)) if p.order_id
        ]
    assert weights == [first, second]


def _set_scale(qtbot, station, grams: Decimal) -> None:
    screen = station.screen
    station.scale.command(f"weight {grams / 1000:.3f} kg")
    qtbot.waitUntil(
        lambda: screen._reading is not None and screen._reading.grams == grams, timeout=10_000
    )


def test_a_weight_out_of_tolerance_warns_and_far_out_blocks_until_a_supervisor_approves(
    qtbot, pack_station
) -> None:
    order(pack_station.database, "1007", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1007")
    scan(qtbot, pack_station, MUG.code)
    expected = screen.session.packages[0].expected_weight_g
    # 60 g over: above the warning threshold (30 g / 5 %), below the blocking one (100 g / 15 %).
    put_on_scale(qtbot, pack_station, expected + 60)
    assert screen.session.packages[0].weight_check == "warn"
    assert pack_station.app.window.feedback_line.tone is Tone.WARNING
    # 300 g over blocks: COMPLETE is refused until a supervisor approves.
    put_on_scale(qtbot, pack_station, expected + 300)
    assert screen.session.packages[0].weight_check == "block"
    assert pack_station.app.feedback.sounds.played[-1] is Tone.ERROR
    refused = scan(qtbot, pack_station, "CMD:COMPLETE")
    assert refused.outcome is ScanOutcome.NOT_COMPLETE and not refused.session.completed
    assert screen.side.buttons["approve"].isEnabled()
    # The supervisor types into the dialog with the station's wedge filter installed.
    qtbot.keyClick(pack_station.app.window, Qt.Key.Key_F11)
    dialog = screen.last_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.username, "sam")
    qtbot.keyClicks(dialog.password, "super123")
    qtbot.keyClicks(dialog.reason, "gift wrap inside")
    # keyClicks types faster than a scanner: the wedge filter holds the burst, then gives it
    # back to the fields it was typed into once the keys stop (a person types slower still).
    qtbot.waitUntil(lambda: dialog.reason.text() == "gift wrap inside", timeout=5_000)
    assert dialog.username.text() == "sam" and dialog.password.text() == "super123"
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as answered:
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert answered.args[0].session.packages[0].weight_approved
    assert scan(qtbot, pack_station, "CMD:COMPLETE").session.completed
    approvals = _scan_events(pack_station, "1007", "pack.weight_approved")
    assert len(approvals) == 1 and "gift wrap" in approvals[0]["message"]


def test_an_order_open_at_another_station_is_refused_with_who_holds_it(qtbot, pack_station) -> None:
    from wms_desk.services import auth, packing
    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.stations import ensure_station

    order(pack_station.database, "1008", [(MUG.sku, 1)])
    other = ensure_station(pack_station.database, "pack-02")
    sam = auth.actor_for(ServiceContext(pack_station.database, system_actor()), "sam", other)
    packing.open_order(ServiceContext(pack_station.database, sam), "1008")
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    answer = scan(qtbot, pack_station, "ORD:1008")
    assert isinstance(answer, str) and "pack-02" in answer and "Sam Boss" in answer
    assert pack_station.app.window.feedback_line.tone is Tone.ERROR
    assert screen.session is None


def test_complete_twice_is_harmless(qtbot, pack_station) -> None:
    order(pack_station.database, "1009", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1009")
    scan(qtbot, pack_station, MUG.code)
    _weigh_and_complete(qtbot, pack_station)
    with pack_station.database.read_session() as s:
        jobs = s.scalar(select(func.count()).select_from(PrintJob))
    with qtbot.waitSignal(pack_station.app.feedback.shown, timeout=10_000) as shown:
        send(qtbot, pack_station, "CMD:COMPLETE")
    assert "already packed" in shown.args[1]
    with qtbot.waitSignal(pack_station.app.feedback.shown, timeout=10_000) as shown:
        qtbot.keyClick(pack_station.app.window, Qt.Key.Key_F8)
    assert "already packed" in shown.args[1]
    assert screen.idle
    with pack_station.database.read_session() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == jobs
    completes = [e for e in _scan_events(pack_station, "1009", "pack.complete")]
    assert [e["outcome"] for e in completes] == ["completed"]
    assert _status(pack_station, "1009") == "packed"


def test_an_order_barcode_on_another_packer_screen_opens_it_for_packing(
    qtbot, pack_station
) -> None:
    order(pack_station.database, "1010", [(MUG.sku, 1)])
    sign_in(qtbot, pack_station)
    pack_station.app.window.show_screen("inventory")
    pack_station.scanner.scan("ORD:1010")
    qtbot.waitUntil(
        lambda: (
            pack_station.app.workspace.current_screen_key() == "pack"
            and pack_station.screen.session is not None
        ),
        timeout=10_000,
    )
    assert pack_station.screen.session.order_number == "1010"


def test_a_station_killed_mid_order_resumes_it_with_its_counts(
    qtbot, database, tmp_path, scanner, scale
) -> None:
    """A packing process is SIGKILLed after two of three scans; the GUI at the same station
    opens on that order with 2 verified and finishes it."""
    from tests.e2e.pack_station import Station, seed, start_station

    station_id, _admin = seed(database)
    order(database, "1011", [(MUG.sku, 3)])
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    url = database.url
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.pack_worker", url, "1011", MUG.code, "2"],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "READY"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    app = start_station(qtbot, database, tmp_path, scanner, scale)
    station = Station(app, scanner, scale, database, station_id)
    try:
        with qtbot.waitSignal(app.window_shown, timeout=10_000):
            scanner.scan("BADGE:PACK-0001")
        screen = station.screen
        qtbot.waitUntil(lambda: screen.session is not None and screen.idle, timeout=10_000)
        assert screen.session.order_number == "1011"
        assert screen.session.lines[0].verified == 2
        assert screen.model.index(0, 5).data() == "2"
        assert "Resumed order 1011" in app.window.feedback_line.text
        assert scan(qtbot, station, MUG.code).session.lines[0].verified == 3
        _weigh_and_complete(qtbot, station)
        assert _status(station, "1011") == "packed"
    finally:
        app.window.close()
        app.shutdown()


def test_the_demo_scan_pad_packs_an_order_without_hardware(qtbot, tmp_path) -> None:
    """Demo mode: every click on the pad goes through the simulated scanner's pty (or sets the
    simulated scale): sign in, open an order, a wrong item, every item, weigh, COMPLETE."""
    import time

    from PySide6.QtCore import QSettings

    from wms_desk.app.gui import StationApp
    from wms_desk.devices.scanner import DEFAULT_DEBOUNCE_S
    from wms_desk.settings import load_settings

    settings = load_settings(
        cli={"db": str(tmp_path / "demo.sqlite3"), "demo": True, "station": "demo-1",
             "data_dir": str(tmp_path)},
        environ={},
        config_path=tmp_path / "none.toml",
    )  # fmt: skip
    app = StationApp(
        settings, qsettings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    )
    with qtbot.waitSignal(app.station_opened, timeout=60_000):
        app.start()
    try:
        pad = app.scan_pad
        assert pad is not None and app.devices is not None
        qtbot.waitUntil(lambda: app.devices.states.get("scanner") == "connected", timeout=10_000)
        last = {"code": "", "at": 0.0}

        def click(entry, wait_for=None):
            if entry.code and entry.code == last["code"]:
                ready = last["at"] + DEFAULT_DEBOUNCE_S + 0.05
                qtbot.waitUntil(lambda: time.monotonic() >= ready, timeout=5_000)
            last.update(code=entry.code, at=time.monotonic())
            if wait_for is None:
                pad.send(entry)
                return None
            with qtbot.waitSignal(wait_for, timeout=15_000) as got:
                pad.send(entry)
            return got.args[0]

        with qtbot.waitSignal(app.window_shown, timeout=10_000):
            click(pad.entry("Pat Packer"))
        screen = app.workspace.current_screen()
        assert app.workspace.current_screen_key() == "pack"
        qtbot.waitUntil(lambda: pad.codes is not None and screen.idle, timeout=10_000)
        qtbot.waitUntil(lambda: any(e.code.startswith("ORD:") for e in pad.entries), timeout=5_000)
        click(pad.entry("Order "), screen.session_shown)
        qtbot.waitUntil(lambda: screen.idle and screen.session is not None, timeout=10_000)
        number = screen.session.order_number
        qtbot.waitUntil(lambda: any(e.label == "A wrong item" for e in pad.entries), timeout=5_000)
        wrong = click(pad.entry_after("A wrong item"), screen.scan_answered)
        assert wrong.outcome is ScanOutcome.WRONG_ITEM
        assert app.window.feedback_line.tone is Tone.ERROR
        for _ in range(50):
            # Items still to scan, and the serial an item flagged for capture asks for next.
            units = [
                e
                for e in pad.entries
                if "(unit," in e.label or (e.code and e.label.startswith("The serial of"))
            ]
            if not units:
                break
            click(units[0], screen.scan_answered)
            qtbot.waitUntil(lambda: screen.idle, timeout=10_000)
        assert all(line.done for line in screen.session.lines)
        # The demo scale still shows what it showed before: not this box's weight.
        assert screen.session.packages[-1].weight_g is None
        click(pad.entry("Put the box on the scale"), screen.scan_answered)
        assert screen.session.packages[-1].weight_check == "ok"
        done = click(pad.entry("COMPLETE"), screen.scan_answered)
        assert done.session.completed and done.session.order_number == number
    finally:
        app.window.close()
        app.shutdown()


def test_an_item_without_a_barcode_is_confirmed_by_hand_only_by_a_supervisor(
    qtbot, pack_station
) -> None:
    from wms_desk.db.models import Product

    with pack_station.database.write_session() as s, s.begin():
        s.add(Product(sku="GIFT-CARD", name="Gift card", unit_weight_g=Decimal(10)))
    order(pack_station.database, "1012", [("GIFT-CARD", 1)])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    open_by_scan(qtbot, pack_station, "1012")
    assert "[no barcode]" in screen.model.index(0, 2).data()
    qtbot.keyClick(pack_station.app.window, Qt.Key.Key_F9)
    dialog = screen.last_dialog
    assert dialog is not None and dialog.username.isVisibleTo(dialog)
    # This station does not let packers confirm by hand: the service refuses, nothing counted.
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as refused:
        qtbot.keyClick(dialog.qty, Qt.Key.Key_Return)
    assert isinstance(refused.args[0], str) and "confirm items by hand" in refused.args[0]
    assert screen.session.lines[0].verified == 0
    assert pack_station.app.window.feedback_line.tone is Tone.ERROR
    # With a supervisor's password it is counted, and the audit names the supervisor.
    first = dialog
    qtbot.keyClick(pack_station.app.window, Qt.Key.Key_F9)
    dialog = screen.last_dialog
    assert dialog is not first and dialog.isVisible(), (dialog is first, dialog.isVisible())
    qtbot.keyClicks(dialog.username, "sam")
    qtbot.keyClicks(dialog.password, "super123")
    qtbot.waitUntil(lambda: dialog.password.text() == "super123", timeout=5_000)
    with qtbot.waitSignal(screen.scan_answered, timeout=10_000) as confirmed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not isinstance(confirmed.args[0], str), confirmed.args[0]
    assert confirmed.args[0].outcome is ScanOutcome.CONFIRMED_BY_HAND
    assert screen.session.lines[0].verified == 1
    with pack_station.database.read_session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "pack.confirmed_by_hand"))
        sam = s.scalar(select(User.id).where(User.username == "sam"))
    assert event is not None and event.user_id == sam
