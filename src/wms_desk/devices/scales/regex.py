"""A configurable protocol for unknown scales: a regular expression with named groups per line.

`weight` is required; `unit` and `status` are optional. Without `status`, a weight is stable after
N equal readings within a tolerance. With a `request`, the scale is polled; otherwise it streams.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from wms_desk.devices.scales.base import (
    Parsed,
    Reading,
    ScaleDriver,
    ScaleOptions,
    SimulatedLoad,
    WeightStatus,
    weighed,
    without_weight,
)
from wms_desk.devices.transport import PortSettings

DEFAULT_PATTERN = r"(?P<status>ST|US|OL|UL)\s+(?P<weight>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>kg|g|lb|oz)"
STATUS_WORDS = {
    WeightStatus.STABLE: {"ST", "S", "STABLE", "GS", "NT"},
    WeightStatus.MOTION: {"US", "D", "M", "MOTION", "UNSTABLE"},
    WeightStatus.OVERLOAD: {"OL", "O", "+", "OVER", "OVERLOAD"},
    WeightStatus.UNDERLOAD: {"UL", "U", "-", "UNDER", "UNDERLOAD"},
}


class PatternError(ValueError):
    """The configured pattern does not compile or lacks the `weight` group."""


def compile_pattern(pattern: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"invalid pattern {pattern!r}: {exc}") from exc
    if "weight" not in compiled.groupindex:
        raise PatternError("the pattern needs a named group (?P<weight>...)")
    return compiled


class RegexScale(ScaleDriver):
    protocol = "regex"
    port_defaults = PortSettings(url="", baudrate=9600, bytesize=8, parity="N", stopbits=1)
    terminators = b"\r\n"

    def __init__(
        self,
        on_reading: Callable[[Reading], None],
        options: ScaleOptions | None = None,
        *,
        pattern: str = DEFAULT_PATTERN,
        unit: str = "g",
        request: bytes | None = None,
    ) -> None:
        super().__init__(on_reading, options)
        self.pattern = compile_pattern(pattern)
        self.default_unit = unit
        self.poll_request = request  # type: ignore[misc]  # per instance: polled or streaming

    @property
    def uses_stability_tracker(self) -> bool:
        return "status" not in self.pattern.groupindex

    def parse(self, text: str) -> Parsed | None:
        raw = text.strip("\r\n")
        if not raw.strip():
            return None
        match = self.pattern.search(raw)
        if match is None:
            return None
        groups = match.groupdict()
        status = WeightStatus.STABLE
        if groups.get("status") is not None:
            word = groups["status"].strip().upper()
            found = [state for state, words in STATUS_WORDS.items() if word in words]
            status = found[0] if found else WeightStatus.ERROR
        if status in (WeightStatus.OVERLOAD, WeightStatus.UNDERLOAD, WeightStatus.ERROR):
            return Parsed(without_weight(status, raw))
        unit = groups.get("unit") or self.default_unit
        return Parsed(weighed(status, groups["weight"], unit, raw))


# -- simulator side: lines the DEFAULT_PATTERN reads -------------------------------------------

STREAMING = True
SIM_REQUEST_TERMINATOR = b"\n"


def sim_frame(load: SimulatedLoad) -> bytes:
    if load.overload:
        header = "OL"
    elif load.underload:
        header = "UL"
    else:
        header = "US" if load.motion else "ST"
    return f"{header} {load.display_text()} {load.unit}\r\n".encode("ascii")


def sim_answer(load: SimulatedLoad, request: bytes) -> bytes | None:
    return None
