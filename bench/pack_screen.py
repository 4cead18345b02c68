"""Pack screen scan-to-feedback: last byte of a scan at the pty -> the count repainted, committed.

Usage: QT_QPA_PLATFORM=offscreen python bench/pack_screen.py [--lines 200] [--backends B,B]

The whole station runs (StationApp: serial scanner simulator on a pty, device hub, router, change
bus, print worker); a packer signs in by badge and opens an order of --lines lines (one unit
each, its own barcode). Each scan is timed from the simulator's last byte written to the moment
the Pack screen has the committed verdict on screen and its lines table has repainted
(`viewport().repaint()`, synchronous). One JSON line: p50/p99/max ms per backend, with the goals
(p99 < 16 ms on SQLite, < 25 ms on PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOALS_MS = {"sqlite": 16.0, "postgresql": 25.0}
PG_ADMIN = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "wms_bench_pack_screen"


def _database_url(backend: str, folder: Path) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from wms_desk.db import schema
    from wms_desk.db.engine import create_db_engine, sqlite_url

    if backend == "sqlite":
        url = sqlite_url(folder / "bench.sqlite3")
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{PG_DB}"'))
        admin.dispose()
        url = make_url(PG_ADMIN).set(database=PG_DB).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


def _drop_pg() -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    admin.dispose()


def _ean13(first12: str) -> str:
    """A valid EAN-13 (a wrong check digit is an unreadable scan, not a product)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _seed(url: str, lines: int) -> list[str]:
    from tests.services.packdata import Item, add_cartons, add_items, order

    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.database import Database
    from wms_desk.services.stations import ensure_station
    from wms_desk.services.users import add_user

    database = Database(url)
    info = ensure_station(database, "pack-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "pat", "packer", "packer123", badge="PACK-0001", display_name="Pat Packer")
    items = [Item(f"SKU-{n:04d}", _ean13(f"20{n:010d}")) for n in range(lines)]
    add_items(database, *items)
    add_cartons(database)
    order(database, "B200", [(item.sku, 1) for item in items])
    database.dispose()
    return [item.code for item in items]


def measure(backend: str, lines: int, fake_service: bool = False) -> dict[str, object]:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from wms_desk.app.gui import StationApp
    from wms_desk.devices.simulators.scanner import ScannerSimulator
    from wms_desk.services.database import Database
    from wms_desk.settings import load_settings

    folder = Path(tempfile.mkdtemp(prefix="wms-bench-pack-"))
    url = _database_url(backend, folder)
    codes = _seed(url, lines)
    # --fake-service: the verdicts are computed first (another order, same lines) and the
    # screen gets them instantly: what is left is the screen's own path, scan to paint.
    canned, service = _service_only(url, lines) if fake_service else ([], [])
    scanner = ScannerSimulator("pty", aim=False, suffix="cr")
    settings = load_settings(
        cli={
            "station": "pack-01",
            "scanner_port": scanner.address,
            "scanner_suffix": "cr",
            "poll_seconds": 3600,
            "data_dir": str(folder),
            "sound_volume": 0,
        },
        environ={},
        config_path=folder / "none.toml",
    )
    database = Database(url)
    app = StationApp(
        settings, database, QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
    )

    def wait(condition, ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if condition() else None)
        timer.start(1)
        deadline = time.monotonic() + ms / 1000
        while not condition() and time.monotonic() < deadline:
            loop.exec()
        timer.stop()
        if not condition():
            raise SystemExit(f"{backend}: timed out")

    app.start()
    app.window.resize(1366, 768)
    wait(lambda: app.devices is not None and app.devices.states.get("scanner") == "connected")
    scanner.scan("BADGE:PACK-0001")
    wait(lambda: app.workspace is not None)
    screen = app.workspace.current_screen()  # type: ignore[union-attr]
    wait(lambda: screen.idle)
    scanner.scan("ORD:B200")
    wait(lambda: screen.idle and screen.session is not None)
    latencies: list[float] = []
    answered: list[float] = []
    # The service's own time inside each scan (same call, timed on the worker thread), so the
    # screen's share (routing, queueing, the thread hop, painting) is the difference.
    from wms_desk.services import packing

    service_ms: list[float] = []
    real_verify = packing.verify_scan

    answers = iter(canned)

    def timed_verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return next(answers) if fake_service else real_verify(*args, **kwargs)
        finally:
            service_ms.append((time.perf_counter() - started) * 1000)

    packing.verify_scan = timed_verify  # type: ignore[assignment]

    def on_answer(_verdict: object) -> None:
        screen.table.viewport().repaint()  # the count on screen, now
        answered.append(time.perf_counter())

    screen.scan_answered.connect(on_answer)
    for code in codes:
        answered.clear()
        sent = scanner.scan(code)
        wait(lambda: bool(answered))
        latencies.append((answered[0] - sent) * 1000)
    packing.verify_scan = real_verify  # type: ignore[assignment]
    verified = lines if fake_service else sum(line.verified for line in screen.session.lines)
    screen_share = [total - own for total, own in zip(latencies, service_ms, strict=True)]
    app.window.close()
    app.shutdown()
    scanner.stop()
    if not fake_service:
        _canned, service = _service_only(url, lines)
    if backend == "postgresql":
        _drop_pg()
    if verified != lines:
        raise SystemExit(f"{backend}: only {verified} of {lines} verified")
    figures: dict[str, object] = {
        **_figures(latencies),
        "goal_p99_ms": GOALS_MS[backend],
        "of_which_verify_scan": _figures(service_ms),
        "of_which_screen": _figures(screen_share),
        # The same scans through packing.verify_scan alone (no GUI): the back end's share.
        "verify_scan_only": _figures(service),
    }
    return figures


def _figures(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _service_only(url: str, lines: int) -> tuple[list[object], list[float]]:
    """A second order of the same lines, packed by calling the service directly."""
    from tests.services.packdata import order

    from wms_desk.services import auth, packing
    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.database import Database
    from wms_desk.services.stations import ensure_station

    database = Database(url)
    order(database, "B201", [(f"SKU-{n:04d}", 1) for n in range(lines)])
    station = ensure_station(database, "pack-02")
    actor = auth.actor_for(ServiceContext(database, system_actor()), "pat", station)
    ctx = ServiceContext(database, actor)
    session = packing.open_order(ctx, "B201")
    times, verdicts = [], []
    for n in range(lines):
        started = time.perf_counter()
        verdicts.append(packing.verify_scan(ctx, session.order_id, _ean13(f"20{n:010d}")))
        times.append((time.perf_counter() - started) * 1000)
    database.dispose()
    return verdicts, times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--fake-service", action="store_true", help="instant verdicts: the screen's own path"
    )
    args = parser.parse_args()
    from wms_desk.ui.application import make_application

    app = make_application()
    result: dict[str, object] = {"bench": "pack_screen", "lines": args.lines}
    for backend in args.backends.split(","):
        name = f"scan_to_feedback_{backend}" + ("_fake_service" if args.fake_service else "")
        result[name] = measure(backend, args.lines, args.fake_service)
    print(json.dumps(result))
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
