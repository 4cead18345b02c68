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
from collections.abc import Callable
from pathlib import Path

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

    def wait(condition: Callable[[], bool], ms: int = 20_000) -> None:
        loop_timer = QTimer()
        loop_timer.start(ms)
        while not condition() and loop_timer.isActive():
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if not condition():
            raise SystemExit("timed out waiting for the app")

    def settle(ms: int) -> None:
        done: list[int] = []
        QTimer.singleShot(ms, lambda: done.append(1))
        wait(lambda: bool(done))

    def shot(name: str, ms: int = 600) -> None:
        settle(ms)
        path = out / f"{name}.png"
        station.window.grab().save(str(path))
        print(path)

    def send(label: str, heading: bool = False) -> None:
        pad = station.scan_pad
        assert pad is not None
        entry = pad.entry_after(label) if heading else pad.entry(label)
        settle(int(DEFAULT_DEBOUNCE_S * 1000) + 50)  # the driver drops a repeat within this
        pad.send(entry)

    station.start()
    station.window.resize(*SIZE)
    wait(lambda: station.login.sign_in_button.isEnabled() and station.scan_pad is not None)
    send("Pat Packer")
    wait(lambda: station.signed_in)
    station.window.resize(*SIZE)
    pad = station.scan_pad
    assert pad is not None and station.workspace is not None
    pack = station.workspace.current_screen()
    wait(lambda: pad.codes is not None and pack.idle)
    send("Order ")
    wait(lambda: pack.session is not None and pack.idle)
    wait(lambda: any(e.label == "A wrong item" for e in pad.entries))
    send("(unit,")
    wait(lambda: pack.idle and any(line.verified for line in pack.session.lines))
    shot("pack-mid-order")
    send("A wrong item", heading=True)
    wait(lambda: pack.idle and station.window.feedback_line.text != "")
    shot("pack-wrong-item", 120)
    for _ in range(30):
        units = [e for e in pad.entries if "(unit," in e.label]
        if not units:
            break
        send(units[0].label)
        wait(lambda: pack.idle)
    wait(lambda: any(e.scale for e in pad.entries))
    send("Put the box on the scale")
    wait(lambda: pack.idle and pack.session.packages[-1].weight_g is not None)
    shot("pack-weighed")
    send("COMPLETE")
    wait(lambda: pack.idle and pack.session.completed)
    pick = station.window.show_screen("pick")
    pad.forget_codes()
    wait(lambda: pad.codes is not None and pick.idle)
    send("Order ")
    wait(lambda: pick.session is not None and pick.idle)
    task = pick.session.current
    pad.demo.scanner.scan("Z-99-99")  # a bin that is not the one to go to
    wait(lambda: pick.idle and "not bin" in station.window.feedback_line.text)
    shot("pick-wrong-bin", 120)
    send(f"Bin {task.bin_code}")
    wait(lambda: pick.idle and pick.session.stage.value == "item")
    wait(lambda: any(task.sku in e.label for e in pad.entries))
    shot("pick-mid-order")
    station.shutdown()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
