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
# The two reports shown with their own screenshots (besides each screen's first look).
REPORTS = ("throughput", "fulfilment-time")


def floor_activity(ctx: object) -> list[str]:
    """A morning's work at the demo station, through the real services as the packer: orders
    packed (one wrong scan among them), two shipped and one label voided, so the dashboard and
    the reports have today's numbers. Returns what could not be done (printed, not fatal)."""
    import uuid

    from sqlalchemy import select

    from wms_desk.db.models import Order, OrderLine, ProductBarcode
    from wms_desk.services import packing
    from wms_desk.services.shipping.labels import ship_order
    from wms_desk.services.shipping.voids import void_label

    problems: list[str] = []
    database = ctx.database  # type: ignore[attr-defined]
    for n in range(3):
        session = packing.open_next(ctx)
        if session is None:
            break
        order_id = session.order_id
        with database.read_session() as s:
            lines = s.execute(
                select(OrderLine.product_id, OrderLine.qty - OrderLine.packed_qty).where(
                    OrderLine.order_id == order_id
                )
            ).all()
            codes = {
                pid: s.scalar(
                    select(ProductBarcode.code).where(
                        ProductBarcode.product_id == pid, ProductBarcode.quantity == 1
                    )
                )
                for pid, _left in lines
            }
        if n == 0:
            packing.verify_scan(ctx, order_id, "0000000000000", str(uuid.uuid4()))
        for product_id, left in lines:
            for _ in range(left):
                packing.verify_scan(ctx, order_id, codes[product_id] or "", str(uuid.uuid4()))
        box = packing.pack_session(ctx, order_id).packages[-1]
        packing.record_weight(ctx, order_id, box.expected_weight_g, str(uuid.uuid4()))
        done = packing.complete(ctx, order_id, str(uuid.uuid4()))
        if not done.session.completed:
            problems.append(f"{session.order_number}: {done.message}")
    with database.read_session() as s:
        ready = dict(
            s.execute(select(Order.number, Order.id).where(Order.number.like("SHIP-100%"))).all()
        )
    shipped = []
    for number in ("SHIP-1001", "SHIP-1003"):
        try:
            shipped.append(ship_order(ctx, ready[number]))
        except Exception as exc:  # a screenshot run reports and goes on
            problems.append(f"ship {number}: {exc}")
    if len(shipped) == 2:
        try:
            void_label(ctx, shipped[1].labels[0].tracking, "Customer changed the address")
        except Exception as exc:
            problems.append(f"void: {exc}")
    return problems


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
    station.login.username.setText("pat")
    station.login.password.setText("packer123")
    station.login.sign_in_button.click()
    wait(lambda: station.signed_in)
    for problem in floor_activity(station.window.ui.services):
        print("activity:", problem, file=sys.stderr)
    station.window.sign_out()
    wait(lambda: not station.signed_in)
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
            if key == "reports":
                shoot_reports(station, username, wait, shot)
        returns_shots(username)
        station.window.sign_out()
        wait(lambda: not station.signed_in)
    station.shutdown()
    return 0


def shoot_reports(station: object, username: str, wait: Callable, shot: Callable) -> None:
    """Run two reports over the last 30 days on the Reports screen and grab each."""
    from PySide6.QtCore import QDate

    from wms_desk.domain.reports import ReportName

    screen = station.window.workspace.current_screen()  # type: ignore[attr-defined]
    screen.date_from.setDate(QDate.currentDate().addDays(-29))
    screen.picker.setFocus()  # no half-selected date field in the picture
    for name in REPORTS:
        screen.picker.setCurrentRow(list(ReportName).index(ReportName(name)))
        before = screen.report
        screen.run()
        wait(lambda before=before: screen.report is not before and not screen.running)
        shot(f"{username}-report-{name}")


if __name__ == "__main__":
    sys.exit(main())
