"""Byte framing shared by scanners and scales: terminators, 7-bit parity noise, runaway buffers."""

from __future__ import annotations

# A device that never sends its terminator must not grow a buffer forever.
MAX_BUFFER = 4096


def _parity_odd(byte: int) -> bool:
    return bin(byte).count("1") % 2 == 1


def seven_bit_text(raw: bytes) -> str | None:
    """The frame as ASCII text, or None when it cannot be trusted.

    A 7E1/7O1 device read by an 8N1 port carries its parity in bit 7. If every byte of the frame
    agrees on one parity, bit 7 is parity and is dropped; any other byte >= 0x80 is line noise or
    a wrong baud rate, and the whole frame is rejected rather than risk a wrong weight.
    """
    if all(byte < 0x80 for byte in raw):
        return raw.decode("ascii")
    parities = {_parity_odd(byte) for byte in raw}
    if len(parities) != 1:
        return None
    return bytes(byte & 0x7F for byte in raw).decode("ascii")


def split_frames(buffer: bytearray, terminators: bytes, *, seven_bit: bool = True) -> list[bytes]:
    """Cut complete frames (terminator removed) off the front of buffer; the rest stays.

    With seven_bit, terminators are matched on the low 7 bits, so a CR that arrives as 0x8D
    (parity) still ends its frame; scanners send UTF-8, where 0x8D is a continuation byte.
    """
    frames: list[bytes] = []
    start = 0
    mask = 0x7F if seven_bit else 0xFF
    for index, byte in enumerate(buffer):
        if (byte & mask) in terminators:
            frames.append(bytes(buffer[start:index]))
            start = index + 1
    del buffer[:start]
    if len(buffer) > MAX_BUFFER:
        del buffer[:-MAX_BUFFER]
    return frames
