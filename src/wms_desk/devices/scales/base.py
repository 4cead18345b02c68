"""What every scale protocol shares: Decimal-gram readings, states, polling, commands, offline."""

from __future__ import annotations

import collections
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar

from wms_desk.devices.framing import seven_bit_text
from wms_desk.devices.transport import DeviceState, LinkProtocol, PortSettings, SerialLink

log = logging.getLogger(__name__)

GRAMS_PER_UNIT = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_UNIT_SPELLINGS = {"lbs": "lb", "kgs": "kg", "gr": "g", "#": "lb"}


class WeightStatus(StrEnum):
    STABLE = "stable"
    MOTION = "motion"
    OVERLOAD = "overload"
    UNDERLOAD = "underload"
    DISCONNECTED = "disconnected"
    ERROR = "error"


@dataclass(frozen=True)
class Reading:
    """One answer of a scale. `weight` is the number as the scale sent it; `grams` is normalised."""

    status: WeightStatus
    weight: str | None = None
    unit: str | None = None
    grams: Decimal | None = None
    raw: str = ""
    at: float = field(default=0.0, compare=False)

    @property
    def stable(self) -> bool:
        return self.status == WeightStatus.STABLE and self.grams is not None

    def as_dict(self) -> dict[str, Any]:
        """The scripting contract of `wms-desk scale read`."""
        return {
            "status": self.status.value,
            "weight": self.weight,
            "unit": self.unit,
            "grams": str(self.grams) if self.grams is not None else None,
            "raw": self.raw,
        }


def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    unit = unit.strip().lower()
    unit = _UNIT_SPELLINGS.get(unit, unit)
    return unit if unit in GRAMS_PER_UNIT else None


def weighed(status: WeightStatus, number: str, unit: str | None, raw: str) -> Reading:
    """A reading from a number and unit as sent; anything unreadable is an error, never a guess."""
    text = number.replace(" ", "").lstrip("+")
    known_unit = normalise_unit(unit)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Reading(WeightStatus.ERROR, None, known_unit, None, raw)
    if not value.is_finite() or known_unit is None:
        # A number next to a unit we cannot read may be a mangled frame: show no weight at all.
        return Reading(WeightStatus.ERROR, None, None, None, raw)
    return Reading(status, text, known_unit, value * GRAMS_PER_UNIT[known_unit], raw)


def without_weight(status: WeightStatus, raw: str) -> Reading:
    return Reading(status, None, None, None, raw)


@dataclass(frozen=True)
class Parsed:
    """What one frame meant: a reading, and/or the answer to the command in flight."""

    reading: Reading | None = None
    reply_ok: bool | None = None  # None: not a command answer
    reply_text: str = ""


@dataclass(frozen=True)
class CommandOutcome:
    command: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ScaleOptions:
    poll_interval_s: float = 0.1  # 10 Hz live display
    answer_timeout_s: float = 0.5
    command_timeout_s: float = 1.5
    offline_after_s: float = 2.0
    stable_count: int = 3  # for protocols without a stable flag
    tolerance_g: Decimal = Decimal(0)


class StabilityTracker:
    """N readings in a row within a tolerance count as stable, for scales that have no flag."""

    def __init__(self, count: int, tolerance_g: Decimal) -> None:
        self.count = max(1, count)
        self.tolerance_g = tolerance_g
        self._recent: collections.deque[Decimal] = collections.deque(maxlen=self.count)

    def update(self, grams: Decimal) -> bool:
        self._recent.append(grams)
        if len(self._recent) < self.count:
            return False
        return max(self._recent) - min(self._recent) <= self.tolerance_g

    def reset(self) -> None:
        self._recent.clear()


