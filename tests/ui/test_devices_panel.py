"""Settings > Devices: the form, a live test against simulated devices, and saving per station."""

from __future__ import annotations

import pytest

from wms_desk.devices.station import start_demo_simulators
from wms_desk.services.stations import ensure_station, save_bindings
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.device_hub import DeviceHub
from wms_desk.ui.screens.devices_panel import DevicesPanel
from wms_desk.ui.tasks import TaskRunner

BINDINGS = {
    "scanner": {
        "port": "socket://127.0.0.1:7001",
        "baudrate": 115200,
        "bytesize": 8,
        "parity": "N",
        "stopbits": 1,
        "suffix": "crlf",
        "aim": False,
        "usb": None,
    },
    "scale": {
        "port": "/dev/ttyUSB1",
        "protocol": "nci",
        "pattern": None,
        "baudrate": 9600,
        "bytesize": 7,
        "parity": "E",
        "stopbits": 1,
        "usb": None,
    },
    "wedge": {"enabled": True, "suffix": "tab", "fnc1": "]", "max_gap_ms": 25, "min_length": 5},
}


@pytest.fixture
def tasks(qtbot):
    """Outlives the panels of a test, so no relay is left pointing at a deleted runner."""
    runner = TaskRunner()
    yield runner
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)


def _panel(qtbot, ctx, tasks: TaskRunner) -> DevicesPanel:
    hub = DeviceHub()
    ui = UiContext(ctx, tasks, load_settings(environ={}), devices=hub)
    panel = DevicesPanel(ui)
    panel.destroyed.connect(hub.stop)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10_000)  # ports listed, station loaded
    return panel


def test_form_round_trips_the_bindings_format(qtbot, system_ctx, tasks) -> None:
    panel = _panel(qtbot, system_ctx, tasks)
    panel.load_bindings(BINDINGS)
    assert panel.bindings() == BINDINGS
    panel.scale_protocol.setCurrentText("mt-sics")  # a new protocol brings its line settings
    scale = panel.bindings()["scale"]
    assert (scale["port"], scale["bytesize"], scale["parity"]) == ("/dev/ttyUSB1", 8, "N")
    assert not panel.scale_pattern.isEnabled()


def test_a_usb_binding_survives_saving_while_unplugged(qtbot, system_ctx, tasks) -> None:
    panel = _panel(qtbot, system_ctx, tasks)
    usb = {"vid": "0403", "pid": "6001", "serial": "A1"}
    scanner = {**BINDINGS["scanner"], "port": "/dev/ttyUSB7", "usb": usb}
    panel.load_bindings({**BINDINGS, "scanner": scanner})
    assert panel.bindings()["scanner"]["usb"] == usb
    panel.scanner_port.bind_usb.setChecked(False)
    assert panel.bindings()["scanner"]["usb"] is None


def test_save_keeps_the_printer_bindings_of_the_station(qtbot, system_ctx, tasks) -> None:
    station = ensure_station(system_ctx.database, system_ctx.actor.station_name)
    printers = {"label_printer": {"address": "tcp://10.0.0.5:9100"}}
    save_bindings(system_ctx, station.id, printers)
    panel = _panel(qtbot, system_ctx, tasks)
    panel.load_bindings(BINDINGS)
    saved_infos: list[object] = []
    panel.bindings_saved.connect(saved_infos.append)
    panel.save_button.click()
    qtbot.waitUntil(lambda: len(saved_infos) == 1, timeout=10_000)
    assert saved_infos[0].bindings == {**printers, **BINDINGS}
    saved = ensure_station(system_ctx.database, system_ctx.actor.station_name).bindings
    assert saved == {**printers, **BINDINGS}
    assert "Saved" in panel.message.text()


def test_a_packer_cannot_save(qtbot, make_ctx, tasks) -> None:
    panel = _panel(qtbot, make_ctx("packer"), tasks)
    panel.save_button.click()
    qtbot.waitUntil(lambda: "Could not save" in panel.message.text(), timeout=10_000)
    assert panel.save_button.isEnabled()


@pytest.mark.parametrize("protocol", ["cas"])
def test_test_button_shows_live_weight_and_the_last_scan(
    qtbot, system_ctx, tasks, protocol
) -> None:
    demo = start_demo_simulators(protocol=protocol, weight="2.345 kg")
    panel = _panel(qtbot, system_ctx, tasks)
    try:
        panel.scanner_port.set_url(demo.scanner.address)
        panel.scale_protocol.setCurrentText(protocol)
        panel.scale_port.set_url(demo.scale.address)
        panel.test_button.click()
        qtbot.waitUntil(lambda: panel.weight.state == "stable", timeout=10_000)
        assert panel.weight.weight_text() == "2.345 kg"
        qtbot.waitUntil(lambda: "scanner: connected" in panel.device_states.text(), timeout=10_000)
        demo.scanner.scan("0109506000134352<GS>10LOT7")
        qtbot.waitUntil(lambda: "Last scan" in panel.last_scan.text(), timeout=10_000)
        assert "(01) 09506000134352" in panel.last_scan.text()
        assert "gs1-128, product" in panel.last_scan.text()
        demo.scale.command("overload")
        qtbot.waitUntil(lambda: panel.weight.state == "overload", timeout=10_000)
    finally:
        panel.hub.stop()
        demo.stop()
