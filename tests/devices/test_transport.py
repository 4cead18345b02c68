"""The serial link: states, backoff, losing a pty or socket mid-stream and getting it back."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from tests.devices.conftest import FAST, Collector
from wms_desk.devices.ports import PortInfo, UsbMatch, find_usb_port, list_ports, resolve_port
from wms_desk.devices.scales import create_scale
from wms_desk.devices.simulators.scale import ScaleSimulator
from wms_desk.devices.transport import DeviceState, LinkProtocol, PortSettings, SerialLink


class Recorder(LinkProtocol):
    def __init__(self) -> None:
        self.data = Collector()
        self.lost = Collector()

    def data_received(self, data: bytes, now: float) -> None:
        self.data(data)

    def connection_lost(self, error: BaseException | None) -> None:
        self.lost(error)


def test_loop_url_round_trip_and_states() -> None:
    recorder, states = Recorder(), Collector()
    link = SerialLink("loop", PortSettings("loop://"), recorder, lambda s, d: states(s))
    link.start()
    assert states.next() == DeviceState.CONNECTING
    assert states.next() == DeviceState.CONNECTED
    assert link.write(b"ping")
    received = b""
    while received != b"ping":
        received += recorder.data.next()
    link.stop()
    assert recorder.lost.next() is None  # stopped on purpose: no error
    assert states.next() == DeviceState.STOPPED
    assert not link.write(b"after stop")


def test_unopenable_port_retries_with_doubling_backoff_up_to_the_cap() -> None:
    states = Collector()
    link = SerialLink(
        "nowhere",
        PortSettings("/dev/does-not-exist-wms"),
        Recorder(),
        lambda state, detail: states((state, detail)),
        first_retry_s=0.05,
        max_retry_s=0.2,
    )
    link.start()
    try:
        waits = []
        while len(waits) < 4:
            _state, detail = states.next(lambda item: item[0] == DeviceState.DISCONNECTED)
            assert "cannot open /dev/does-not-exist-wms" in detail
            waits.append(detail.rsplit("; ", 1)[1])
        assert waits == [
            "retry 1 in 0.05 s",
            "retry 2 in 0.1 s",
            "retry 3 in 0.2 s",
            "retry 4 in 0.2 s",
        ]
    finally:
        link.stop()


def test_default_backoff_is_one_second_rising_to_thirty() -> None:
    link = SerialLink("x", PortSettings("loop://"), Recorder())
    assert (link._first_retry_s, link._max_retry_s) == (1.0, 30.0)


def _scale_link(url: str, readings: Collector, states: Collector) -> SerialLink:
    driver = create_scale("toledo-continuous", readings, FAST)
    link = SerialLink("scale", PortSettings(url), driver, lambda state, detail: states(state))
    link.start()
    return link


def test_pty_closed_mid_stream_then_a_new_pty_at_the_same_address(tmp_path: Path) -> None:
    address = tmp_path / "scale-port"  # a symlink we control: "the same address" for a pty
    first = ScaleSimulator("toledo-continuous", "pty", link_path=str(address), rate_hz=50).start()
    first.command("weight 1 kg")
    readings, states = Collector(), Collector()
    link = _scale_link(str(address), readings, states)
    try:
        assert readings.next(lambda r: r.grams == 1000)
        lost_at = time.monotonic()
        first.stop()  # mid-stream: frames were flowing at 50 Hz
        states.next(lambda s: s == DeviceState.DISCONNECTED, timeout=1.0)
        assert time.monotonic() - lost_at < 1.0
        assert readings.next(lambda r: r.status == "disconnected", timeout=1.0)

        second = ScaleSimulator("toledo-continuous", "pty", link_path=str(address), rate_hz=50)
        second.start()
        try:
            second.command("weight 2 kg")
            states.next(lambda s: s == DeviceState.CONNECTED, timeout=3.0)
            assert readings.next(lambda r: r.grams == 2000).unit == "kg"
            assert address.resolve() == Path(second.endpoint.device)
        finally:
            second.stop()
    finally:
        link.stop()


def test_socket_port_lost_and_back_on_the_same_port() -> None:
    first = ScaleSimulator("cas", "tcp", rate_hz=50).start()
    port = first.endpoint.port
    first.command("weight 0.5 kg")
    readings, states = Collector(), Collector()
    driver = create_scale("cas", readings, FAST)
    link = SerialLink("scale", PortSettings(first.address), driver, lambda s, d: states(s))
    link.start()
    try:
        assert readings.next(lambda r: r.grams == Decimal("500.000"))
        lost_at = time.monotonic()
        first.stop()
        states.next(lambda s: s == DeviceState.DISCONNECTED, timeout=1.0)
        assert time.monotonic() - lost_at < 1.0
        with ScaleSimulator("cas", "tcp", port=port, rate_hz=50) as second:
            second.command("weight 0.75 kg")
            states.next(lambda s: s == DeviceState.CONNECTED, timeout=4.0)
            assert readings.next(lambda r: r.grams == Decimal("750.000"))
    finally:
        link.stop()


def test_usb_device_found_again_under_another_name() -> None:
    ports = [
        PortInfo("/dev/ttyUSB0", "FT232R", "0403", "6001", "OTHER"),
        PortInfo("/dev/ttyUSB3", "FT232R", "0403", "6001", "A1"),
        PortInfo("/dev/ttyACM0", "scanner", "0c2e", "0b61", None),
    ]
    assert find_usb_port(UsbMatch("0403", "6001", "A1"), ports) == "/dev/ttyUSB3"
    assert find_usb_port(UsbMatch("0c2e", "0b61"), ports) == "/dev/ttyACM0"
    assert find_usb_port(UsbMatch("0403", "6001", "GONE"), ports) is None
    # Not plugged in: the configured URL is tried as it is.
    assert resolve_port("/dev/ttyUSB0", UsbMatch("ffff", "ffff", "X")) == "/dev/ttyUSB0"
    binding = {"port": "COM3", "usb": {"vid": "0403", "pid": "6001", "serial": "A1"}}
    settings = PortSettings.from_binding(binding)
    assert settings.usb == UsbMatch("0403", "6001", "A1")
    assert settings.as_binding()["usb"] == binding["usb"]
    assert ports[1].label == "/dev/ttyUSB3 — FT232R [0403:6001 A1]"


def test_list_ports_describes_each_port() -> None:
    for info in list_ports():  # the container may have none; each one must be complete
        assert info.device and isinstance(info.description, str)
