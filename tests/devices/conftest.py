"""Device test helpers: real ptys driven by our simulators, readings collected through queues."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from wms_desk.devices.scales import create_scale
from wms_desk.devices.scales.base import ScaleOptions
from wms_desk.devices.simulators.scale import ScaleSimulator
from wms_desk.devices.transport import DeviceState, PortSettings, SerialLink

# Fast enough that a scenario takes tens of milliseconds, slow enough for 2 shared cores.
FAST = ScaleOptions(poll_interval_s=0.02, answer_timeout_s=0.25, command_timeout_s=1.0)
SIM_RATE_HZ = 50.0
Predicate = Callable[[Any], bool]


class Collector:
    """A thread-safe inbox for callbacks, read with timeouts (never sleeps)."""

    def __init__(self) -> None:
        self.items: queue.Queue[Any] = queue.Queue()

    def __call__(self, *item: Any) -> None:
        self.items.put(item[0] if len(item) == 1 else item)

    # A ceiling, not a delay: generous so a loaded CI machine does not fail a passing test.
    def next(self, predicate: Predicate = lambda item: True, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.items.get(timeout=left)
            except queue.Empty:
                break
            if predicate(item):
                return item
        raise AssertionError(f"nothing matching arrived within {timeout} s")

    def drain(self) -> list[Any]:
        found = []
        while True:
            try:
                found.append(self.items.get_nowait())
            except queue.Empty:
                return found


@dataclass
class ScaleRig:
    sim: ScaleSimulator
    driver: Any
    link: SerialLink
    readings: Collector
    states: Collector

    def reading(self, predicate: Predicate = lambda r: True, timeout: float = 3.0) -> Any:
        return self.readings.next(predicate, timeout)

    def settle(self, grams: Decimal, count: int = 3) -> Any:
        """Wait until `count` readings in a row report exactly `grams`; the last one."""
        seen = 0
        deadline = time.monotonic() + 5.0
        while seen < count:
            reading = self.reading(timeout=max(0.1, deadline - time.monotonic()))
            seen = seen + 1 if reading.grams == grams else 0
        return reading


@contextmanager
def scale_rig(
    protocol: str,
    *,
    transport: str = "pty",
    options: ScaleOptions = FAST,
    sim_args: dict[str, Any] | None = None,
    driver_args: dict[str, Any] | None = None,
) -> Iterator[ScaleRig]:
    sim = ScaleSimulator(protocol, transport, rate_hz=SIM_RATE_HZ, **(sim_args or {})).start()
    readings, states = Collector(), Collector()
    driver = create_scale(protocol, readings, options, **(driver_args or {}))
    link = SerialLink(
        "scale", PortSettings(sim.address), driver, lambda state, detail: states(state)
    )
    link.start()
    try:
        states.next(lambda state: state == DeviceState.CONNECTED)
        yield ScaleRig(sim, driver, link, readings, states)
    finally:
        link.stop()
        sim.stop()


@pytest.fixture
def collector() -> Collector:
    return Collector()
