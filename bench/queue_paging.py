"""Queue benchmark at a million orders: one JSON line of timings and peak memory.

Usage:
  python bench/queue_paging.py --backend sqlite|postgresql [--orders 1000000] [--url URL] [--keep]

Without --url it seeds a fresh database (a file under /tmp, or the PostgreSQL database
wms_bench_queue) with bench/seed_million.py in a child process, so the seeding's memory does
not count, and removes it afterwards unless --keep. Each figure is the median of --repeat
runs after one warm-up; `open_cold_ms` is the very first open (empty caches in this process).
The same pages are also fetched by hand-written SQL, and `ratio_*` is ours / hand-written.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from wms_desk.domain import order_status
from wms_desk.services import queue
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database

HERE = Path(__file__).resolve().parent
PG_ADMIN = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "wms_bench_queue"
OPEN = order_status.in_order(order_status.OPEN)
SEARCH = "Smith"

# The page a supervisor sees, written the way one would by hand (no tricks): the same
# columns the screen shows, line counts and tags included, so both fetch the same page.
_SELECT = (
    "SELECT o.id, o.number, ch.name, o.status, o.customer_name, o.ship_email, o.ship_country, "
    "o.ship_by, o.priority, o.requested_service, st.name, us.display_name, o.created_at, "
    "o.total, o.currency, o.hold_reason, o.attention, o.batch_id, o.version, "
    "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id), "
    "(SELECT sum(l.qty) FROM order_lines l WHERE l.order_id = o.id), "
    "(SELECT {agg} FROM order_tags t WHERE t.order_id = o.id) "
    "FROM orders o JOIN channels ch ON ch.id = o.channel_id "
    "LEFT JOIN stations st ON st.id = o.assigned_station_id "
    "LEFT JOIN users us ON us.id = o.assigned_user_id "
)
_OPEN_IN = "o.status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")"
HAND_WRITTEN = {
    "open": _SELECT + f"WHERE {_OPEN_IN} ORDER BY o.ship_by, o.id LIMIT 200",
    "filter": _SELECT
    + "WHERE o.status = 'allocated' AND o.channel_id = 2 ORDER BY o.ship_by, o.id LIMIT 200",
    "sort": _SELECT + f"WHERE {_OPEN_IN} ORDER BY o.customer_name, o.id LIMIT 200",
    "search": _SELECT + f"WHERE {_OPEN_IN} AND o.customer_name {{like}} '%{SEARCH}%' "
    "ORDER BY o.ship_by, o.id LIMIT 200",
}


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _prepare(backend: str, orders: int, url: str | None) -> tuple[str, Callable[[], None]]:
    if url:
        return url, lambda: None
    if backend == "sqlite":
        path = Path("/tmp") / f"wms_bench_queue_{os.getpid()}.sqlite3"
        url = f"sqlite+pysqlite:///{path}"

        def cleanup() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{PG_BENCH_DB}"'))
        url = make_url(PG_ADMIN).set(database=PG_BENCH_DB).render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)'))
            admin.dispose()

    seeded = subprocess.run(
        # The queue reads orders and lines only: no picks, labels or returns (seed_history.py).
        [
            sys.executable,
            str(HERE / "seed_million.py"),
            url,
            "--orders",
            str(orders),
            "--no-history",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(seeded.stdout.strip(), file=sys.stderr)
    return url, cleanup


def _screen_open_ms(ctx: ServiceContext) -> float:
    """Construct the real QueueScreen offscreen and wait for its first page on screen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from wms_desk.settings import load_settings
    from wms_desk.ui.context import UiContext
    from wms_desk.ui.screens.queue_screen import QueueScreen
    from wms_desk.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    settings = load_settings(cli={}, environ={}, config_path=Path("/nonexistent.toml"))
    qsettings = QSettings(str(Path(tempfile.mkdtemp()) / "ui.ini"), QSettings.Format.IniFormat)
    ui = UiContext(ctx, TaskRunner(), settings, {"qsettings": qsettings})
    started = time.perf_counter()
    screen = QueueScreen(ui)
    screen.show()
    while screen.model.rowCount() == 0 or screen.model.loading:
        # Block until the worker's answer arrives: a busy loop would hold the GIL against it.
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if time.perf_counter() - started > 30:
            raise TimeoutError("the queue screen did not show its first page in 30 s")
    app.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    screen.shutdown()
    ui.tasks.wait_idle()
    screen.deleteLater()
    app.processEvents()
    return round(elapsed, 1)


