"""Keyboard-wedge scanner detection on (char, timestamp) events: a scan or a person typing?

Pure (no Qt) so it is tested with synthetic timestamps. Every printable key is held back until
the burst is classified: a scan (fast keys, at least min_length, then the terminator) is swallowed
whole; anything else is handed back as typing, in order, so a text field never sees a scan.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from typing import Any

from wms_desk.domain.scan import AIM_PREFIX, GS

MAX_HELD = 256  # an endless fast burst (a stuck key) is typing, not a scan


@dataclass(frozen=True)
class WedgeConfig:
    enabled: bool = True
    suffix: str = "cr"  # cr, lf and crlf all arrive as Enter; tab as Tab
    fnc1: str | None = None  # the character the scanner sends for FNC1/GS (e.g. "]" or "~")
    max_gap_ms: float = 30.0  # median gap between a scan's keys
    min_length: int = 4
    hold_ms: float | None = None  # how long a key waits for the next; default 2 x max_gap_ms

    @classmethod
    def from_binding(cls, binding: dict[str, Any] | None) -> WedgeConfig:
        binding = binding or {}
        return cls(
            enabled=bool(binding.get("enabled", True)),
            suffix=str(binding.get("suffix") or "cr").lower(),
            fnc1=binding.get("fnc1") or None,
            max_gap_ms=float(binding.get("max_gap_ms") or 30),
            min_length=int(binding.get("min_length") or 4),
            hold_ms=float(binding["hold_ms"]) if binding.get("hold_ms") else None,
        )

    def as_binding(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "suffix": self.suffix,
            "fnc1": self.fnc1,
            "max_gap_ms": self.max_gap_ms,
            "min_length": self.min_length,
        }

    @property
    def terminators(self) -> str:
        return "\t" if self.suffix == "tab" else "\r\n"

    @property
    def hold_s(self) -> float:
        return (self.hold_ms if self.hold_ms is not None else 2 * self.max_gap_ms) / 1000


@dataclass(frozen=True)
class WedgeStep:
    """What to do with one key: replay held keys as typing first, then hold/swallow it or not."""

    replay: tuple[Any, ...] = ()  # payloads of held keys, oldest first
    consume: bool = False
    scan: str | None = None


class WedgeClassifier:
    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self._held: list[tuple[str, float, Any]] = []

    @property
    def pending(self) -> bool:
        return bool(self._held)

    def deadline(self) -> float | None:
        """When the held keys become typing if no further key arrives."""
        return self._held[-1][1] + self.config.hold_s if self._held else None

    def feed(self, char: str, at: float, payload: Any = None) -> WedgeStep:
        """One printable key or terminator at time `at` (seconds)."""
        replay: tuple[Any, ...] = ()
        if self._held and (
            at - self._held[-1][1] > self.config.hold_s or len(self._held) >= MAX_HELD
        ):
            replay = self._release()
        if char in self.config.terminators:
            if self._looks_scanned(at):
                text = self._scan_text()
                self._held.clear()
                return WedgeStep(replay, consume=True, scan=text)
            return WedgeStep(replay + self._release(), consume=False)
        self._held.append((char, at, payload))
        return WedgeStep(replay, consume=True)

    def expire(self, now: float) -> WedgeStep:
        """The hold time passed without a key: what was held is typing."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return WedgeStep()
        return WedgeStep(self._release())

    def interrupt(self) -> WedgeStep:
        """A key that is not text (arrows, shortcuts, auto-repeat): release what was held."""
        return WedgeStep(self._release())

    def _release(self) -> tuple[Any, ...]:
        payloads = tuple(payload for _char, _at, payload in self._held)
        self._held.clear()
        return payloads

    def _looks_scanned(self, terminator_at: float) -> bool:
        if len(self._held) < max(1, self.config.min_length):
            return False
        times = [at for _char, at, _payload in self._held] + [terminator_at]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        return statistics.median(gaps) * 1000 <= self.config.max_gap_ms

    def _scan_text(self) -> str:
        text = "".join(char for char, _at, _payload in self._held)
        substitute = self.config.fnc1
        if substitute and substitute != GS:
            # The AIM prefix `]C1` keeps its `]` even when `]` is the FNC1 substitute.
            head = text[:3] if AIM_PREFIX.match(text) else ""
            text = head + text[len(head) :].replace(substitute, GS)
        return text
