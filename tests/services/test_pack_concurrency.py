"""Many stations claim and pack at once: every order packed exactly once, no lease lost, stock
never negative and the ledger equal to the cache. PostgreSQL with 16 threads, SQLite with 4
processes. Scaled down here (2 shared cores): 120 orders on PostgreSQL, 80 on SQLite; the
bench (bench/pack_flow.py) runs the full 2,000."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from tests.services import pack_load
from wms_desk.services.database import Database

PG_ORDERS, PG_STATIONS = 120, 16
SQLITE_ORDERS, SQLITE_PROCESSES = 80, 4


def _check(database: Database, orders: int, results: list[pack_load.WorkerResult]) -> None:
    errors = [e for r in results for e in r.errors]
    assert errors == []
    packed = [oid for r in results for oid in r.packed]
    assert len(packed) == len(set(packed)) == orders
    totals = pack_load.totals(database)
    assert totals.packed == totals.orders == orders
    assert totals.completions == orders
    assert totals.min_on_hand >= 0 and totals.mismatches == 0


def test_sixteen_postgresql_stations_pack_every_order_exactly_once(pg_db_url: str) -> None:
    database = Database(pg_db_url)
    try:
        codes = pack_load.seed(database, PG_ORDERS)
        actors = [pack_load.station_actor(database, n) for n in range(PG_STATIONS)]
        with ThreadPoolExecutor(PG_STATIONS) as pool:
            results = list(
                pool.map(lambda a: pack_load.pack_until_done(pg_db_url, a, codes), actors)
            )
        assert sum(1 for r in results if r.packed) > 1  # the work really was shared
        _check(database, PG_ORDERS, results)
    finally:
        database.dispose()


def test_four_sqlite_processes_pack_every_order_exactly_once(sqlite_db_url: str) -> None:
    database = Database(sqlite_db_url)
    try:
        codes = pack_load.seed(database, SQLITE_ORDERS)
        actors = [pack_load.station_actor(database, n) for n in range(SQLITE_PROCESSES)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(SQLITE_PROCESSES, mp_context=context) as pool:
            futures = [
                pool.submit(pack_load.pack_until_done, sqlite_db_url, a, codes) for a in actors
            ]
            results = [f.result() for f in futures]
        _check(database, SQLITE_ORDERS, results)
    finally:
        database.dispose()
