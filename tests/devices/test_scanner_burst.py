"""A runaway burst on a scanner: read in bulk, framed in linear time, the overlong line dropped."""

from __future__ import annotations

import time

from tests.devices.conftest import Collector
from wms_desk.devices.framing import MAX_BUFFER, LineFramer
from wms_desk.devices.scanner import ScannerSettings, SerialScanner
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.devices.transport import DeviceState, PortSettings, SerialLink

BURST = 200 * 1024


def test_socket_scanner_survives_a_200_kb_burst_without_terminator() -> None:
    sim = ScannerSimulator("tcp")
    scans, states = Collector(), Collector()
    link = SerialLink(
        "scanner",
        PortSettings(sim.address),
        SerialScanner(scans, ScannerSettings(debounce_s=0)),
        lambda s, d: states(s),
    )
    link.start()
    try:
        states.next(lambda state: state == DeviceState.CONNECTED)
        assert sim.address.startswith("socket://")
        sim.send_raw(b"7" * BURST)  # a stuck trigger, a wrong suffix: no CR ever comes
        error = scans.next()
        assert error.error is not None and f"more than {MAX_BUFFER} bytes" in error.error
        assert "CR" in error.error  # says what to check
        # The burst's line ends with the next CR; the scan after it must be the next event.
        sim.send_raw(b"\r")
        sent_at = sim.scan("0614141999996")
        scan = scans.next(timeout=5.0)
        elapsed = time.perf_counter() - sent_at
        assert (scan.data, scan.error) == ("0614141999996", None)
        assert elapsed < 1.0, f"the scan after the burst took {elapsed:.3f} s"
        assert scans.drain() == []  # no tail of the burst was delivered as a scan
    finally:
        link.stop()
        sim.stop()


def test_overlong_line_is_dropped_whole_even_when_it_ends() -> None:
    framer = LineFramer(b"\r\n", seven_bit=False, max_frame=10)
    first = framer.feed(b"12345")
    assert (first.frames, first.overlong) == ([], 0)
    second = framer.feed(b"678901234")  # now 14 bytes without an end: counted once, dropped
    assert (second.frames, second.overlong) == ([], 1)
    third = framer.feed(b"more garbage\rok\r")  # the overlong line's end; its tail is not a frame
    assert (third.frames, third.overlong) == ([b"ok"], 0)
    assert framer.feed(b"0123456789ABC\r").overlong == 1  # too long inside one chunk
    assert framer.feed(b"x\r").frames == [b"x"]


def test_frames_split_across_chunks_and_seven_bit_terminators() -> None:
    framer = LineFramer(b"\r")
    assert framer.feed(b"on").frames == []
    assert framer.feed(b"e\x8dtw").frames == [b"one"]  # 0x8D is CR with a parity bit
    assert framer.feed(b"o\r\rthree\r").frames == [b"two", b"", b"three"]
    framer.feed(b"half")
    framer.reset()
    assert framer.feed(b"new\r").frames == [b"new"]


def test_framing_cost_is_linear_in_bytes_fed_one_at_a_time() -> None:
    # Byte-by-byte feeding is what a socket port used to do; each byte must cost O(1), not a
    # rescan of the pending line. 20x the bytes must take far less than 400x the time.
    def feed_bytes(count: int) -> float:
        framer = LineFramer(b"\r", seven_bit=False, max_frame=count + 1)
        one = b"7"
        started = time.perf_counter()
        for _ in range(count):
            framer.feed(one)
        return time.perf_counter() - started

    small, large = feed_bytes(2_000), feed_bytes(40_000)
    assert large < small * 100, (small, large)
