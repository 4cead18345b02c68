"""Seconds from process start to the main window shown and painted, beside a bare PySide6 window.

Prints one JSON line. The app is measured on a seeded demo database, signed in directly as the
demo supervisor (typing a password is the user's time, not start-up). Median of N runs each.
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

    from wms_desk.services import auth
    from wms_desk.settings import load_settings
    from wms_desk.ui.application import Shell, make_application

    app = make_application()
    settings = load_settings(cli={"db": db, "demo": True, "station": "bench"})
    shell = Shell(settings)

    def station_ready(station):  # type: ignore[no-untyped-def]
        shell.station = station
        shell.tasks.run(auth.actor_for, shell._context(), "sam", station,
                        on_done=lambda actor: shell.open_window(actor).installEventFilter(painted))

    from wms_desk.ui.application import open_station

    shell.tasks.run(open_station, shell.database, settings, on_done=station_ready)
    app.exec()


def measure(mode: str, db: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db],
        capture_output=True, text=True, env=env, timeout=60,
    )
    elapsed = time.perf_counter() - start
    if "painted" not in result.stdout:
        raise SystemExit(f"{mode} run did not paint: {result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["bare", "app"])
    parser.add_argument("--db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.sqlite3")
        subprocess.run([sys.executable, "-m", "wms_desk", "--db", db, "db", "seed-demo"],
                       check=True, capture_output=True)
        measure("app", db)  # warm the OS file cache once, for both modes alike
        measure("bare", db)
        bare = [measure("bare", db) for _ in range(args.runs)]
        app = [measure("app", db) for _ in range(args.runs)]
    bare_s, app_s = statistics.median(bare), statistics.median(app)
    print(json.dumps({
        "benchmark": "startup",
        "app_seconds": round(app_s, 3),
        "bare_window_seconds": round(bare_s, 3),
        "ratio": round(app_s / bare_s, 2),
        "runs": args.runs,
        "goal": "app under 2x bare and under 1 s",
    }))


if __name__ == "__main__":
    main()
