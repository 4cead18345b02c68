"""Scale readings per second, per protocol, over a pty driven by the simulator.

Two figures per protocol: `configured` (the shipped settings: 10 Hz polls, a 10 Hz stream) and
`max` (polling back to back, a 500 Hz stream: what the driver sustains). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any


def readings_per_second(protocol: str, seconds: float, fast: bool) -> dict[str, Any]:
    from wms_desk.devices.scales import create_scale
    from wms_desk.devices.scales.base import ScaleOptions
    from wms_desk.devices.simulators.scale import ScaleSimulator
    from wms_desk.devices.transport import PortSettings, SerialLink

    options = ScaleOptions(poll_interval_s=0.0) if fast else ScaleOptions()
    counted = {"all": 0, "weights": 0}
    lock = threading.Lock()

    def count(reading: Any) -> None:
        with lock:
            counted["all"] += 1
            counted["weights"] += reading.grams is not None

    connected = threading.Event()
    with ScaleSimulator(protocol, "pty", rate_hz=500.0 if fast else 10.0) as sim:
        sim.command("weight 1.234 kg")
        link = SerialLink(
            "scale",
            PortSettings(sim.address),
            create_scale(protocol, count, options),
            lambda state, detail: connected.set() if state.value == "connected" else None,
        )
        link.start()
        connected.wait(5.0)
        warm = threading.Event()
        warm.wait(0.3)  # let the first poll/frame through before counting
        with lock:
            counted["all"] = counted["weights"] = 0
        started = time.perf_counter()
        warm.wait(seconds)
        elapsed = time.perf_counter() - started
        with lock:
            total, weights = counted["all"], counted["weights"]
        link.stop()
    return {"readings_per_s": round(total / elapsed, 1), "with_weight": weights == total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    from wms_desk.devices.scales import PROTOCOLS

    figures: dict[str, Any] = {"seconds": args.seconds}
    for mode in ("configured", "max"):
        figures[mode] = {
            protocol: readings_per_second(protocol, args.seconds, mode == "max")
            for protocol in PROTOCOLS
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
