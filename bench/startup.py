"""Seconds from process start to the main window shown and painted, beside a bare PySide6 window.

Prints one JSON line with the median of N runs each, on a seeded demo database:
- main_window_seconds: the station's main window painted (it opens on its sign-in page while
  the database opens on a worker);
- signed_in_seconds: the supervisor's workspace painted, signed in directly as the demo
  supervisor (typing a password is the user's time, not start-up): database opened, schema
  checked, devices and print worker started, the queue screen built.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(mode: str, db: str) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                os._exit(0)
            return False

    painted = FirstPaint()
    if mode == "bare":
        app = QApplication(sys.argv)
        window = QMainWindow()
        window.setWindowTitle("bare")
        window.resize(1280, 800)
        window.installEventFilter(painted)
        window.show()
        app.exec()
        return

    from PySide6.QtCore import QSettings

    from wms_desk.app.gui import StationApp
    from wms_desk.settings import load_settings
    from wms_desk.ui.application import make_application

    app = make_application()
    settings = load_settings(cli={"db": db, "demo": True, "station": "bench"})
    # A fresh settings file: the user's remembered screen must not change what is measured.
    ui_state = QSettings(str(Path(db).with_suffix(".ini")), QSettings.Format.IniFormat)
    shell = StationApp(settings, qsettings=ui_state)
    if mode == "main":
        shell.window.installEventFilter(painted)
        shell.start()
        app.exec()
        return

    def signed_in(station):
        from wms_desk.services import auth

        shell.tasks.run(
            auth.actor_for,
            station.system,
            "sam",
            station.info,
            # The workspace's first paint: the window itself painted long before, signed out.
            on_done=lambda actor: (
                shell.open_window(actor).pages.currentWidget().installEventFilter(painted)
            ),
        )

    shell.station_opened.connect(signed_in)
    shell.start()
    app.exec()


def measure(mode: str, db: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # An installed app runs from compiled bytecode (main() compiles it once); a machine that
    # sets PYTHONDONTWRITEBYTECODE would otherwise time the compiler, not the start-up.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    elapsed = time.perf_counter() - start
    if "painted" not in result.stdout:
        raise SystemExit(f"{mode} run did not paint: {result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["bare", "main", "signed_in"])
    parser.add_argument("--db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    import compileall

    import wms_desk

    compileall.compile_dir(str(Path(wms_desk.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.sqlite3")
        subprocess.run(
            [sys.executable, "-m", "wms_desk", "--db", db, "db", "seed-demo"],
            check=True,
            capture_output=True,
        )
        modes = ("bare", "main", "signed_in")
        for mode in modes:  # warm the OS file cache once for each
            measure(mode, db)
        runs = {m: [measure(m, db) for _ in range(args.runs)] for m in modes}
    bare, main_window, signed_in = (statistics.median(runs[m]) for m in modes)
    print(
        json.dumps(
            {
                "benchmark": "startup",
                "bare_window_seconds": round(bare, 3),
                "main_window_seconds": round(main_window, 3),
                "ratio": round(main_window / bare, 2),
                "signed_in_seconds": round(signed_in, 3),
                "runs": args.runs,
                "goal": "main window within 1.5x the bare window; signed in under 0.6 s",
            }
        )
    )


if __name__ == "__main__":
    main()
