"""A simulated scale for every protocol, driven by text commands (stdin, a script, or tests)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from wms_desk.devices.framing import split_frames
from wms_desk.devices.scales import protocol_module
from wms_desk.devices.scales.base import GRAMS_PER_UNIT, SimulatedLoad
from wms_desk.devices.simulators.commands import COMMAND_HELP
from wms_desk.devices.simulators.endpoint import Endpoint, open_endpoint

_DEFAULT_DECIMALS = {"g": 0, "kg": 3, "lb": 2, "oz": 1}


class SimulatorError(ValueError):
    """A command the simulator does not understand."""


def with_even_parity(data: bytes) -> bytes:
    """What a 7E1 device's bytes look like to an 8N1 port: parity in bit 7."""
    return bytes(byte | 0x80 if bin(byte).count("1") % 2 else byte for byte in data)


class ScaleSimulator:
    """One simulated scale on a pty or TCP endpoint, answering polls or streaming frames."""

    def __init__(
        self,
        protocol: str,
        transport: str = "pty",
        *,
        port: int = 0,
        link_path: str | None = None,
        rate_hz: float = 10.0,
        unit: str = "kg",
        nci_layout: str = "full",
    ) -> None:
        self.protocol = protocol
        self.module = protocol_module(protocol)
        self.endpoint: Endpoint = open_endpoint(transport, port=port, link_path=link_path)
        self.load = SimulatedLoad(unit=unit, decimals=_DEFAULT_DECIMALS[unit])
        self.rate_hz = rate_hz
        self.nci_layout = nci_layout
        self.parity = False
        self.silent = False
        self.requests_seen = 0
        self._one_shot: set[str] = set()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._inbox = bytearray()
        self._random = random.Random(7)

    @property
    def address(self) -> str:
        return self.endpoint.address

    def start(self) -> ScaleSimulator:
        self._thread = threading.Thread(target=self._run, name="scale-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.endpoint.close()

    def __enter__(self) -> ScaleSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait(self) -> None:
        """Block until `quit` (short waits, so Ctrl+C still interrupts)."""
        while not self._stop.wait(0.5):
            pass

    # -- commands -------------------------------------------------------------------------------

    def command(self, line: str) -> None:
        """Apply one text command (see COMMAND_HELP); raises SimulatorError when not understood."""
        words = line.split("#", 1)[0].split()
        if not words:
            return
        verb, args = words[0].lower(), words[1:]
        with self._lock:
            self._apply(verb, args)

    def run_script(self, lines: Iterable[str]) -> None:
        for line in lines:
            if self._stop.is_set():
                return
            self.command(line)

    def _apply(self, verb: str, args: list[str]) -> None:
        load = self.load
        if verb in ("weight", "w"):
            unit = args[1].lower() if len(args) > 1 else load.unit
            load.grams = _number(args) * _grams_per(unit)
        elif verb == "unit":
            unit = args[0].lower() if args else ""
            _grams_per(unit)
            load.unit = unit
            load.decimals = int(args[1]) if len(args) > 1 else _DEFAULT_DECIMALS[unit]
        elif verb == "motion":
            load.motion = _switch(args)
        elif verb == "stable":
            load.motion = False
        elif verb == "overload":
            load.overload, load.underload = True, False
        elif verb == "underload":
            load.overload, load.underload = False, True
        elif verb == "normal":
            load.overload = load.underload = load.motion = False
        elif verb == "zero":
            load.zero_offset_g = load.grams - load.tare_g
        elif verb == "tare":
            load.tare_g = load.grams - load.zero_offset_g
        elif verb == "garbage":
            self._send(
                b"#%&*!garbage:" + bytes(self._random.randrange(0x21, 0x7E) for _ in range(8))
            )
            self._send(b"\r\n\x03")
        elif verb == "nonascii":
            self._send(bytes(self._random.randrange(0x80, 0x100) for _ in range(12)) + b"\r\n\x03")
            self._one_shot.add("highbit")
        elif verb in ("truncate", "badsum"):
            self._one_shot.add(verb)
        elif verb == "parity":
            self.parity = _switch(args)
        elif verb == "silent":
            self.silent = _switch(args)
        elif verb == "rate":
            self.rate_hz = max(0.1, float(_number(args)))
        elif verb == "sleep":
            time.sleep(float(_number(args)))
        elif verb in ("quit", "exit"):
            self._stop.set()
        else:
            raise SimulatorError(f"unknown command {verb!r}; try: {COMMAND_HELP.splitlines()[0]}")

    # -- the device loop ------------------------------------------------------------------------

    def _run(self) -> None:
        next_frame = time.monotonic()
        while not self._stop.is_set():
            timeout = max(0.0, next_frame - time.monotonic()) if self.module.STREAMING else 0.05
            data = self.endpoint.recv(min(timeout, 0.05))
            if data:
                self._requests(data)
            if self.module.STREAMING and time.monotonic() >= next_frame:
                next_frame = time.monotonic() + 1.0 / self.rate_hz
                with self._lock:
                    if not self.silent:
                        self._send(self._faulted(self.module.sim_frame(**self._frame_args())))

    def _requests(self, data: bytes) -> None:
        terminator = self.module.SIM_REQUEST_TERMINATOR
        if terminator is None:  # single-byte commands
            requests = [bytes([byte]) for byte in data if byte >= 0x20]
        else:
            self._inbox += data
            requests = [r for r in split_frames(self._inbox, terminator) if r.strip()]
        for request in requests:
            with self._lock:
                self.requests_seen += 1
                answer = self._answer(request)
                if answer is not None and not self.silent:
                    self._send(self._faulted(answer))

    def _answer(self, request: bytes) -> bytes | None:
        if self.protocol == "nci":
            return self.module.sim_answer(self.load, request, layout=self.nci_layout)
        return self.module.sim_answer(self.load, request)

    def _frame_args(self) -> dict[str, object]:
        args: dict[str, object] = {"load": self.load}
        if self.protocol == "toledo-continuous" and "badsum" in self._one_shot:
            self._one_shot.discard("badsum")
            args["bad_checksum"] = True
        return args

    def _faulted(self, frame: bytes) -> bytes:
        if "truncate" in self._one_shot:
            self._one_shot.discard("truncate")
            return frame[: len(frame) // 2]
        if "badsum" in self._one_shot:  # no checksum in this protocol: mangle a digit instead
            self._one_shot.discard("badsum")
            frame = _replace_last_digit(frame, lambda digit: ord("x"))
        if "highbit" in self._one_shot:
            # Another digit with bit 7 set: a parser that just masks bytes reads a wrong weight.
            self._one_shot.discard("highbit")
            frame = _replace_last_digit(frame, lambda digit: (0x30 + (digit - 0x2F) % 10) | 0x80)
        return frame

    def _send(self, data: bytes) -> None:
        self.endpoint.send(with_even_parity(data) if self.parity else data)


def _replace_last_digit(frame: bytes, replace: Callable[[int], int]) -> bytes:
    digits = [index for index, byte in enumerate(frame) if 0x31 <= byte <= 0x39]
    if not digits:
        return frame
    at = digits[-1]
    return frame[:at] + bytes([replace(frame[at])]) + frame[at + 1 :]


def _number(args: list[str]) -> Decimal:
    try:
        return Decimal(args[0])
    except (IndexError, InvalidOperation) as exc:
        raise SimulatorError("expected a number") from exc


def _grams_per(unit: str) -> Decimal:
    if unit not in GRAMS_PER_UNIT:
        raise SimulatorError(f"unit must be one of {', '.join(GRAMS_PER_UNIT)}, not {unit!r}")
    return GRAMS_PER_UNIT[unit]


def _switch(args: list[str]) -> bool:
    return not args or args[0].lower() in ("on", "1", "yes", "true")
