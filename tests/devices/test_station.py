"""StationDevices from a bindings dict, the demo simulators, the simulator command language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.devices.conftest import Collector
from wms_desk.devices.simulators.scale import ScaleSimulator, SimulatorError
from wms_desk.devices.station import StationDevices, start_demo_simulators


def test_demo_bindings_drive_both_devices_and_restart_switches_protocol() -> None:
    demo = start_demo_simulators(weight="1.5 kg")
    scans, readings, states = Collector(), Collector(), Collector()
    devices = StationDevices(demo.bindings, scans, readings, states).start()
    try:
        assert demo.bindings["scale"]["protocol"] == "mt-sics"
        assert readings.next(lambda r: r.grams is not None).grams == Decimal("1500.000")
        states.next(lambda s: s == ("scanner", "connected", demo.scanner.address))
        demo.scanner.scan("CMD:COMPLETE")
        assert scans.next().kind == "command"
        with ScaleSimulator("cas", rate_hz=20) as cas:
            cas.command("weight 0.3 kg")
            devices.restart({**demo.bindings, "scale": {"port": cas.address, "protocol": "cas"}})
            assert readings.next(lambda r: "ST,GS" in r.raw).grams == Decimal("300.000")
            assert devices.scale.protocol == "cas"
            devices.stop()
    finally:
        devices.stop()
        demo.stop()


def test_bad_or_missing_bindings_are_states_not_exceptions() -> None:
    states = Collector()
    bindings = {
        "scanner": {"port": "loop://", "suffix": "semicolon"},
        "scale": {"port": "loop://", "protocol": "smoke-signals"},
    }
    devices = StationDevices(bindings, on_state=states).start()
    reported = states.drain()  # reported at once, from start()
    assert [(device, state) for device, state, _ in reported] == [
        ("scanner", "error"),
        ("scale", "error"),
    ]
    details = {device: detail for device, _state, detail in reported}
    assert "suffix must be one of" in details["scanner"]
    assert "unknown scale protocol 'smoke-signals'" in details["scale"]
    assert devices.links == {}
    outcome = StationDevices({}).start().zero().result(timeout=1)
    assert not outcome.ok and "no scale" in outcome.message


@pytest.mark.parametrize(
    ("command", "message"),
    [("fly", "unknown command"), ("weight", "expected a number"), ("unit stone", "unit must be")],
)
def test_simulator_refuses_commands_it_does_not_know(command: str, message: str) -> None:
    with ScaleSimulator("cas") as sim, pytest.raises(SimulatorError, match=message):
        sim.command(command)


def test_simulator_understands_units_comments_and_quit() -> None:
    with ScaleSimulator("mt-sics") as sim:
        sim.command("unit lb 2   # a US scale")
        sim.command("weight 1000 g")
        assert sim.load.display() == Decimal("2.20")
        sim.command("quit")
        assert sim.stopped
