"""`wms-desk scale read`, `scanner listen`, `simulate`: JSON keys and exit codes are a contract."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.devices.conftest import Collector
from wms_desk.cli.main import main
from wms_desk.devices.scanner import ScannerSettings, SerialScanner
from wms_desk.devices.simulators.scale import ScaleSimulator
from wms_desk.devices.simulators.scanner import ScannerSimulator
from wms_desk.devices.transport import DeviceState, PortSettings, SerialLink

SCALE_KEYS = {"status", "weight", "unit", "grams", "raw"}
SCAN_KEYS = {"data", "aim", "symbology", "gs1", "kind", "error"}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_scale_read_prints_one_reading(capsys) -> None:
    with ScaleSimulator("nci", rate_hz=20) as sim:
        sim.command("weight 1.25 kg")
        assert main(["scale", "read", "--port", sim.address, "--protocol", "nci"]) == 0
    (reading,) = _json_lines(capsys.readouterr().out)
    assert reading.keys() == SCALE_KEYS
    assert (reading["status"], reading["unit"], reading["grams"]) == ("stable", "kg", "1250.000")
    assert reading["weight"] == "001.250"


def test_scale_read_with_line_options_and_a_regex_pattern(capsys) -> None:
    pattern = r"(?P<status>ST|US)\s+(?P<weight>[\d.]+)\s*(?P<unit>kg)"
    with ScaleSimulator("regex", rate_hz=20) as sim:
        sim.command("weight 0.5 kg")
        argv = ["scale", "read", "--port", sim.address, "--protocol", "regex", "--pattern"]
        argv += [pattern, "--baud", "19200", "--bytesize", "7", "--parity", "e", "--stopbits", "1"]
        assert main(argv) == 0
    (reading,) = _json_lines(capsys.readouterr().out)
    assert (reading["grams"], reading["raw"]) == ("500.000", "ST 0.500 kg")


def test_scale_that_does_not_answer_is_exit_1_after_3_seconds(capsys) -> None:
    with ScaleSimulator("mt-sics") as sim:
        sim.command("silent on")
        started = time.monotonic()
        assert main(["scale", "read", "--port", sim.address, "--protocol", "mt-sics"]) == 1
        assert 2.9 <= time.monotonic() - started < 5
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did not answer within 3 s" in captured.err


def test_usage_errors_exit_2_and_a_missing_port_exits_1(capsys) -> None:
    assert main(["scale", "read", "--port", "loop://", "--protocol", "regex"]) == 2
    assert "--pattern is required" in capsys.readouterr().err
    argv = ["scale", "read", "--port", "loop://", "--protocol", "regex", "--pattern", "(\\d+)"]
    assert main(argv) == 2
    with pytest.raises(SystemExit) as exited:
        main(["scale", "read", "--port", "loop://", "--protocol", "imaginary"])
    assert exited.value.code == 2
    assert main(["scale", "read", "--port", "/dev/no-such-scale", "--protocol", "cas"]) == 1
    assert "cannot open /dev/no-such-scale" in capsys.readouterr().err


def _until(condition: Callable[[], bool], what: str, limit_s: float = 30.0) -> None:
    """Wait for a condition (checked every 10 ms); the limit only stops a hung test."""
    tick = threading.Event()
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        tick.wait(0.01)


def test_scanner_listen_prints_count_scans_and_exits() -> None:
    with ScannerSimulator("tcp", aim=True, suffix="crlf") as sim:
        argv = ["scanner", "listen", "--port", sim.address, "--suffix", "crlf", "--count", "2"]
        listener = subprocess.Popen(
            [sys.executable, "-m", "wms_desk.cli.main", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert listener.stderr is not None
        # Scan only once the command says its port is open: pyserial's socket:// open drops
        # what arrived while it was connecting, however long a busy machine takes for that.
        ready = listener.stderr.readline()
        assert f"listening on {sim.address}" in ready, ready + listener.stderr.read()
        _until(sim.endpoint.has_client, "the simulator to accept the listener")
        sim.scan("0109506000134352<GS>10LOT7")
        sim.scan("BADGE:77")
        out, err = listener.communicate(timeout=60)
    assert listener.returncode == 0, err
    assert "\\u001d" in out  # GS kept, escaped in JSON
    first, second = _json_lines(out)
    assert first.keys() == SCAN_KEYS
    assert first == {
        "data": "0109506000134352\x1d10LOT7",
        "aim": "]C1",
        "symbology": "gs1-128",
        "gs1": {"01": "09506000134352", "10": "LOT7"},
        "kind": "product",
        "error": None,
    }
    assert (second["kind"], second["aim"], second["gs1"]) == ("badge", "]C0", None)


@pytest.fixture
def spawn() -> Iterator:
    started: list[subprocess.Popen[str]] = []

    def run(*args: str) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "wms_desk.cli.main", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        return process, process.stdout.readline().strip()  # the address, on the first line

    yield run
    for process in started:
        process.terminate()
        process.wait(5)


def test_simulate_scale_subprocess_with_a_script_and_stdin(spawn, tmp_path: Path, capsys) -> None:
    script = tmp_path / "scale.txt"
    script.write_text("# a parcel\nweight 2.5 kg\nmotion off\n", encoding="utf-8")
    process, address = spawn(
        "simulate", "scale", "--protocol", "toledo-continuous", "--script", str(script)
    )
    assert address.startswith("/dev/")
    assert main(["scale", "read", "--port", address, "--protocol", "toledo-continuous"]) == 0
    assert _json_lines(capsys.readouterr().out)[0]["grams"] == "2500.000"
    process.stdin.write("fly to the moon\nweight 3 kg\n")
    process.stdin.flush()
    assert "unknown command 'fly'" in process.stderr.readline()
    readings = Collector()
    from wms_desk.devices.scales import create_scale

    link = SerialLink("scale", PortSettings(address), create_scale("toledo-continuous", readings))
    link.start()
    try:
        assert readings.next(lambda r: r.grams is not None).grams == 3000
    finally:
        link.stop()


def test_simulate_scanner_subprocess_sends_stdin_lines_as_scans(spawn) -> None:
    process, address = spawn(
        "simulate", "scanner", "--transport", "tcp", "--aim", "--suffix", "tab"
    )
    assert address.startswith("socket://127.0.0.1:")
    scans, states = Collector(), Collector()
    settings = ScannerSettings(suffix="tab", debounce_s=0)
    link = SerialLink(
        "scanner", PortSettings(address), SerialScanner(scans, settings), lambda s, d: states(s)
    )
    link.start()
    try:
        states.next(lambda state: state == DeviceState.CONNECTED)
        process.stdin.write("5901234123457\nA-01-03\n")
        process.stdin.flush()
        first, second = scans.next(), scans.next()
    finally:
        link.stop()
    assert (first.aim, first.kind) == ("]E0", "product")
    assert (second.data, second.kind) == ("A-01-03", "bin")


def test_scale_read_watch_keeps_printing_readings(spawn) -> None:
    with ScaleSimulator("cas", rate_hz=20) as sim:
        sim.command("weight 4 kg")
        process, first_line = spawn(
            "scale", "read", "--watch", "--port", sim.address, "--protocol", "cas"
        )
        lines = [first_line] + [process.stdout.readline().strip() for _ in range(2)]
        sim.command("motion on")
        while json.loads(lines[-1])["status"] != "motion":
            lines.append(process.stdout.readline().strip())
    readings = [json.loads(line) for line in lines]
    assert all(reading.keys() == SCALE_KEYS for reading in readings)
    assert readings[0] == {
        "status": "stable",
        "weight": "0004.000",
        "unit": "kg",
        "grams": "4000.000",
        "raw": readings[0]["raw"],
    }
    assert readings[-1]["status"] == "motion"


def test_simulator_on_a_taken_tcp_port_is_exit_1(capsys) -> None:
    with ScaleSimulator("cas", "tcp") as busy:
        port = str(busy.endpoint.port)
        argv = ["simulate", "scale", "--protocol", "cas", "--transport", "tcp", "--tcp-port", port]
        assert main(argv) == 1
    assert "wms-desk:" in capsys.readouterr().err