class ScaleDriver(LinkProtocol, ABC):
    """One protocol's framing and parsing plug into this; it does polling, commands and states."""

    protocol: ClassVar[str]
    port_defaults: ClassVar[PortSettings] = PortSettings(url="")
    terminators: ClassVar[bytes] = b"\n"
    poll_request: ClassVar[bytes | None] = None  # None: the scale streams by itself
    commands: ClassVar[dict[str, bytes]] = {}
    commands_answered: ClassVar[bool] = True  # False: fire and forget, the scale says nothing
    has_stable_flag: ClassVar[bool] = True

    def __init__(
        self,
        on_reading: Callable[[Reading], None],
        options: ScaleOptions | None = None,
    ) -> None:
        self.options = options or ScaleOptions()
        self._on_reading = on_reading
        self._buffer = bytearray()
        self._link: SerialLink | None = None
        self._tracker = StabilityTracker(self.options.stable_count, self.options.tolerance_g)
        self._queue: collections.deque[tuple[str, bytes, Future[CommandOutcome]]] = (
            collections.deque()
        )
        self._in_flight: tuple[str, Future[CommandOutcome], float] | None = None
        self._poll_sent_at: float | None = None
        self._next_poll_at = 0.0
        self._heard_at = 0.0
        self._bytes_at: float | None = None
        self._silent = False
        self.latest: Reading | None = None
        self._changed = threading.Condition()

    # -- framing and parsing, per protocol ---------------------------------------------------

    def split(self, buffer: bytearray) -> list[bytes]:
        from wms_desk.devices.framing import split_frames

        return split_frames(buffer, self.terminators)

    @abstractmethod
    def parse(self, text: str) -> Parsed | None:
        """One frame's text -> its meaning; None for a frame that cannot be trusted."""

    @property
    def uses_stability_tracker(self) -> bool:
        return not self.has_stable_flag

    def wait_stable(self, after: float, timeout: float) -> Reading | None:
        """The first stable reading taken after `after` (time.monotonic()), or None on timeout.

        For weighing a package: pass the moment the package was put down, so a stable weight of
        the previous package can never be taken for this one.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                latest = self.latest
                if latest is not None and latest.stable and latest.at > after:
                    return latest
                left = deadline - time.monotonic()
                if left <= 0 or not self._changed.wait(left):
                    return None

    # -- commands ---------------------------------------------------------------------------

    def zero(self) -> Future[CommandOutcome]:
        return self._command("zero")

    def tare(self) -> Future[CommandOutcome]:
        return self._command("tare")

    def supports(self, command: str) -> bool:
        return command in self.commands

    def _command(self, name: str) -> Future[CommandOutcome]:
        future: Future[CommandOutcome] = Future()
        if name not in self.commands:
            future.set_result(CommandOutcome(name, False, f"{self.protocol} has no {name} command"))
        elif self._link is None:
            future.set_result(CommandOutcome(name, False, "the scale is not connected"))
        else:
            self._queue.append((name, self.commands[name], future))
        return future

    # -- LinkProtocol ---------------------------------------------------------------------------

    def connection_made(self, link: SerialLink) -> None:
        self._link = link
        self._buffer.clear()
        self._tracker.reset()
        self._poll_sent_at = None
        self._heard_at = time.monotonic()
        self._bytes_at = None
        self._silent = False

    def data_received(self, data: bytes, now: float) -> None:
        # Bytes but never a valid frame (wrong protocol or baud) is an error, not "offline".
        self._bytes_at = now
        self._buffer += data
        latest: Reading | None = None
        for frame in self.split(self._buffer):
            text = seven_bit_text(frame)
            parsed = self.parse(text) if text is not None else None
            if parsed is None:
                continue
            self._heard(now)
            if parsed.reply_ok is not None and self._in_flight is not None:
                name, future, _sent = self._in_flight
                self._in_flight = None
                future.set_result(CommandOutcome(name, parsed.reply_ok, parsed.reply_text))
                continue
            if parsed.reading is not None:
                latest = parsed.reading  # a stream's backlog: only the newest frame matters
        if latest is not None:
            self._poll_sent_at = None
            self._emit(latest, now)

    def tick(self, now: float) -> None:
        link = self._link
        if link is None:
            return
        self._check_timeouts(now)
        if self._in_flight is None and self._poll_sent_at is None and self._queue:
            name, request, future = self._queue.popleft()
            self._send(link, request)
            if self.commands_answered:
                self._in_flight = (name, future, now)
            else:
                future.set_result(CommandOutcome(name, True, "sent"))
        elif (
            self.poll_request is not None
            and self._in_flight is None
            and self._poll_sent_at is None
            and now >= self._next_poll_at
        ):
            self._send(link, self.poll_request)
            self._poll_sent_at = now
            self._next_poll_at = now + self.options.poll_interval_s
        self._check_silence(link, now)

    def connection_lost(self, error: BaseException | None) -> None:
        self._link = None
        self._fail_commands("the scale was disconnected")
        self._emit(without_weight(WeightStatus.DISCONNECTED, str(error or "")), 0.0)

    # -- internals ------------------------------------------------------------------------------

    def _send(self, link: SerialLink, request: bytes) -> None:
        # Old answers buffered by the OS would be read as the answer to this request.
        link.reset_input_buffer()
        self._buffer.clear()
        link.write(request)

    def _check_timeouts(self, now: float) -> None:
        if (
            self._poll_sent_at is not None
            and now - self._poll_sent_at > self.options.answer_timeout_s
        ):
            self._poll_sent_at = None
        if self._in_flight is not None:
            name, future, sent_at = self._in_flight
            if now - sent_at > self.options.command_timeout_s:
                self._in_flight = None
                future.set_result(CommandOutcome(name, False, "the scale did not answer"))

    def _check_silence(self, link: SerialLink, now: float) -> None:
        if self._silent or now - self._heard_at < self.options.offline_after_s:
            return
        self._silent = True
        if self._bytes_at is not None and self._bytes_at > self._heard_at:
            link.set_state(DeviceState.ERROR, "unreadable data: check the protocol and baud rate")
        else:
            link.set_state(DeviceState.OFFLINE, f"no answer for {self.options.offline_after_s:g} s")
        self._emit(without_weight(WeightStatus.DISCONNECTED, ""), now)

    def _heard(self, now: float) -> None:
        self._heard_at = now
        if self._silent and self._link is not None:
            self._silent = False
            self._link.set_state(DeviceState.CONNECTED, self._link.opened_url or "")

    def _emit(self, reading: Reading, now: float) -> None:
        if reading.grams is not None and self.uses_stability_tracker:
            if reading.status in (WeightStatus.STABLE, WeightStatus.MOTION):
                steady = self._tracker.update(reading.grams)
                status = WeightStatus.STABLE if steady else WeightStatus.MOTION
                reading = Reading(status, reading.weight, reading.unit, reading.grams, reading.raw)
        elif reading.grams is None:
            self._tracker.reset()
        reading = Reading(
            reading.status, reading.weight, reading.unit, reading.grams, reading.raw, now
        )
        with self._changed:
            self.latest = reading
            self._changed.notify_all()
        try:
            self._on_reading(reading)
        except Exception:
            log.exception("%s: reading callback failed", self.protocol)

    def _fail_commands(self, why: str) -> None:
        if self._in_flight is not None:
            name, future, _sent = self._in_flight
            self._in_flight = None
            future.set_result(CommandOutcome(name, False, why))
        while self._queue:
            name, _request, future = self._queue.popleft()
            future.set_result(CommandOutcome(name, False, why))


@dataclass
class SimulatedLoad:
    """A simulated scale's platter: what each protocol's simulator encodes into frames."""

    grams: Decimal = Decimal(0)
    unit: str = "kg"
    decimals: int = 3
    motion: bool = False
    overload: bool = False
    underload: bool = False
    zero_offset_g: Decimal = Decimal(0)
    tare_g: Decimal = Decimal(0)

    def net_grams(self) -> Decimal:
        return self.grams - self.zero_offset_g - self.tare_g

    def in_unit(self, grams: Decimal) -> Decimal:
        """Grams in the display unit, rounded to the display's decimals."""
        return (grams / GRAMS_PER_UNIT[self.unit]).quantize(Decimal(1).scaleb(-self.decimals))

    def display(self) -> Decimal:
        return self.in_unit(self.net_grams())

    def display_text(self, width: int = 0) -> str:
        return f"{self.display():>{width}}" if width else str(self.display())

    def at_zero(self) -> bool:
        return self.display() == 0
