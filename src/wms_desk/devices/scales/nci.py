"""NCI / Avery Weigh-Tronix SCP-01: `W<CR>` -> `<LF>weight unit<CR><LF>status<CR><ETX>`, Z, T."""

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

ETX = b"\x03"
WEIGHT = re.compile(r"^\s*([+-]?\s*\d*\.?\d+)\s*([A-Za-z]{1,3})\s*$")
# Byte 1 is 0011xxxx; later bytes 0x11xxxx (bit 6 set when another byte follows). An SCP-02
# style `S` may come first.
STATUS = re.compile(r"^S?([\x30-\x3F][\x30-\x3F\x70-\x7F]+)$")

MOTION, AT_ZERO, RAM_ERROR, EEPROM_ERROR = 0x01, 0x02, 0x04, 0x08
UNDER_CAPACITY, OVER_CAPACITY, ROM_ERROR, CALIBRATION_ERROR = 0x01, 0x02, 0x04, 0x08


class NciScale(ScaleDriver):
    protocol = "nci"
    port_defaults = PortSettings(url="", baudrate=9600, bytesize=7, parity="E", stopbits=1)
    terminators = ETX
    poll_request = b"W\r"
    commands: ClassVar[dict[str, bytes]] = {"zero": b"Z\r", "tare": b"T\r"}

    def parse(self, text: str) -> Parsed | None:
        raw = text
        parts = [part for part in re.split(r"[\r\n]+", text) if part.strip()]
        if parts == ["?"]:
            return Parsed(without_weight(WeightStatus.ERROR, raw), False, "unknown command")
        if not parts or len(parts) > 2:
            return None
        decoded = _status(parts[-1])
        if decoded is None:
            return None
        status, problem = decoded
        if len(parts) == 1:  # the answer to Z, T or S: status only
            return Parsed(reply_ok=problem is None, reply_text=problem or "done")
        if status in (WeightStatus.OVERLOAD, WeightStatus.UNDERLOAD, WeightStatus.ERROR):
            # Out of range the weight field holds dashes or a stale number: never report it.
            return Parsed(without_weight(status, raw))
        match = WEIGHT.match(parts[0])
        if match is None:
            return Parsed(without_weight(WeightStatus.ERROR, raw))
        return Parsed(weighed(status, match.group(1), match.group(2), raw))


def _status(token: str) -> tuple[WeightStatus, str | None] | None:
    match = STATUS.match(token.strip())
    if match is None:
        return None
    # Bit 7 is parity on a 7E1 line: only the low 7 bits carry status.
    first, second = (ord(ch) & 0x7F for ch in match.group(1)[:2])
    if first & (RAM_ERROR | EEPROM_ERROR) or second & (ROM_ERROR | CALIBRATION_ERROR):
        return WeightStatus.ERROR, "the scale reports a memory or calibration fault"
    if second & OVER_CAPACITY:
        return WeightStatus.OVERLOAD, None
    if second & UNDER_CAPACITY:
        return WeightStatus.UNDERLOAD, None
    if first & MOTION:
        return WeightStatus.MOTION, None
    return WeightStatus.STABLE, None


# -- simulator side ----------------------------------------------------------------------------

STREAMING = False
SIM_REQUEST_TERMINATOR = b"\r"
LAYOUTS = ("full", "short", "s-prefix")


def sim_status(load: SimulatedLoad, s_prefix: bool = False) -> bytes:
    first = 0x30 | (MOTION if load.motion else 0) | (AT_ZERO if load.at_zero() else 0)
    second = 0x30 | (OVER_CAPACITY if load.overload else 0)
    second |= UNDER_CAPACITY if load.underload else 0
    return (b"S" if s_prefix else b"") + bytes([first, second])


def sim_answer(load: SimulatedLoad, request: bytes, layout: str = "full") -> bytes | None:
    command = request.strip().decode("ascii", errors="replace").upper()
    status = sim_status(load, layout == "s-prefix")
    if command == "W":
        if load.overload:
            field = "^^^^^^^"
        elif load.underload:
            field = "_______"
        else:
            field = load.display_text().zfill(7)
        weight = f"{field}{load.unit}".encode("ascii")
        if layout == "short":  # serial-nci-scale's layout: no second LF/CR
            return b"\n" + weight + b"\r" + status + ETX
        return b"\n" + weight + b"\r\n" + status + b"\r" + ETX
    if command == "Z":
        load.zero_offset_g = load.grams - load.tare_g
        return b"\n" + sim_status(load, layout == "s-prefix") + b"\r" + ETX
    if command == "T":
        load.tare_g = load.grams - load.zero_offset_g
        return b"\n" + sim_status(load, layout == "s-prefix") + b"\r" + ETX
    if command == "S":
        return b"\n" + status + b"\r" + ETX
    return b"\n?\r" + ETX
