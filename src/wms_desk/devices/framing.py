"""Byte framing shared by scanners and scales: terminators, 7-bit parity noise, runaway lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A device that never sends its terminator must not grow a buffer forever.
MAX_BUFFER = 4096
# Maps every byte to its low 7 bits, so a terminator sent with a parity bit is still found.
_SEVEN_BIT = bytes(byte & 0x7F for byte in range(256))


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


def _terminator_pattern(terminators: bytes) -> re.Pattern[bytes]:
    return re.compile(b"[" + b"".join(b"\\x%02x" % t for t in terminators) + b"]")


def split_frames(buffer: bytearray, terminators: bytes, *, seven_bit: bool = True) -> list[bytes]:
    """Cut complete frames (terminator removed) off the front of buffer; the rest stays.

    With seven_bit, terminators are matched on the low 7 bits, so a CR that arrives as 0x8D
    (parity) still ends its frame; scanners send UTF-8, where 0x8D is a continuation byte.
    The search runs in C (translate + regex), so a call costs one pass over the buffer.
    """
    haystack = bytes(buffer).translate(_SEVEN_BIT) if seven_bit else bytes(buffer)
    frames: list[bytes] = []
    start = 0
    for match in _terminator_pattern(terminators).finditer(haystack):
        frames.append(bytes(buffer[start : match.start()]))
        start = match.end()
    del buffer[:start]
    if len(buffer) > MAX_BUFFER:
        del buffer[:-MAX_BUFFER]
    return frames


@dataclass(frozen=True)
class Framed:
    """What one chunk of bytes completed: whole frames, and how many lines were too long."""

    frames: list[bytes] = field(default_factory=list)
    overlong: int = 0


class LineFramer:
    """Cuts a byte stream into terminator-ended frames, in time linear in the bytes fed.

    Only new bytes are searched, never the pending partial line again. A line longer than
    max_frame is dropped whole: it is counted once, when it passes the limit, and everything up
    to its terminator is discarded, so no tail of it can ever pass for a frame.
    """

    def __init__(
        self, terminators: bytes, *, seven_bit: bool = True, max_frame: int = MAX_BUFFER
    ) -> None:
        self.max_frame = max_frame
        self._pattern = _terminator_pattern(terminators)
        self._seven_bit = seven_bit
        self._pending = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> Framed:
        haystack = data.translate(_SEVEN_BIT) if self._seven_bit else data
        frames: list[bytes] = []
        overlong = 0
        start = 0
        for match in self._pattern.finditer(haystack):
            piece = data[start : match.start()]
            start = match.end()
            if not self._discarding:
                if len(self._pending) + len(piece) <= self.max_frame:
                    frames.append(bytes(self._pending) + piece)
                else:
                    overlong += 1
            self._pending.clear()
            self._discarding = False
        if not self._discarding:
            tail = data[start:]
            if len(self._pending) + len(tail) > self.max_frame:
                overlong += 1
                self._pending.clear()
                self._discarding = True
            else:
                self._pending += tail
        return Framed(frames, overlong)

    def reset(self) -> None:
        """Forget a partial line (the port closed: half a frame must not prefix the next)."""
        self._pending.clear()
        self._discarding = False
