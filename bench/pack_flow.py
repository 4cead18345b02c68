"""Pick/pack benchmark: one JSON line of claim throughput and verify_scan round trips.

Usage:
  python bench/pack_flow.py [--claim-orders 2000] [--stations 16] [--lines 200]
                            [--pack-orders 0]

- claims_per_s: 16 threads acting as stations (own engine each, like separate stations) claim
  pack work with `claim_next` on PostgreSQL until --claim-orders seeded orders are all taken.
- verify_scan_{sqlite,postgresql}_ms: p50/p99 of the service round trip of `verify_scan`
  (judge, commit, fresh snapshot) over one order of --lines lines, one scan per line.
- --pack-orders N also runs the whole flow (claim, scan every unit, weigh, COMPLETE) with
  --stations threads on PostgreSQL and reports orders/s and the invariants.
Scratch databases (a /tmp file, PostgreSQL database wms_bench_pack) are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.services import pack_load

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine, sqlite_url
from wms_desk.db.models import (
    Bin,
    BinStock,
    Channel,
    Order,
    OrderLine,
    Product,
    ProductBarcode,
    StockMove,
)
from wms_desk.domain.station_rules import Operation
from wms_desk.services import packing
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database

PG_ADMIN = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "wms_bench_pack"


def _fresh_pg() -> str:
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
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    admin.dispose()


def claims_per_second(orders: int, stations: int) -> float:
    url = _fresh_pg()
    database = Database(url)
    try:
        pack_load.seed(database, orders)
        actors = [pack_load.station_actor(database, n) for n in range(stations)]
        started = time.perf_counter()
        with ThreadPoolExecutor(stations) as pool:
            done = sum(
                pool.map(lambda a: pack_load.run_claims(url, a, Operation.PACK, orders), actors)
            )
        elapsed = time.perf_counter() - started
        assert done == orders, (done, orders)
        return round(orders / elapsed, 1)
    finally:
        database.dispose()
        _drop_pg()


def _big_order(database: Database, lines: int) -> tuple[int, list[str]]:
    with database.write_session() as session, session.begin():
        channel = Channel(name="Bench", kind="csv", settings={})
        stage = Bin(code="STAGE", zone="TOTE", pick_sequence=0, active=False)
        session.add_all([channel, stage])
        session.flush()
        codes, pids = [], []
        for n in range(lines):
            product = Product(sku=f"B-{n}", name=f"Bench item {n}", unit_weight_g=Decimal(100))
            code = pack_load.code_of(1000 + n)
            product.barcodes.append(ProductBarcode(code=code, quantity=1))
            session.add(product)
            codes.append(code)
        session.flush()
        pids = list(session.scalars(select(Product.id).order_by(Product.id)))
        order = Order(channel_id=channel.id, external_id="B", number="BIG-200", status="picked")
        session.add(order)
        session.flush()
        session.execute(
            insert(OrderLine),
            [
                {
                    "order_id": order.id,
                    "line_no": i + 1,
                    "sku": f"B-{i}",
                    "product_id": pid,
                    "name": "x",
                    "qty": 1,
                    "picked_qty": 1,
                }
                for i, pid in enumerate(pids)
            ],
        )
        session.execute(
            insert(StockMove),
            [{"product_id": p, "to_bin_id": stage.id, "qty": 1, "reason": "pick"} for p in pids],
        )
        session.execute(
            insert(BinStock),
            [{"bin_id": stage.id, "product_id": p, "on_hand": 1, "reserved": 0} for p in pids],
        )
        return order.id, codes


def verify_scan_ms(url: str, lines: int) -> dict[str, float]:
    database = Database(url)
    try:
        order_id, codes = _big_order(database, lines)
        ctx = ServiceContext(database, pack_load.station_actor(database, 0))
        packing.open_order(ctx, "BIG-200")
        times = []
        for code in codes:
            started = time.perf_counter()
            verdict = packing.verify_scan(ctx, order_id, code, str(uuid.uuid4()))
            times.append((time.perf_counter() - started) * 1000)
            assert verdict.outcome.value == "verified", verdict.message
        times.sort()
        return {
            "p50": round(statistics.median(times), 1),
            "p99": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        }
    finally:
        database.dispose()


def full_flow(orders: int, stations: int) -> dict[str, object]:
    url = _fresh_pg()
    database = Database(url)
    try:
        codes = pack_load.seed(database, orders)
        actors = [pack_load.station_actor(database, n) for n in range(stations)]
        started = time.perf_counter()
        with ThreadPoolExecutor(stations) as pool:
            results = list(pool.map(lambda a: pack_load.pack_until_done(url, a, codes), actors))
        elapsed = time.perf_counter() - started
        totals = pack_load.totals(database)
        return {
            "orders": orders,
            "orders_per_s": round(orders / elapsed, 1),
            "errors": sum(len(r.errors) for r in results),
            "packed": totals.packed,
            "completions": totals.completions,
            "min_on_hand": totals.min_on_hand,
            "ledger_mismatches": totals.mismatches,
        }
    finally:
        database.dispose()
        _drop_pg()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim-orders", type=int, default=2000)
    parser.add_argument("--stations", type=int, default=16)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--pack-orders", type=int, default=0)
    args = parser.parse_args()
    figures: dict[str, object] = {
        "claims_per_s": claims_per_second(args.claim_orders, args.stations),
        "stations": args.stations,
        "claim_orders": args.claim_orders,
        "lines": args.lines,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        engine = create_db_engine(sqlite_url(path))
        schema.upgrade(engine)
        engine.dispose()
        figures["verify_scan_sqlite_ms"] = verify_scan_ms(sqlite_url(path), args.lines)
    url = _fresh_pg()
    try:
        figures["verify_scan_postgresql_ms"] = verify_scan_ms(url, args.lines)
    finally:
        _drop_pg()
    if args.pack_orders:
        figures["pack_flow"] = full_flow(args.pack_orders, args.stations)
    figures["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
