"""Line noise between frames, cut at random reads: never an exception, never a wrong weight."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from tests.devices.conftest import Collector
from wms_desk.devices.scales import PROTOCOLS, create_scale, protocol_module
from wms_desk.devices.scales.base import SimulatedLoad

POLL = {"mt-sics": b"SI\r\n", "nci": b"W\r"}


def _frame(protocol: str, load: SimulatedLoad) -> bytes:
    module = protocol_module(protocol)
    if protocol in POLL:
        return module.sim_answer(load, POLL[protocol])
    return module.sim_frame(load)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_noise_between_frames_never_becomes_a_weight(protocol: str) -> None:
    rng = random.Random(f"noise-{protocol}")
    load = SimulatedLoad(grams=Decimal("1234"), unit="kg", decimals=3)
    stream = bytearray()
    for _ in range(300):
        stream += _frame(protocol, load)
        stream += bytes(rng.randrange(256) for _ in range(rng.randrange(0, 24)))
    readings = Collector()
    driver = create_scale(protocol, readings)
    position = 0
    while position < len(stream):  # delivered in reads of random size, as a UART would
        size = rng.randrange(1, 64)
        driver.data_received(bytes(stream[position : position + size]), position / 1000)
        position += size
    got = readings.drain()
    weights = [reading.grams for reading in got if reading.grams is not None]
    assert set(weights) == {Decimal("1234.000")}
    # A frame glued to unterminated noise is lost with it: fewer, but never wrong, readings.
    assert len(weights) >= 5
