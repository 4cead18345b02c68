"""Toledo continuous output: 18-byte frames STX SWA SWB SWC weight(6) tare(6) CR CHK, streamed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from wms_desk.devices.scales.base import (
    GRAMS_PER_UNIT,
    Parsed,
    Reading,
    ScaleDriver,
    ScaleOptions,
    SimulatedLoad,
    WeightStatus,
    without_weight,
)
from wms_desk.devices.transport import PortSettings

STX, CR = 0x02, 0x0D
FRAME_LENGTH = 18  # with the checksum byte; 17 without
# SWB bits
NET, NEGATIVE, OUT_OF_RANGE, MOTION, KILOGRAMS = 0x01, 0x02, 0x04, 0x08, 0x10
# SWC low 3 bits: 0 = lb/kg (SWB decides), 1 = g, 3 = oz; other codes are units we do not know.
SWC_UNITS = {1: "g", 3: "oz"}


def checksum(body: bytes) -> int:
    """Two's complement of the sum of the low 7 bits of STX..CR, kept to 7 bits."""
    return -sum(byte & 0x7F for byte in body) & 0x7F


class ToledoContinuousScale(ScaleDriver):
    protocol = "toledo-continuous"
    port_defaults = PortSettings(url="", baudrate=9600, bytesize=7, parity="E", stopbits=1)
    # Many terminals in continuous mode still take the single-byte 8213 commands, unanswered.
    commands: ClassVar[dict[str, bytes]] = {"zero": b"Z", "tare": b"T"}
    commands_answered = False

    def __init__(
        self,
        on_reading: Callable[[Reading], None],
        options: ScaleOptions | None = None,
        *,
        with_checksum: bool = True,
    ) -> None:
        super().__init__(on_reading, options)
        self.with_checksum = with_checksum

    def split(self, buffer: bytearray) -> list[bytes]:
        """Complete, structurally valid frames; anything else is skipped byte by byte to resync."""
        length = FRAME_LENGTH if self.with_checksum else FRAME_LENGTH - 1
        frames: list[bytes] = []
        start = 0
        while True:
            while start < len(buffer) and buffer[start] & 0x7F != STX:
                start += 1
            if len(buffer) - start < length:
                break
            candidate = bytes(buffer[start : start + length])
            if _well_formed(candidate, self.with_checksum):
                frames.append(candidate)
                start += length
            else:
                start += 1
        del buffer[:start]
        return frames

    def parse(self, text: str) -> Parsed | None:
        swa, swb, swc = (ord(ch) for ch in text[1:4])
        digits = text[4:10].replace(" ", "0")
        raw = text.rstrip("\r") if not self.with_checksum else text[:16]
        if swb & OUT_OF_RANGE:
            status = WeightStatus.UNDERLOAD if swb & NEGATIVE else WeightStatus.OVERLOAD
            return Parsed(without_weight(status, raw))
        unit = SWC_UNITS.get(swc & 0x07) if swc & 0x07 else ("kg" if swb & KILOGRAMS else "lb")
        weight = _with_decimal_point(digits, swa & 0x07)
        if swb & NEGATIVE:
            weight = "-" + weight
        if unit is None:
            return Parsed(Reading(WeightStatus.ERROR, weight, None, None, raw))
        status = WeightStatus.MOTION if swb & MOTION else WeightStatus.STABLE
        grams = Decimal(weight) * GRAMS_PER_UNIT[unit]
        return Parsed(Reading(status, weight, unit, grams, raw))


def _well_formed(frame: bytes, with_checksum: bool) -> bool:
    body = frame[:17]
    if body[16] & 0x7F != CR:
        return False
    if not all(chr(byte & 0x7F) in "0123456789 " for byte in body[4:16]):
        return False
    return not with_checksum or frame[17] & 0x7F == checksum(body)


def _with_decimal_point(digits: str, code: int) -> str:
    """SWA bits 0-2: 0 = x00, 1 = x0, 2 = x, 3 = x.x, 4 = x.xx ... (decimals = code - 2)."""
    if code <= 2:
        return digits + "0" * (2 - code)
    decimals = code - 2
    return digits[:-decimals] + "." + digits[-decimals:]


# -- simulator side ----------------------------------------------------------------------------

STREAMING = True
SIM_REQUEST_TERMINATOR: bytes | None = None  # single-byte commands


def sim_frame(load: SimulatedLoad, bad_checksum: bool = False) -> bytes:
    value = load.display()
    swa = 0x20 | 0x08 | (2 + load.decimals)
    swb = 0x20 | (MOTION if load.motion else 0) | (KILOGRAMS if load.unit == "kg" else 0)
    swc = 0x20 | {"g": 1, "oz": 3}.get(load.unit, 0)
    if load.overload or load.underload:
        swb |= OUT_OF_RANGE | (NEGATIVE if load.underload else 0)
        value = Decimal(0)
    if value < 0:
        swb |= NEGATIVE
    weight = f"{int(abs(value).scaleb(load.decimals)):06d}"[-6:]
    tare = f"{int(load.in_unit(load.tare_g).scaleb(load.decimals)):06d}"[-6:]
    body = bytes([STX, swa, swb, swc]) + weight.encode() + tare.encode() + bytes([CR])
    check = checksum(body)
    if bad_checksum:  # line noise changed a weight digit after the checksum was computed
        noisy = (body[9] - 0x30 + 1) % 10 + 0x30
        body = body[:9] + bytes([noisy]) + body[10:]
    return body + bytes([check])


def sim_answer(load: SimulatedLoad, request: bytes) -> bytes | None:
    command = request.upper()
    if command == b"Z":
        load.zero_offset_g = load.grams - load.tare_g
    elif command == b"T":
        load.tare_g = load.grams - load.zero_offset_g
    elif command == b"C":
        load.tare_g = Decimal(0)
    return None
