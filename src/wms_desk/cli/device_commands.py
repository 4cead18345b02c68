"""`wms-desk scale read`, `scanner listen`, `simulate scale|scanner`: devices for IT and scripts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError

# Kept literal (not imported) so `wms-desk --help` does not load the device packages.
SCALE_PROTOCOLS = ("mt-sics", "nci", "toledo-continuous", "cas", "regex")
SUFFIX_CHOICES = ("cr", "lf", "crlf", "tab")
ANSWER_TIMEOUT_S = 3.0
# A port opens in milliseconds; a busy machine or a slow network may need seconds. pyserial's
# own socket:// connect gives up after 5 s, so this only catches a port that hangs.
OPEN_TIMEOUT_S = 10.0
USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    scale = subparsers.add_parser("scale", help="read a scale (one JSON object per line)")
    scale_commands = scale.add_subparsers(dest="scale_command", metavar="COMMAND", required=True)
    read = scale_commands.add_parser("read", help="print one reading, or every one with --watch")
    read.add_argument("--port", required=True, metavar="URL", help="/dev/ttyUSB0, COM3, socket://…")
    read.add_argument("--protocol", required=True, choices=SCALE_PROTOCOLS)
    read.add_argument(
        "--pattern", metavar="RE", help="regex protocol: (?P<weight>…) [unit, status]"
    )
    _line_options(read)
    read.add_argument("--watch", action="store_true", help="keep printing readings until Ctrl+C")
    read.set_defaults(run=run_scale_read)

    scanner = subparsers.add_parser("scanner", help="listen to a serial scanner")
    scanner_commands = scanner.add_subparsers(
        dest="scanner_command", metavar="COMMAND", required=True
    )
    listen = scanner_commands.add_parser("listen", help="print each scan as one JSON object")
    listen.add_argument("--port", required=True, metavar="URL")
    listen.add_argument(
        "--suffix", choices=SUFFIX_CHOICES, default="cr", help="scan terminator (cr)"
    )
    listen.add_argument("--count", type=_positive, metavar="N", help="exit after N scans")
    listen.add_argument("--prefix", default="", help="strip this prefix from each scan")
    listen.add_argument("--debounce-ms", type=float, default=0.0, help="drop repeats (0: none)")
    _line_options(listen)
    listen.set_defaults(run=run_scanner_listen)

    simulate = subparsers.add_parser("simulate", help="simulated devices for tests and demos")
    sim_commands = simulate.add_subparsers(dest="simulate_command", metavar="DEVICE", required=True)
    sim_scale = sim_commands.add_parser(
        "scale",
        help="a scale; stdin takes commands",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands (stdin or --script):\n" + _scale_help(),
    )
    sim_scale.add_argument("--protocol", required=True, choices=SCALE_PROTOCOLS)
    _transport_options(sim_scale)
    sim_scale.add_argument("--script", metavar="FILE", help="run these commands first")
    sim_scale.add_argument("--rate", type=float, default=10.0, help="frames/s when streaming (10)")
    sim_scale.add_argument("--unit", choices=("g", "kg", "lb", "oz"), default="kg")
    sim_scale.add_argument("--weight", default="0", help="initial weight in --unit (0)")
    sim_scale.add_argument("--nci-layout", choices=("full", "short", "s-prefix"), default="full")
    sim_scale.set_defaults(run=run_simulate_scale)

    sim_scanner = sim_commands.add_parser("scanner", help="a scanner; each stdin line is a scan")
    _transport_options(sim_scanner)
    sim_scanner.add_argument(
        "--aim", action="store_true", help="prefix AIM identifiers (]C1, ]E0…)"
    )
    sim_scanner.add_argument("--suffix", choices=SUFFIX_CHOICES, default="cr")
    sim_scanner.add_argument("--baud", type=int, help="pace bytes like a UART at this baud rate")
    sim_scanner.set_defaults(run=run_simulate_scanner)


def _line_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baud", type=int, help="baud rate (protocol default, usually 9600)")
    parser.add_argument("--bytesize", type=int, choices=(5, 6, 7, 8))
    parser.add_argument("--parity", type=str.upper, choices=("N", "E", "O"))
    parser.add_argument("--stopbits", type=float, choices=(1, 1.5, 2))


def _transport_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transport", choices=("pty", "tcp"), default="pty")
    parser.add_argument("--tcp-port", type=int, default=0, help="tcp: port to listen on (any free)")
    parser.add_argument("--link", metavar="PATH", help="pty: also make PATH a symlink to it")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _scale_help() -> str:
    from wms_desk.devices.simulators.commands import COMMAND_HELP

    return "\n".join("  " + line for line in COMMAND_HELP.splitlines())


def _port_settings(args: argparse.Namespace, defaults: Any) -> Any:
    from dataclasses import replace

    values = {"url": args.port}
    for option, field in (("baud", "baudrate"), ("bytesize", "bytesize"), ("parity", "parity")):
        if getattr(args, option) is not None:
            values[field] = getattr(args, option)
    if args.stopbits is not None:
        values["stopbits"] = args.stopbits
    return replace(defaults, **values)


def _open(link: Any, states: Any) -> None:
    """Start the link and wait for the port to open; a port that cannot be opened is exit 1."""
    import queue

    from wms_desk.devices.transport import DeviceState

    link.start()
    while True:
        try:
            state, detail = states.get(timeout=OPEN_TIMEOUT_S)
        except queue.Empty:
            raise CommandError(f"{link.settings.url}: the port did not open") from None
        if state == DeviceState.CONNECTED:
            return
        if state == DeviceState.DISCONNECTED:
            raise CommandError(detail.split("; retry")[0])


def _report_states(states: Any) -> None:
    """A scanner lost and found again while listening is news for stderr, not for stdout."""
    import queue

    while True:
        try:
            state, detail = states.get_nowait()
        except queue.Empty:
            return
        print(f"wms-desk: scanner {state.value}: {detail}", file=sys.stderr, flush=True)


def _announce(env: CliEnv, simulator: Any) -> None:
    """The address to connect to, alone on the first line, so scripts can `read` it."""
    env.out(simulator.address)
    env.stdout.flush()


def _emit(env: CliEnv, record: dict[str, Any]) -> None:
    import json

    print(json.dumps(record), file=env.stdout, flush=True)


def run_scale_read(env: CliEnv) -> int:
    import queue

    from wms_desk.devices.scales import create_scale
    from wms_desk.devices.scales.base import WeightStatus
    from wms_desk.devices.scales.regex import PatternError
    from wms_desk.devices.transport import SerialLink

    args = env.args
    if args.protocol == "regex" and not args.pattern:
        raise CommandError("--pattern is required with --protocol regex", USAGE_ERROR)
    readings: queue.Queue[Any] = queue.Queue()
    states: queue.Queue[Any] = queue.Queue()
    try:
        driver = create_scale(args.protocol, readings.put, pattern=args.pattern)
    except PatternError as exc:
        raise CommandError(str(exc), USAGE_ERROR) from exc
    link = SerialLink(
        "scale",
        _port_settings(args, driver.port_defaults),
        driver,
        lambda state, detail: states.put((state, detail)),
    )
    try:
        _open(link, states)
        if not args.watch:
            return _print_first_reading(env, link, readings)
        while True:
            try:
                reading = readings.get(timeout=0.5)  # short, so Ctrl+C is handled promptly
            except queue.Empty:
                continue
            if reading.status == WeightStatus.DISCONNECTED:
                print(f"wms-desk: the scale on {args.port} is {link.state.value}", file=sys.stderr)
            else:
                _emit(env, reading.as_dict())
    finally:
        link.stop()


def _print_first_reading(env: CliEnv, link: Any, readings: Any) -> int:
    import queue
    import time

    from wms_desk.devices.scales.base import WeightStatus

    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            reading = readings.get(timeout=left)
        except queue.Empty:
            break
        if reading.status != WeightStatus.DISCONNECTED:
            _emit(env, reading.as_dict())
            return 0
    hint = f" ({link.detail})" if link.detail and link.state.value == "error" else ""
    raise CommandError(
        f"the scale on {env.args.port} did not answer within {ANSWER_TIMEOUT_S:g} s{hint}"
    )


def run_scanner_listen(env: CliEnv) -> int:
    import queue

    from wms_desk.devices.scanner import SCANNER_PORT_DEFAULTS, ScannerSettings, SerialScanner
    from wms_desk.devices.transport import SerialLink

    args = env.args
    scans: queue.Queue[Any] = queue.Queue()
    states: queue.Queue[Any] = queue.Queue()
    settings = ScannerSettings(
        suffix=args.suffix, prefix=args.prefix, debounce_s=args.debounce_ms / 1000
    )
    link = SerialLink(
        "scanner",
        _port_settings(args, SCANNER_PORT_DEFAULTS),
        SerialScanner(scans.put, settings),
        lambda state, detail: states.put((state, detail)),
    )
    printed = 0
    try:
        _open(link, states)
        # Said once the port is open, not before: what is scanned from now on is printed (a
        # socket:// port drops what arrived while it was opening).
        print(f"wms-desk: listening on {args.port}; scan now", file=sys.stderr, flush=True)
        while args.count is None or printed < args.count:
            _report_states(states)
            try:
                result = scans.get(timeout=0.5)  # short, so Ctrl+C is handled promptly
            except queue.Empty:
                continue
            _emit(env, result.as_dict())
            printed += 1
        return 0
    finally:
        link.stop()


def run_simulate_scale(env: CliEnv) -> int:
    from pathlib import Path

    from wms_desk.devices.simulators.scale import ScaleSimulator, SimulatorError

    args = env.args
    try:
        sim = ScaleSimulator(
            args.protocol,
            args.transport,
            port=args.tcp_port,
            link_path=args.link,
            rate_hz=args.rate,
            unit=args.unit,
            nci_layout=args.nci_layout,
        )
    except (OSError, ValueError) as exc:  # no ptys here, the TCP port is taken, a bad --link
        raise CommandError(str(exc)) from exc
    try:
        sim.command(f"weight {args.weight}")
        _announce(env, sim.start())
        if args.script:
            try:
                sim.run_script(Path(args.script).read_text(encoding="utf-8").splitlines())
            except (OSError, SimulatorError) as exc:
                raise CommandError(f"{args.script}: {exc}") from exc
        for line in sys.stdin:
            try:
                sim.command(line)
            except SimulatorError as exc:
                print(f"wms-desk: {exc}", file=sys.stderr, flush=True)
            if sim.stopped:
                return 0
        sim.wait()  # stdin closed: keep simulating until `quit`, Ctrl+C or a signal
        return 0
    except SimulatorError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        sim.stop()


def run_simulate_scanner(env: CliEnv) -> int:
    from wms_desk.devices.simulators.scanner import ScannerSimulator

    args = env.args
    try:
        sim = ScannerSimulator(
            args.transport,
            aim=args.aim,
            suffix=args.suffix,
            port=args.tcp_port,
            link_path=args.link,
            baudrate=args.baud,
        )
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    try:
        _announce(env, sim)
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            if text:
                sim.scan(text)
        sim.wait()
        return 0
    finally:
        sim.stop()
