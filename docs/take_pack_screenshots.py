"""Screenshots of the Pick and Pack screens mid-order at 1366x768, driven by the demo scan pad.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/take_pack_screenshots.py [--out DIR]

A fresh demo station (simulated scanner and scale on ptys); every scan goes through the pad, so
the pictures show what a newcomer sees: pack-mid-order, pack-wrong-item (the red state),
pack-weighed, pick-mid-order and pick-wrong-bin.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (1366, 768)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).parent / "screenshots"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from wms_desk.app.gui import StationApp
    from wms_desk.devices.scanner import DEFAULT_DEBOUNCE_S
    from wms_desk.settings import load_settings
    from wms_desk.ui.application import make_application

    app = make_application()
    folder = Path(tempfile.mkdtemp(prefix="wms-pack-shots-"))
    settings = load_settings(
        cli={"demo": True, "station": "pack-01", "data_dir": str(folder)},
        environ={},
        config_path=folder / "none.toml",
    )
    qsettings = QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
    station = StationApp(settings, qsettings=qsettings)

    def wait(condition: Callable[[], bool], ms: int = 20_000, what: str = "") -> None:
        deadline = time.monotonic() + ms / 1000
        while not condition() and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if not condition():
            raise SystemExit(f"timed out waiting for {what or 'the app'}")

    def settle(ms: int) -> None:
        done: list[int] = []
        QTimer.singleShot(ms, lambda: done.append(1))
        wait(lambda: bool(done))

    def shot(name: str, ms: int = 600) -> None:
        settle(ms)
        path = out / f"{name}.png"
        station.window.grab().save(str(path))
        print(path)

    answers: list[object] = []

    def scan(code: str, what: str) -> None:
        """One scan through the simulated scanner's pty, waited for until the screen answers."""
        settle(int(DEFAULT_DEBOUNCE_S * 1000) + 50)  # the driver drops a repeat within this
        seen = len(answers)
        pad.demo.scanner.scan(code)
        wait(lambda: len(answers) > seen and screen().idle, what=f"the answer to {what}")

    def send(label: str, heading: bool = False) -> None:
        entry = pad.entry_after(label) if heading else pad.entry(label)
        if entry.scale:
            seen = len(answers)
            pad.send(entry)
            wait(lambda: len(answers) > seen and screen().idle, what=f"the answer to {label}")
        else:
            scan(entry.code, entry.label)

    station.start()
    station.window.resize(*SIZE)
    wait(lambda: station.login.sign_in_button.isEnabled() and station.scan_pad is not None)
    pad = station.scan_pad
    assert pad is not None
    pad.send(pad.entry("Pat Packer"))
    wait(lambda: station.signed_in, what="the badge sign-in")
    station.window.resize(*SIZE)
    assert station.workspace is not None
    workspace = station.workspace

    def screen() -> Any:  # the Pack or the Pick screen, whichever is in front
        return workspace.current_screen()

    pack = screen()
    pack.scan_answered.connect(answers.append)
    pack.session_shown.connect(answers.append)
    wait(lambda: pad.codes is not None and pack.idle, what="the pack screen")
    scan(f"ORD:{_order_with_lines(station, 'pack')}", "the order barcode")
    wait(lambda: any(e.label == "A wrong item" for e in pad.entries), what="the pad's codes")
    for _ in range(2):
        send(next(e.label for e in pad.entries if "(unit," in e.label))
    shot("pack-mid-order")
    send("A wrong item", heading=True)
    shot("pack-wrong-item", 120)
    for _ in range(60):  # every unit left, and a serial number where an item asks for one
        capture = [e for e in pad.entries if e.label.startswith("The ") and e.code]
        units = capture or [e for e in pad.entries if "(unit," in e.label]
        if not units:
            break
        send(units[0].label)
    wait(lambda: any(e.scale for e in pad.entries), what="the scale entry")
    send("Put the box on the scale")
    wait(lambda: pack.session.packages[-1].weight_g is not None, what="the weight")
    shot("pack-weighed")
    send("COMPLETE")
    wait(lambda: pack.session.completed, what="COMPLETE")
    pick = station.window.show_screen("pick")
    pick.scan_answered.connect(answers.append)
    pad.forget_codes()
    wait(lambda: pad.codes is not None and pick.idle, what="the pick screen")
    scan(f"ORD:{_order_with_lines(station, 'pick')}", "the order to pick")
    task = pick.session.current
    scan("Z-99-99", "a bin that is not the one to go to")
    shot("pick-wrong-bin", 120)
    send(f"Bin {task.bin_code}")
    wait(lambda: pick.session.stage.value == "item", what="the item stage")
    wait(lambda: any(task.sku in e.label for e in pad.entries), what="the pad's item")
    send(next(e.label for e in pad.entries if task.sku in e.label and e.code))
    shot("pick-mid-order")
    station.shutdown()
    app.quit()
    return 0


def _order_with_lines(station: Any, operation: str) -> str:
    """A free demo order to pack or pick with three lines or more: mid-order then shows
    lines done and lines to go (the first in the queue may have a single line)."""
    from sqlalchemy import func, select

    from wms_desk.db.models import Order, OrderLine
    from wms_desk.domain.station_rules import Operation
    from wms_desk.services import claims

    database = station.station.database
    with database.read_session() as session:
        lines = func.count(OrderLine.id)
        number = session.scalar(
            select(Order.number)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                Order.status.in_(claims.ELIGIBLE[Operation(operation)]),
                Order.claimed_by_station_id.is_(None),
            )
            .group_by(Order.id, Order.number)
            .having(lines >= 3)
            .order_by(Order.priority.desc(), Order.id)
            .limit(1)
        )
    if number is None:
        raise SystemExit(f"the demo database has no free {operation} order of three lines")
    return number


if __name__ == "__main__":
    sys.exit(main())
