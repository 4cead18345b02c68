"""Mettler Toledo MT-SICS: `SI` polled at 10 Hz, `S S|D <weight> <unit>`, Z/T, S I/+/-, ES/ET/EL."""

from __future__ import annotations

import re
from typing import ClassVar

from wms_desk.devices.scales.base import (
    Parsed,
    ScaleDriver,
    SimulatedLoad,
    WeightStatus,
    weighed,
    without_weight,
)
from wms_desk.devices.transport import PortSettings

NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_ERRORS = {"ES": "syntax error", "ET": "transmission error", "EL": "logical error"}
_COMMAND_FAILURES = {
    "I": "not executed: the scale is busy or never became stable",
    "+": "above the allowed range",
    "-": "below the allowed range",
}


class MtSicsScale(ScaleDriver):
    protocol = "mt-sics"
    port_defaults = PortSettings(url="", baudrate=9600, bytesize=8, parity="N", stopbits=1)
    terminators = b"\n"
    # SI answers at once with a stable/dynamic flag, so the display stays live while it settles.
    poll_request = b"SI\r\n"
    commands: ClassVar[dict[str, bytes]] = {"zero": b"Z\r\n", "tare": b"T\r\n"}

    def parse(self, text: str) -> Parsed | None:
        raw = text.strip("\r\n")
        # Never rely on column positions: the weight field's width differs between models.
        tokens = raw.split()
        if not tokens:
            return None
        head = tokens[0]
        if head in _ERRORS and len(tokens) == 1:
            return Parsed(without_weight(WeightStatus.ERROR, raw), False, _ERRORS[head])
        if head == "S":
            return _weight_answer(tokens, raw)
        if head in ("Z", "ZI") and len(tokens) == 2:
            if tokens[1] == "A":
                return Parsed(reply_ok=True, reply_text="zeroed")
            if tokens[1] in _COMMAND_FAILURES:
                return Parsed(reply_ok=False, reply_text=_COMMAND_FAILURES[tokens[1]])
        if head == "T":
            if len(tokens) == 4 and tokens[1] == "S" and NUMBER.match(tokens[2]):
                return Parsed(reply_ok=True, reply_text=f"tare {tokens[2]} {tokens[3]}")
            if len(tokens) == 2 and tokens[1] in _COMMAND_FAILURES:
                return Parsed(reply_ok=False, reply_text=_COMMAND_FAILURES[tokens[1]])
        return None


def _weight_answer(tokens: list[str], raw: str) -> Parsed | None:
    if len(tokens) == 2:
        status = {"I": WeightStatus.MOTION, "+": WeightStatus.OVERLOAD, "-": WeightStatus.UNDERLOAD}
        if tokens[1] in status:
            return Parsed(without_weight(status[tokens[1]], raw))
        return None
    if len(tokens) == 4 and tokens[1] in ("S", "D") and NUMBER.match(tokens[2]):
        flag = WeightStatus.STABLE if tokens[1] == "S" else WeightStatus.MOTION
        return Parsed(weighed(flag, tokens[2], tokens[3], raw))
    return None


# -- simulator side: what a balance answers ---------------------------------------------------

STREAMING = False
SIM_REQUEST_TERMINATOR = b"\n"


def sim_answer(load: SimulatedLoad, request: bytes) -> bytes | None:
    command = request.strip().decode("ascii", errors="replace").upper()
    if command in ("S", "SI"):
        if load.overload:
            return b"S +\r\n"
        if load.underload:
            return b"S -\r\n"
        if command == "S" and load.motion:
            return b"S I\r\n"  # a real balance waits first, then gives up with "not stable"
        flag = "D" if load.motion else "S"
        return f"S {flag} {load.display_text(10)} {load.unit}\r\n".encode("ascii")
    if command in ("Z", "ZI"):
        if command == "Z" and load.motion:
            return b"Z I\r\n"
        load.zero_offset_g = load.grams - load.tare_g
        return b"Z A\r\n"
    if command == "T":
        if load.motion:
            return b"T I\r\n"
        load.tare_g = load.grams - load.zero_offset_g
        return f"T S {load.in_unit(load.tare_g):>10} {load.unit}\r\n".encode("ascii")
    if command == "@":
        return b'I4 A "0123456789"\r\n'
    return b"ES\r\n"
