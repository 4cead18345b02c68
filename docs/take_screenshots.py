"""Screenshots of every screen at 1366x768, from the real app on a fresh demo station.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/take_screenshots.py [--out docs/screenshots]

The whole station runs (demo database, simulated scanner and scale on ptys, print worker);
each screen is shown as a supervisor or a packer would see it and grabbed as a PNG.
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
    from wms_desk.settings import load_settings
    from wms_desk.ui.application import make_application

    # The QApplication must exist (and keep existing) before any widget is made.
    app = make_application()
    assert app is not None
    folder = Path(tempfile.mkdtemp(prefix="wms-shots-"))
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
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if not condition():
            raise SystemExit("timed out waiting for the app")

    def settle(ms: int = 600) -> None:
        done = []
        QTimer.singleShot(ms, lambda: done.append(1))
        wait(lambda: bool(done))

    def shot(name: str) -> None:
        settle()
        path = out / f"{name}.png"
        station.window.grab().save(str(path))
        print(path)

    def returns_shots(username: str) -> None:
        """The service desk's look-up, an RMA's detail (supervisor), receiving (packer)."""
        from wms_desk.domain.scan import interpret
        from wms_desk.services.returns.views import RmaFilter, list_rmas

        ui = station.window.workspace.ui
        rmas = list_rmas(ui.services)
        received = next((r for r in rmas if r.received), rmas[0])
        waiting = next((r for r in rmas if r.status in ("open", "receiving")), rmas[0])
        if username == "sam":
            desk = station.window.show_screen("desk")
            desk.search.setText(received.order_number)
            desk.run_search()
            wait(lambda: desk.order_view.detail is not None and station.tasks.pending == 0)
            desk.order_view.tabs.setCurrentIndex(0)
            shot("sam-desk-lookup")
            desk.order_view.tabs.setCurrentIndex(1)
            shot("sam-desk-timeline")
            screen = station.window.show_screen("returns")
            panel = screen.returns_list
            screen.tabs.setCurrentIndex(1)
            panel.filter.setCurrentIndex(panel.filter.findData(RmaFilter.ALL))
            wait(lambda: panel.model.rowCount() > 0 and station.tasks.pending == 0)
            panel.table.selectRow([r.number for r in panel.model.rows].index(received.number))
            wait(lambda: panel.detail.detail is not None and station.tasks.pending == 0)
            panel.detail.tabs.setCurrentIndex(1)  # each unit's condition and disposition
            shot("sam-rma-detail")
            screen.tabs.setCurrentIndex(0)
        else:
            screen = station.window.show_screen("returns")
            screen.handle_scan(interpret(f"RMA:{waiting.number}"))
            wait(lambda: screen.rma is not None and station.tasks.pending == 0)
            shot("pat-returns-receiving")

    station.start()
    station.window.resize(*SIZE)
    wait(lambda: station.login.sign_in_button.isEnabled())
    shot("sign-in")
    for username, password in (("sam", "super123"), ("pat", "packer123")):
        station.login.username.setText(username)
        station.login.password.setText(password)
        station.login.sign_in_button.click()
        wait(lambda: station.signed_in)
        station.window.resize(*SIZE)
        for key in station.window.screen_keys:
            station.window.show_screen(key)
            wait(lambda: station.tasks.pending == 0)
            shot(f"{username}-{key}")
        returns_shots(username)
        station.window.sign_out()
        wait(lambda: not station.signed_in)
    station.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
