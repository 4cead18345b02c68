"""DeviceBridge: callbacks from reader threads arrive as signals on the GUI thread."""

from __future__ import annotations

import threading
from decimal import Decimal

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from wms_desk.devices.station import StationDevices, start_demo_simulators
from wms_desk.domain.scan import interpret
from wms_desk.ui.device_bridge import DeviceBridge


def test_a_callback_from_another_thread_is_delivered_on_the_gui_thread(qtbot) -> None:
    bridge = DeviceBridge()
    threads: list[object] = []
    bridge.scan_received.connect(lambda result: threads.append(QThread.currentThread()))
    worker = threading.Thread(target=bridge.on_scan, args=(interpret("ORD:5"),))
    with qtbot.waitSignal(bridge.scan_received, timeout=10_000) as blocker:
        worker.start()
    worker.join()
    assert blocker.args[0].kind == "order"
    assert threads == [QApplication.instance().thread()]
    assert bridge.last_scan.data == "ORD:5"


def test_state_changes_are_emitted_once_per_change(qtbot) -> None:
    bridge = DeviceBridge()
    seen: list[tuple[str, str]] = []
    bridge.device_state_changed.connect(lambda device, state: seen.append((device, state)))
    for state in ("connected", "connected", "offline"):
        bridge.on_state("scale", state, "detail")
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen == [("scale", "connected"), ("scale", "offline")]
    assert bridge.states == {"scale": "offline"}


def test_demo_simulators_through_station_devices_and_the_bridge(qtbot) -> None:
    demo = start_demo_simulators(weight="0.640 kg")
    bridge = DeviceBridge()
    devices = StationDevices(demo.bindings, **bridge.callbacks())
    try:
        with qtbot.waitSignal(bridge.weight_changed, timeout=10_000) as blocker:
            devices.start()
        assert blocker.args[0].grams == Decimal("640.000")
        qtbot.waitUntil(lambda: bridge.states.get("scanner") == "connected", timeout=10_000)
        with qtbot.waitSignal(
            bridge.scan_received, timeout=10_000, check_params_cb=lambda r: r.kind == "order"
        ) as scan:
            demo.scanner.scan("ORD:100234")
        assert (scan.args[0].aim, scan.args[0].data) == ("]C0", "ORD:100234")
        assert devices.zero().result(timeout=10).ok
        qtbot.waitUntil(lambda: bridge.last_reading.grams == 0, timeout=10_000)
    finally:
        devices.stop()
        demo.stop()
    assert devices.states() == {}


def test_thousands_of_events_leave_the_reference_count_of_true_alone(qtbot) -> None:
    # PySide6 6.12.0's emit() loses a reference to True each time (pyproject pins below it): a
    # scale read at 10 Hz would abort the app within minutes ("bool_dealloc: deallocating True").
    # This guards the pin: with a Qt that has the bug back, the interpreter aborts here.
    import sys

    from wms_desk.devices.scales.base import Reading, WeightStatus

    bridge = DeviceBridge()
    received: list[object] = []
    bridge.weight_changed.connect(received.append)
    reading = Reading(WeightStatus.STABLE, "1", "kg", Decimal(1000))
    before = sys.getrefcount(True)
    for _ in range(2000):
        bridge.on_reading(reading)
    qtbot.waitUntil(lambda: len(received) == 2000, timeout=10_000)
    assert sys.getrefcount(True) >= before - 10
