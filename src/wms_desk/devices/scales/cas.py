"""CAS / A&D `ST,GS,...` lines: header ST/US/OL/QT, optional GS/NT, ID+lamp, data and unit."""

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

# CAS 22-byte: ST,GS,<id><lamp>,000013.5 kg   A&D: ST,+001234.5  g   AND 18-byte: ST,GS,00013.5kg
LINE = re.compile(
    r"^(?P<header>ST|US|OL|QT)\s*,"
    r"(?:\s*(?:GS|NT|TR|GR)\s*,)?"
    r"(?:[^,]{1,2},)?"
    r"\s*(?P<sign>[+-]?)\s*(?P<number>[0-9.]+)\s*(?P<unit>[A-Za-z]{1,3})?\s*$"
)
NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\d*\.\d+$")


class CasScale(ScaleDriver):
    protocol = "cas"
    port_defaults = PortSettings(url="", baudrate=9600, bytesize=8, parity="N", stopbits=1)
    terminators = b"\n"
    # A&D-style commands; CAS indicators without them simply ignore the bytes.
    commands: ClassVar[dict[str, bytes]] = {"zero": b"Z\r\n", "tare": b"T\r\n"}
    commands_answered = False

    def parse(self, text: str) -> Parsed | None:
        raw = text.strip("\r\n")
        match = LINE.match(raw)
        if match is None:
            return None
        header, sign = match.group("header"), match.group("sign")
        if header == "OL":
            status = WeightStatus.UNDERLOAD if sign == "-" else WeightStatus.OVERLOAD
            return Parsed(without_weight(status, raw))
        number = match.group("number")
        if not NUMBER.match(number):
            return None
        status = WeightStatus.MOTION if header == "US" else WeightStatus.STABLE
        weight = ("-" if sign == "-" else "") + number
        return Parsed(weighed(status, weight, match.group("unit"), raw))


# -- simulator side ----------------------------------------------------------------------------

STREAMING = True
SIM_REQUEST_TERMINATOR = b"\n"


def sim_frame(load: SimulatedLoad) -> bytes:
    stable = not load.motion
    # The lamp byte: bit 6 stable, bit 2 gross, bit 0 at zero; kept printable on purpose.
    lamp = 0x30 | 0x04 | (0x40 if stable else 0) | (0x01 if load.at_zero() else 0)
    if load.overload or load.underload:
        header, data = "OL", ("-" if load.underload else "+") + "9999999"
    else:
        header = "ST" if stable else "US"
        data = load.display_text().zfill(8)
    return f"{header},GS,1{chr(lamp)},{data} {load.unit}\r\n".encode("ascii")


def sim_answer(load: SimulatedLoad, request: bytes) -> bytes | None:
    command = request.strip().upper()
    if command == b"Z":
        load.zero_offset_g = load.grams - load.tare_g
    elif command == b"T":
        load.tare_g = load.grams - load.zero_offset_g
    return None
