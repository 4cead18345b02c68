"""Scale frames byte by byte: the vectors of hardware.md sections 0 and 1, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.devices.conftest import Collector
from wms_desk.devices.framing import seven_bit_text, split_frames
from wms_desk.devices.scales import create_scale
from wms_desk.devices.scales.base import SimulatedLoad
from wms_desk.devices.scales.toledo import checksum, sim_frame
from wms_desk.devices.simulators.scale import with_even_parity


def _parse(protocol: str, frame: str, **kwargs):
    return create_scale(protocol, lambda reading: None, **kwargs).parse(frame)


@pytest.mark.parametrize(
    ("frame", "status", "weight", "unit", "grams"),
    [
        ("S S      1.234 kg", "stable", "1.234", "kg", "1234.000"),
        ("S D      1.230 kg", "motion", "1.230", "kg", "1230.000"),
        ("S S     100.00 g", "stable", "100.00", "g", "100.00"),
        ("S D      -0.68 g", "motion", "-0.68", "g", "-0.68"),
        ("S I", "motion", None, None, None),
        ("S +", "overload", None, None, None),
        ("S -", "underload", None, None, None),
        ("ES", "error", None, None, None),
        ("ET", "error", None, None, None),
        ("EL", "error", None, None, None),
    ],
)
def test_mt_sics_answers(frame: str, status: str, weight, unit, grams) -> None:
    reading = _parse("mt-sics", frame + "\r").reading
    assert (reading.status, reading.weight, reading.unit) == (status, weight, unit)
    assert reading.grams == (Decimal(grams) if grams else None)


@pytest.mark.parametrize("frame", ["S S 1.2.3 kg", "S S 1.234 furlongs", "S X 1 kg", "Q", "S S"])
def test_mt_sics_refuses_what_it_cannot_read(frame: str) -> None:
    parsed = _parse("mt-sics", frame)
    assert parsed is None or parsed.reading.grams is None


@pytest.mark.parametrize(
    ("frame", "status", "grams"),
    [
        ("\n0001.25lb\r\n00\r", "stable", Decimal("1.25") * Decimal("453.59237")),
        ("\n0001.25lb\r\n10\r", "motion", Decimal("1.25") * Decimal("453.59237")),
        ("\n0001.25lb\r\n02\r", "overload", None),
        ("\n0001.25lb\r\n01\r", "underload", None),
        ("\n0001.25lb\r\n40\r", "error", None),  # RAM error
        ("\n0001.25lb\r00", "stable", Decimal("1.25") * Decimal("453.59237")),  # no 2nd LF/CR
        ("\n 1250g \r\nS00\r", "stable", Decimal(1250)),  # SCP-02 style S prefix
        ("\n------lb\r\n00\r", "error", None),  # a weight field of dashes
        ("\n?\r", "error", None),
    ],
)
def test_nci_answers(frame: str, status: str, grams: Decimal | None) -> None:
    reading = _parse("nci", frame).reading
    assert reading.status == status
    assert reading.grams == grams


def test_nci_status_only_answers_a_command() -> None:
    parsed = _parse("nci", "\nS20\r")
    assert parsed.reading is None and parsed.reply_ok is True
    assert _parse("nci", "\n00\r").reply_ok is True
    assert _parse("nci", "\n08\r").reply_ok is False  # faulty calibration


def test_toledo_worked_vector_from_hardware_md() -> None:
    frame = b"\x02,  001234000000\r;"
    assert checksum(frame[:17]) == ord(";")
    reading = _parse("toledo-continuous", frame.decode("ascii")).reading
    assert (reading.status, reading.weight, reading.unit) == ("stable", "0012.34", "lb")
    assert reading.grams == Decimal("12.34") * Decimal("453.59237")


@pytest.mark.parametrize(
    ("swb", "status"),
    [(0x28, "motion"), (0x24, "overload"), (0x26, "underload"), (0x30, "stable"), (0x22, "stable")],
)
def test_toledo_status_bits(swb: int, status: str) -> None:
    body = bytes([2, 0x2C, swb, 0x20]) + b"001234000000\r"
    driver = create_scale("toledo-continuous", lambda r: None)
    frames = driver.split(bytearray(body + bytes([checksum(body)])))
    reading = driver.parse(frames[0].decode("ascii")).reading
    assert reading.status == status
    if swb == 0x30:
        assert (reading.unit, reading.weight) == ("kg", "0012.34")
    if swb == 0x22:  # negative, in range, lb
        assert (reading.unit, reading.weight) == ("lb", "-0012.34")
        assert reading.grams == Decimal("-12.34") * Decimal("453.59237")


def test_toledo_stream_resyncs_and_keeps_only_the_latest_frame() -> None:
    collector = Collector()
    driver = create_scale("toledo-continuous", collector)
    first = sim_frame(SimulatedLoad(grams=Decimal(1000)))
    bad = sim_frame(SimulatedLoad(grams=Decimal(5000)), bad_checksum=True)
    latest = sim_frame(SimulatedLoad(grams=Decimal(2000)))
    # Backlog in one read: garbage, a truncated frame, a bad checksum, then two good frames.
    driver.data_received(b"junk" + first[:7] + bad + first + latest, 0.0)
    (reading,) = collector.drain()
    assert reading.grams == Decimal("2000.000")
    # A frame split across reads is completed by the next one.
    driver.data_received(first[:5], 0.1)
    assert collector.drain() == []
    driver.data_received(first[5:], 0.2)
    assert collector.drain()[0].grams == Decimal("1000.000")


def test_toledo_frames_without_checksum_when_configured() -> None:
    from wms_desk.devices.scales import scale_from_binding

    collector = Collector()
    driver, _port = scale_from_binding(
        {"port": "loop://", "protocol": "toledo-continuous", "checksum": False}, collector
    )
    frame = sim_frame(SimulatedLoad(grams=Decimal(750)))[:17]  # STX .. CR, no checksum byte
    driver.data_received(frame + frame.replace(b"750", b"751"), 0.0)
    (reading,) = collector.drain()
    assert reading.grams == Decimal("751.000")


@pytest.mark.parametrize(
    ("line", "status", "grams"),
    [
        ("ST,GS,1@,000013.5 kg", "stable", Decimal("13500.0")),
        ("US,GS,1\x04,000013.5 kg", "motion", Decimal("13500.0")),
        ("ST,NT,1@,-00001.5 kg", "stable", Decimal("-1500.0")),
        ("ST,+001234.5  g", "stable", Decimal("1234.5")),  # A&D
        ("QT,+000012.0 lb", "stable", Decimal("12.0") * Decimal("453.59237")),
        ("OL,+999999.9", "overload", None),
        ("OL,-999999.9", "underload", None),
        ("ST,GS,00013.5kg", "stable", Decimal("13500.0")),  # 18-byte AND format
    ],
)
def test_cas_and_a_and_d_lines(line: str, status: str, grams: Decimal | None) -> None:
    reading = _parse("cas", line + "\r\n").reading
    assert reading.status == status
    assert reading.grams == grams


@pytest.mark.parametrize("line", ["XX,GS,000013.5 kg", "ST,GS,1@,00x013.5 kg", "ST,GS,1@,", ""])
def test_cas_refuses_mangled_lines(line: str) -> None:
    assert _parse("cas", line) is None


def test_regex_pattern_groups() -> None:
    pattern = r"WT:(?P<weight>[+-]?\d+\.\d+)(?P<unit>kg|lb)\s+(?P<status>ST|US|OL)"
    assert _parse("regex", "WT:1.500kg ST", pattern=pattern).reading.grams == Decimal("1500.000")
    assert _parse("regex", "WT:1.500kg US", pattern=pattern).reading.status == "motion"
    assert _parse("regex", "WT:9.999kg OL", pattern=pattern).reading.grams is None
    assert _parse("regex", "noise", pattern=pattern) is None


def test_regex_pattern_must_have_a_weight_group() -> None:
    from wms_desk.devices.scales.regex import PatternError

    with pytest.raises(PatternError):
        create_scale("regex", lambda r: None, pattern=r"(\d+)")
    with pytest.raises(PatternError):
        create_scale("regex", lambda r: None, pattern=r"(?P<weight>[")


def test_seven_bit_text_accepts_parity_and_refuses_stray_high_bytes() -> None:
    frame = b"S S      1.234 kg\r"
    assert seven_bit_text(with_even_parity(frame)) == frame.decode()
    assert seven_bit_text(frame.replace(b"4", bytes([0xB5]))) is None  # '5' with bit 7: noise
    assert seven_bit_text(b"\xff\xfe\xfd") is None


def test_split_frames_keeps_partial_tail_and_bounds_the_buffer() -> None:
    buffer = bytearray(b"one\rtwo\x8dthr")
    assert split_frames(buffer, b"\r") == [b"one", b"two"]  # 0x8D is CR with parity
    assert buffer == b"thr"
    runaway = bytearray(b"x" * 10_000)
    assert split_frames(runaway, b"\r") == []
    assert len(runaway) <= 4096
