"""Every scale protocol against its simulator over a real pseudo-terminal."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.devices.conftest import FAST, ScaleRig, scale_rig
from wms_desk.devices.scales import PROTOCOLS
from wms_desk.devices.scales.base import ScaleOptions, WeightStatus
from wms_desk.devices.transport import DeviceState, SerialLink

COMMANDED = [p for p in PROTOCOLS if p != "regex"]


def _fresh(rig: ScaleRig, predicate, timeout: float = 3.0):
    """A reading that reflects a change made now: skip the ones already on their way."""
    rig.readings.drain()
    return rig.reading(predicate, timeout)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stable_motion_overload_underload(protocol: str) -> None:
    with scale_rig(protocol) as rig:
        rig.sim.command("weight 1.234 kg")
        stable = _fresh(rig, lambda r: r.status == WeightStatus.STABLE and r.grams == 1234)
        assert stable.unit == "kg"
        assert Decimal(stable.weight) == Decimal("1.234")
        assert stable.as_dict().keys() == {"status", "weight", "unit", "grams", "raw"}

        rig.sim.command("motion on")
        moving = _fresh(rig, lambda r: r.status != WeightStatus.STABLE)
        assert moving.status == WeightStatus.MOTION
        assert moving.grams == 1234

        rig.sim.command("overload")
        over = _fresh(rig, lambda r: r.status != WeightStatus.MOTION)
        assert over.status == WeightStatus.OVERLOAD
        assert over.grams is None and over.weight is None

        rig.sim.command("underload")
        under = _fresh(rig, lambda r: r.status != WeightStatus.OVERLOAD)
        assert under.status == WeightStatus.UNDERLOAD
        assert under.grams is None

        rig.sim.command("normal")
        back = _fresh(rig, lambda r: r.status == WeightStatus.STABLE)
        assert back.grams == 1234


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_pounds_become_exact_grams(protocol: str) -> None:
    with scale_rig(protocol, sim_args={"unit": "lb"}) as rig:
        rig.sim.command("weight 2.5 lb")
        reading = _fresh(rig, lambda r: r.status == WeightStatus.STABLE and r.grams)
        assert reading.unit == "lb"
        assert reading.grams == Decimal("2.50") * Decimal("453.59237")


@pytest.mark.parametrize("protocol", COMMANDED)
def test_zero_and_tare(protocol: str) -> None:
    with scale_rig(protocol) as rig:
        rig.sim.command("weight 0.250 kg")
        rig.settle(Decimal("250.000"))
        outcome = rig.driver.zero().result(timeout=10)
        assert outcome.ok, outcome
        assert _fresh(rig, lambda r: r.grams is not None and r.grams < 250).grams == 0

        rig.sim.command("weight 1.000 kg")  # 0.750 kg on top of the zeroed 0.250
        rig.settle(Decimal("750.000"))
        assert rig.driver.tare().result(timeout=10).ok
        assert _fresh(rig, lambda r: r.grams is not None and r.grams < 750).grams == 0


def test_regex_has_no_zero_command() -> None:
    with scale_rig("regex") as rig:
        outcome = rig.driver.zero().result(timeout=10)
        assert not outcome.ok
        assert "no zero command" in outcome.message


def test_mt_sics_zero_refused_while_settling() -> None:
    with scale_rig("mt-sics") as rig:
        rig.sim.command("weight 1 kg")
        rig.sim.command("motion on")
        outcome = rig.driver.zero().result(timeout=10)
        assert not outcome.ok
        assert "busy" in outcome.message or "stable" in outcome.message


FAULTS = ("garbage", "nonascii", "truncate", "badsum")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_faults_never_give_a_wrong_weight(protocol: str) -> None:
    with scale_rig(protocol) as rig:
        rig.sim.command("weight 0.842 kg")
        rig.settle(Decimal("842.000"))
        for fault in (*FAULTS, "parity on", *FAULTS, "parity off"):
            rig.sim.command(fault)
            good = 0
            while good < 4:  # the fault has passed once four clean frames followed it
                reading = rig.reading()
                assert reading.grams in (None, Decimal("842.000")), (fault, reading)
                if reading.status == WeightStatus.DISCONNECTED:
                    pytest.fail(f"{fault}: the driver lost the scale")
                good += reading.grams == Decimal("842.000")
        assert rig.link.state == DeviceState.CONNECTED


@pytest.mark.parametrize("layout", ["short", "s-prefix"])
def test_nci_layout_variants(layout: str) -> None:
    with scale_rig("nci", sim_args={"nci_layout": layout}) as rig:
        rig.sim.command("weight 3.210 kg")
        reading = _fresh(rig, lambda r: r.grams == Decimal("3210.000"))
        assert reading.status == WeightStatus.STABLE
        rig.sim.command("overload")
        assert _fresh(rig, lambda r: r.grams is None).status == WeightStatus.OVERLOAD


def test_regex_without_status_is_stable_after_equal_readings() -> None:
    options = ScaleOptions(stable_count=3, tolerance_g=Decimal("1"))
    pattern = r"(?P<weight>[+-]?\d+\.\d+)\s*(?P<unit>kg)"
    with scale_rig("regex", options=options, driver_args={"pattern": pattern}) as rig:
        rig.sim.command("weight 0.500 kg")
        rig.readings.drain()
        statuses = [rig.reading(lambda r: r.grams == 500).status for _ in range(3)]
        assert WeightStatus.STABLE in statuses
        rig.sim.command("weight 0.900 kg")
        first = _fresh(rig, lambda r: r.grams == 900)
        assert first.status == WeightStatus.MOTION  # one new value is not yet stable
        assert rig.reading(lambda r: r.status == WeightStatus.STABLE).grams == 900


@pytest.mark.parametrize(
    ("protocol", "offline_after_s"), [("mt-sics", 2.0), ("toledo-continuous", 0.5)]
)
def test_silent_scale_goes_offline_and_comes_back(protocol: str, offline_after_s: float) -> None:
    options = replace(FAST, offline_after_s=offline_after_s)
    with scale_rig(protocol, options=options) as rig:
        rig.sim.command("weight 1 kg")
        rig.reading(lambda r: r.grams == 1000)
        rig.sim.command("silent on")
        silent_at = time.monotonic()
        assert rig.states.next(lambda s: s != DeviceState.CONNECTED, 3.5) == DeviceState.OFFLINE
        assert time.monotonic() - silent_at >= offline_after_s - 0.1
        assert rig.reading(lambda r: r.status == WeightStatus.DISCONNECTED, 1.0)
        rig.sim.command("silent off")
        assert rig.states.next(timeout=10.0) == DeviceState.CONNECTED
        assert rig.reading(lambda r: r.grams == 1000).status == WeightStatus.STABLE


def test_unreadable_stream_is_an_error_state() -> None:
    # A Toledo stream read as CAS: bytes arrive, none of them a CAS line.
    from tests.devices.conftest import Collector
    from wms_desk.devices.scales import create_scale
    from wms_desk.devices.simulators.scale import ScaleSimulator
    from wms_desk.devices.transport import PortSettings, SerialLink

    with ScaleSimulator("toledo-continuous", rate_hz=20) as sim:
        readings, states = Collector(), Collector()
        driver = create_scale("cas", readings, ScaleOptions(offline_after_s=0.5))
        link = SerialLink("scale", PortSettings(sim.address), driver, lambda s, d: states(s))
        link.start()
        try:
            assert states.next(lambda s: s not in ("connecting", "connected")) == DeviceState.ERROR
            assert "protocol" in link.detail
        finally:
            link.stop()


def test_tcp_transport_streams_too() -> None:
    with scale_rig("cas", transport="tcp") as rig:
        assert rig.sim.address.startswith("socket://127.0.0.1:")
        rig.sim.command("weight 12.5 kg")
        assert _fresh(rig, lambda r: r.grams == Decimal("12500.000")).status == "stable"


def test_wait_stable_never_returns_the_previous_packages_weight() -> None:
    with scale_rig("mt-sics") as rig:
        rig.sim.command("weight 0.4 kg")
        rig.settle(Decimal("400.000"))
        rig.sim.command("silent on")
        put_down = time.monotonic()
        assert rig.driver.latest.stable  # a stable weight is there, but from before
        assert rig.driver.wait_stable(put_down, timeout=0.3) is None
        rig.sim.command("weight 1.1 kg")
        rig.sim.command("silent off")
        reading = rig.driver.wait_stable(put_down, timeout=3.0)
        assert reading is not None and reading.grams == Decimal("1100.000")
        assert reading.at > put_down


def test_regex_scale_polled_with_a_configured_request() -> None:
    # An unknown scale that answers `P<CR><LF>` with one line, played by a TCP endpoint.
    import threading

    from tests.devices.conftest import Collector
    from wms_desk.devices.scales import scale_from_binding
    from wms_desk.devices.simulators.endpoint import TcpEndpoint

    device, stop = TcpEndpoint(), threading.Event()
    requests: list[bytes] = []

    def answer() -> None:
        while not stop.is_set():
            data = device.recv(0.05)
            if data:
                requests.append(data)
                device.send(b"GROSS  +0002.50 lb\r\n")

    responder = threading.Thread(target=answer, daemon=True)
    responder.start()
    readings = Collector()
    binding = {
        "port": device.address,
        "protocol": "regex",
        "pattern": r"GROSS\s+(?P<weight>[+-]?[\d.]+)\s*(?P<unit>lb|kg)",
        "request": "P\\r\\n",
        "stable_count": 2,
    }
    driver, port = scale_from_binding(binding, readings)
    link = SerialLink("scale", port, driver)
    link.start()
    try:
        reading = readings.next(lambda r: r.status == WeightStatus.STABLE)
        assert reading.grams == Decimal("2.50") * Decimal("453.59237")
        assert requests[0] == b"P\r\n"
    finally:
        link.stop()
        stop.set()
        responder.join(1)
        device.close()
