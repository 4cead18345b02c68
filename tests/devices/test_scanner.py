"""The serial scanner over a real pty: every GS1 vector, suffixes, split and glued reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.devices.conftest import Collector
from wms_desk.devices.scanner import ScannerSettings, SerialScanner
from wms_desk.devices.simulators.scanner import ScannerSimulator, aim_for, typed_to_wire
from wms_desk.devices.transport import DeviceState, PortSettings, SerialLink
from wms_desk.domain.scan import GS

VECTORS = json.loads(
    (Path("/work/shared/reference/samples/gs1_vectors.json")).read_text(encoding="utf-8")
)


@contextmanager
def scanner_rig(
    settings: ScannerSettings | None = None, **sim_args: object
) -> Iterator[tuple[ScannerSimulator, Collector]]:
    settings = settings or ScannerSettings(debounce_s=0)
    sim = ScannerSimulator("pty", suffix=settings.suffix, **sim_args)
    scans, states = Collector(), Collector()
    link = SerialLink(
        "scanner", PortSettings(sim.address), SerialScanner(scans, settings), lambda s, d: states(s)
    )
    link.start()
    try:
        states.next(lambda state: state == DeviceState.CONNECTED)
        yield sim, scans
    finally:
        link.stop()
        sim.stop()


def test_every_gs1_vector_through_a_pty() -> None:
    with scanner_rig() as (sim, scans):
        for vector in VECTORS:
            sim.send_raw(vector["input"].encode("utf-8") + b"\r")
        results = [scans.next() for _ in VECTORS]
    for vector, result in zip(VECTORS, results, strict=True):
        label = repr(vector["input"])
        aim = vector["aim"]
        assert result.aim == aim, label
        assert result.data == (vector["input"][3:] if aim else vector["input"]), label
        if vector.get("lenient"):
            # Parsers legitimately differ here: ours may refuse, but must never misread.
            assert result.error is not None or result.gs1 == vector["expect"], label
        elif "expect" in vector:
            assert result.error is None, (label, result.error)
            assert result.gs1 == vector["expect"], label
        else:
            assert result.error is not None, (label, vector["expect_error"])
            assert result.gs1 is None, label


def test_hardware_md_gs1_128_scan_with_aim_and_gs() -> None:
    wire = "]C1010950600013435217251231310300125010ABC123<GS>21S42"
    with scanner_rig() as (sim, scans):
        sim.scan(wire)
        result = scans.next()
    assert (result.aim, result.symbology, result.kind, result.error) == (
        "]C1",
        "gs1-128",
        "product",
        None,
    )
    assert GS in result.data  # separators are kept in the payload
    assert result.gs1 == {
        "01": "09506000134352",
        "17": "251231",
        "3103": "001250",
        "10": "ABC123",
        "21": "S42",
    }
    assert result.decoded["3103"] == Decimal("1.250")
    assert result.decoded["17"] == date(2025, 12, 31)


@pytest.mark.parametrize("suffix", ["cr", "lf", "crlf", "tab"])
def test_suffix_variants(suffix: str) -> None:
    settings = ScannerSettings(suffix=suffix, debounce_s=0)
    with scanner_rig(settings, aim=True) as (sim, scans):
        sim.scan("5901234123457")
        sim.scan("ORD:100234")
        first, second = scans.next(), scans.next()
    assert (first.aim, first.symbology, first.gtin) == ("]E0", "ean-13", "05901234123457")
    assert (second.data, second.kind, second.aim) == ("ORD:100234", "order", "]C0")
    assert scans.drain() == []  # no empty or glued scans from the terminator


def test_two_scans_in_one_read_and_a_scan_split_across_reads() -> None:
    with scanner_rig() as (sim, scans):
        sim.send_raw(b"]C0A-01-03\r]E05901234123457\r")
        assert [scans.next().kind, scans.next().kind] == ["bin", "product"]
    found = Collector()
    scanner = SerialScanner(found, ScannerSettings(debounce_s=0))
    scanner.data_received(b"]E059012", 0.0)
    assert found.drain() == []
    scanner.data_received(b"34123457\r]C0BADGE:", 0.01)
    assert found.next().gtin == "05901234123457"
    scanner.data_received(b"K-7\r", 0.02)
    assert (found.next().kind, found.drain()) == ("badge", [])


def test_paced_at_2400_baud_the_scan_arrives_in_pieces_and_still_decodes() -> None:
    with scanner_rig(baudrate=2400, aim=True) as (sim, scans):
        sim.scan("00006141411234567890")
        result = scans.next()
    assert (result.kind, result.sscc, result.aim) == ("sscc", "006141411234567890", "]C1")


def test_a_non_utf8_byte_is_an_error_event_and_the_stream_goes_on() -> None:
    with scanner_rig() as (sim, scans):
        sim.send_raw(b"AB\xffCD\r")
        sim.send_raw(b"CMD:COMPLETE\r")
        bad, good = scans.next(), scans.next()
    assert bad.error == "not valid text: byte 0xFF at position 2"
    assert bad.data == "AB\\xffCD"
    assert (good.kind, good.error) == ("command", None)


def test_prefix_strip_aim_off_and_debounce() -> None:
    found = Collector()
    settings = ScannerSettings(prefix="#", aim=False, debounce_s=0.3)
    scanner = SerialScanner(found, settings)
    scanner.data_received(b"#]C0ABC\r", 0.0)
    result = found.next()
    assert (result.data, result.aim) == ("]C0ABC", None)  # AIM off: `]` is plain data
    scanner.data_received(b"#ORD:7\r#ORD:7\r", 0.1)  # a double read of one label
    scanner.data_received(b"#ORD:7\r", 0.35)  # still within 0.3 s of the last repeat
    assert found.next().data == "ORD:7"
    assert found.drain() == []
    scanner.data_received(b"#ORD:7\r", 1.0)  # a deliberate second scan later
    assert found.next().data == "ORD:7"


def test_simulator_aim_guess_and_gs_spellings() -> None:
    assert aim_for("5901234123457") == "]E0"
    assert aim_for("96385074") == "]E4"
    assert aim_for("0109506000134352" + GS + "10AB") == "]C1"
    assert aim_for("A-01-03") == "]C0"
    assert typed_to_wire("10AB<GS>21C\\x1d99") == f"10AB{GS}21C{GS}99"


def test_bad_suffix_is_refused() -> None:
    with pytest.raises(ValueError, match="suffix"):
        ScannerSettings(suffix="semicolon")
