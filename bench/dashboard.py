"""Dashboard benchmark: one JSON line with the refresh time (the whole snapshot) and its parts.

Usage:
  python bench/dashboard.py --backend sqlite|postgresql [--orders 1000000] [--url URL] [--keep]
      [--history-events 2000000] [--today-orders 3000] [--repeat 15]

Without --url it seeds a fresh database with bench/seed_million.py (orders and lines) in a child
process, then adds an audit trail: `--history-events` events spread over the last 60 days and a
busy day today (`--today-orders` orders packed and shipped, three scans each, one wrong scan and
one weight warning in fifty, a few short picks and print failures), so "today" is a small range
of a large table. Each figure is the median (and 90th percentile) of --repeat runs after one
warm-up. The acceptance figure is `refresh_ms` < 100 at a million orders.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from wms_desk.db.models import (
    AuditEvent,
    LineShortage,
    Order,
    OrderLine,
    PackProgress,
    PrintJob,
    Station,
    User,
)
from wms_desk.db.queries import dashboard as q
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.dashboard import dashboard
from wms_desk.services.database import Database

HERE = Path(__file__).resolve().parent
PG_ADMIN = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "wms_bench_dashboard"
ACTIONS = ("pack.scan", "pack.scan", "pack.scan", "pack.weighed", "pack.complete", "ship.buy")


def _prepare(
    backend: str, orders: int, url: str | None, keep: bool
) -> tuple[str, Callable[[], None]]:
    if url:
        return url, lambda: None
    if backend == "sqlite":
        path = Path("/tmp") / f"wms_bench_dashboard_{os.getpid()}.sqlite3"
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

    # Orders and lines only: this bench adds its own packing, shipping and audit trail
    # (seed_million's history would collide with it on pack_progress.order_id).
    seed = [sys.executable, str(HERE / "seed_million.py"), url, "--orders", str(orders)]
    seeded = subprocess.run([*seed, "--no-history"], check=True, capture_output=True, text=True)
    print(seeded.stdout.strip(), file=sys.stderr)
    return url, (lambda: None) if keep else cleanup


def _event(action: str, order_id: int, at: datetime, station: int, user: int, after: dict) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "user_id": user,
        "station_id": station,
        "created_at": at,
        "action": action,
        "subject_type": "order",
        "subject_id": str(order_id),
        "before": None,
        "after": after,
    }


def _after(action: str, rng: random.Random) -> dict[str, Any]:
    if action == "pack.scan":
        return {"outcome": "wrong_item" if rng.random() < 0.02 else "verified"}
    if action == "pack.weighed":
        return {"check": "warn" if rng.random() < 0.02 else "ok"}
    if action == "pack.complete":
        return {"outcome": "completed"}
    return {"status": "shipped"}


def add_activity(database: Database, history: int, today_orders: int, seed: int = 3) -> int:
    """An audit trail, short picks and print failures; returns the audit events written."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    written = 0
    with database.write_session() as session, session.begin():
        if session.scalar(select(func.count()).select_from(Station)) < 4:
            for n in range(1, 5):
                session.add(Station(name=f"bench-pack-{n}", description="", bindings={}))
        if session.scalar(select(func.count()).select_from(User)) < 8:
            for n in range(1, 9):
                session.add(User(username=f"bench-{n}", display_name=f"Packer {n}", role="packer"))
        session.flush()
        stations = list(session.scalars(select(Station.id)))
        users = list(session.scalars(select(User.id)))
        top = session.scalar(select(func.max(Order.id))) or 0
        if top == 0:
            raise SystemExit("the bench database has no orders")
        batch: list[dict[str, Any]] = []

        def flush(force: bool = False) -> None:
            nonlocal batch, written
            if batch and (force or len(batch) >= 20_000):
                session.execute(insert(AuditEvent), batch)
                written += len(batch)
                batch = []

        start_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(history):
            action = rng.choice(ACTIONS)
            at = start_today - timedelta(seconds=rng.randrange(1, 60 * 86_400))
            batch.append(_event(action, rng.randrange(1, top + 1), at, rng.choice(stations),
                                rng.choice(users), _after(action, rng)))  # fmt: skip
            flush()
        span = max((now - start_today).total_seconds(), 60.0)
        # pack_progress: one row per packed order (older ones over the 60 days, today's).
        packed_before = min(history // len(ACTIONS), max(top - today_orders, 0))
        chosen = rng.sample(range(1, top + 1), min(top, packed_before + today_orders))
        progress: list[dict[str, Any]] = []
        for n, order_id in enumerate(chosen):
            station, user = rng.choice(stations), rng.choice(users)
            if n < packed_before:
                at = start_today - timedelta(seconds=rng.randrange(1, 60 * 86_400))
            else:
                at = start_today + timedelta(seconds=rng.uniform(0, span - 1))
                for action in ACTIONS:
                    batch.append(_event(action, order_id, at, station, user, _after(action, rng)))
                flush()
            progress.append({"order_id": order_id, "current_seq": 1, "started_at": at,
                             "completed_at": at, "completed_by_id": user, "station_id": station,
                             "awaiting_line_id": None})  # fmt: skip
            if len(progress) >= 20_000:
                session.execute(insert(PackProgress), progress)
                progress = []
        if progress:
            session.execute(insert(PackProgress), progress)
        flush(force=True)
        lines = list(session.scalars(select(OrderLine.id).order_by(func.random()).limit(200)))
        for line_id in lines[:100]:
            session.add(LineShortage(order_line_id=line_id, stage="pick", qty=1, created_at=now))
        for order_id in rng.sample(range(1, top + 1), 50):
            session.add(PrintJob(id=str(uuid.uuid4()), document="label", format="zpl",
                                 printer_url="tcp://10.0.0.9:9100", payload=b"^XA^XZ",
                                 status="failed", order_id=order_id, created_at=now))  # fmt: skip
    return written


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return round(statistics.median(times), 1), round(p90, 1)


def run(backend: str, url: str, repeat: int, history: int, today_orders: int) -> dict[str, Any]:
    database = Database(url)
    ctx = ServiceContext(database, system_actor())
    try:
        events = add_activity(database, history, today_orders)
        with database.write_session() as session, session.begin():
            orders = session.scalar(select(func.count()).select_from(Order))
        if backend == "postgresql":
            with database.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
        result: dict[str, Any] = {"bench": "dashboard", "backend": backend, "orders": orders,
                                  "audit_events": events}  # fmt: skip
        snapshot = dashboard(ctx)
        result["packed_today"] = snapshot.packed_today.count
        result["refresh_ms"], result["refresh_p90_ms"] = _timed(lambda: dashboard(ctx), repeat)
        now = datetime.now().astimezone()
        today = q.Today.at(now, now.utcoffset() or timedelta(0))
        parts: dict[str, Callable[[Any], Any]] = {
            "status_counts": q.status_counts,
            "backlog": lambda s: q.backlog_counts(s, today),
            "work_today": lambda s: q.work_today(s, today),
            "exceptions": lambda s: q.exception_orders(s, today),
        }
        for name, part in parts.items():

            def once(part: Callable[[Any], Any] = part) -> None:
                with database.read_session() as session, session.begin():
                    part(session)

            result[f"{name}_ms"], _p90 = _timed(once, repeat)
        return result
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--url")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--history-events", type=int, default=2_000_000)
    parser.add_argument("--today-orders", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    url, cleanup = _prepare(args.backend, args.orders, args.url, args.keep)
    try:
        result = run(args.backend, url, args.repeat, args.history_events, args.today_orders)
    finally:
        cleanup()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