def run(backend: str, url: str, repeat: int) -> dict[str, Any]:
    database = Database(url)
    ctx = ServiceContext(database, system_actor())
    default = queue.QueueFilter(statuses=OPEN)
    filtered = queue.QueueFilter(statuses=("allocated",), channel_ids=(2,))
    searched = queue.QueueFilter(statuses=OPEN, search=SEARCH)

    def page(f: queue.QueueFilter, sort: str = "ship_by") -> queue.QueuePage:
        return queue.load_page(ctx, queue.QueueRequest(f, sort, limit=queue.PAGE_SIZE), False)

    started = time.perf_counter()
    first = page(default)
    cold = round((time.perf_counter() - started) * 1000, 1)
    assert len(first.ids) == queue.PAGE_SIZE, "the bench database looks empty"

    # What the screen waits for before it shows rows: the page (ids + their cells). The chips'
    # counts follow in a second background call; they are timed on their own (`*_counts_ms`).
    ours = {
        "open": lambda: page(default),
        "filter": lambda: page(filtered),
        "sort": lambda: page(default, "customer"),
        "search": lambda: page(searched),
    }
    counts = {
        "open": lambda: queue.load_counts(ctx, default),
        "filter": lambda: queue.load_counts(ctx, filtered),
        "search": lambda: queue.load_counts(ctx, searched),
    }
    like = "LIKE" if backend == "sqlite" else "ILIKE"
    agg = "group_concat(t.tag, ',')" if backend == "sqlite" else "string_agg(t.tag, ',')"

    def hand(sql: str) -> Callable[[], Any]:
        sql = sql.replace("{like}", like).replace("{agg}", agg)

        def fetch() -> Any:
            with database.engine.connect() as connection:
                return connection.execute(text(sql)).all()

        return fetch

    result: dict[str, Any] = {"bench": "queue", "backend": backend, "open_cold_ms": cold}
    with database.engine.connect() as connection:
        result["orders"] = connection.execute(text("SELECT count(*) FROM orders")).scalar()
    for name, fn in ours.items():
        # Both must produce the very same page, or the comparison means nothing.
        same = list(fn().ids) == [row[0] for row in hand(HAND_WRITTEN[name])()]
        result[f"{name}_same_page"] = same
        mine = _median_ms(fn, repeat)
        baseline = _median_ms(hand(HAND_WRITTEN[name]), repeat)
        result[f"{name}_ms"] = mine
        result[f"{name}_hand_sql_ms"] = baseline
        result[f"ratio_{name}"] = round(mine / baseline, 2) if baseline else None
    for name, fn in counts.items():
        result[f"{name}_counts_ms"] = _median_ms(fn, repeat)
    result["search_hits"] = sum(queue.load_counts(ctx, searched).values())
    # The first screen in a process also pays Qt's one-time start-up (styles, fonts).
    result["screen_open_first_ms"] = _screen_open_ms(ctx)
    result["screen_open_ms"] = _screen_open_ms(ctx)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    goal = 100 if backend == "sqlite" else 150
    result["goal_ms"] = goal
    result["all_within_goal"] = all(result[f"{n}_ms"] < goal for n in ours) and (
        result["peak_rss_mb"] < 400
    )
    database.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--url", help="an already seeded database (kept as it is)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    url, cleanup = _prepare(args.backend, args.orders, args.url)
    try:
        result = run(args.backend, url, args.repeat)
        result["url"] = make_url(url).render_as_string(hide_password=True)
        print(json.dumps(result))
    finally:
        if not args.keep:
            cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
