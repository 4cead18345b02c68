"""Shipping benchmark: one JSON line; rate shop + buy + print queued with the rate-card carrier.

Usage:  python bench/ship.py [--orders 40] [--backend sqlite|postgresql]

Every figure twice: zpl_* with a ZPL label printer bound, pdf_* with a PDF one.

- complete_ms_per_package: pack COMPLETE with "buy at COMPLETE" on (stock move to the dock,
  status, rate shop over every service, buy with the database counter, label PDF rendered,
  stored, print job queued, one commit), per package, p50 and p99 over --orders one-box orders,
  after one warm-up order (as bench/queue_paging.py and bench/dashboard.py time theirs).
- complete_first_ms: that warm-up order's COMPLETE, the first in the process: it also pays for
  SQLAlchemy compiling its statements and the server connection's first use of the tables
  (a station pays it once a start, on its first COMPLETE).
- complete_without_buying_ms_p50: the same COMPLETE with the setting off (provisional labels):
  what the pack back end costs on its own.
- ship_ms_per_package: `ship_order` alone on packed two-box orders (the Ship screen / CLI
  path), per package, p50 and p99.
- rate_ms: `rate_order` (read only) p50.
Scratch databases are removed afterwards. Goal: under 20 ms per package.
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
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.services import packdata
from tests.services.packdata import Item
from tests.services.shipdata import import_nordpost, packed_order

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine, sqlite_url
from wms_desk.db.models import Order
from wms_desk.domain.roles import Role
from wms_desk.services import packing, users
from wms_desk.services.context import Actor, ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.shipping.labels import set_buy_at_complete, ship_order
from wms_desk.services.shipping.rating import rate_order
from wms_desk.services.station_bindings import PrinterBinding, StationBindings
from wms_desk.services.stations import ensure_station

PG_ADMIN = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Its own name per run: two runs at once (the machine is shared) must not drop each other's.
PG_DB = f"wms_bench_ship_{uuid.uuid4().hex[:6]}"
MUG = Item("SKU-MUG", "4006381333931", Decimal(350))


def _pg(action: str) -> str:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        if action == "create":
            c.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=PG_DB).render_as_string(hide_password=False)


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def run(orders: int, url: str, folder: Path, fmt: str) -> dict[str, object]:
    engine = create_db_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    database = Database(url)
    station = ensure_station(database, "bench-ship")
    system = ServiceContext(database, system_actor(station.id, station.name))
    info = users.add_user(system, "bench-packer", Role.PACKER.value, "secret-pw")
    printer = PrinterBinding((folder / "labels").as_uri(), fmt)
    packer = replace(
        system.as_actor(
            Actor(info.id, info.username, info.display_name, Role.PACKER, station.id, station.name)
        ),
        bindings=StationBindings(label_printer=printer),
    )
    packdata.add_items(database, MUG)
    packdata.add_cartons(database)
    import_nordpost(system)
    set_buy_at_complete(system, True)

    # The station loads the label renderers and their fonts on a worker while the first person
    # signs in (app.station.warm_up); the bench does the same, so no sample pays for imports.
    from wms_desk.app.station import warm_up

    warm_up()
    complete: list[float] = []
    alone: list[float] = []
    first: list[float] = []
    for n in range(-1, orders * 2):
        if n == orders:
            set_buy_at_complete(system, False)  # the same COMPLETE with provisional labels
        number = f"B{n:05d}" if n >= 0 else "W00000"  # -1: the warm-up order
        oid = packdata.order(database, number, [("SKU-MUG", 1)])
        with database.write_session() as s, s.begin():
            order = s.get(Order, oid)
            order.ship_country, order.ship_postal_code = "SE", "11122"
        packing.open_order(packer, f"ORD:{number}")
        box = packing.verify_scan(packer, oid, MUG.code, str(uuid.uuid4())).session.packages[0]
        packing.record_weight(packer, oid, box.expected_weight_g, str(uuid.uuid4()))
        start = time.perf_counter()
        done = packing.complete(packer, oid, str(uuid.uuid4()))
        (first if n < 0 else complete if n < orders else alone).append(
            (time.perf_counter() - start) * 1000
        )
        assert n >= orders or "label bought" in done.message, done.message

    ship: list[float] = []
    rate: list[float] = []
    for n in range(orders):
        oid = packed_order(database, f"S{n:05d}", (900, 1400))
        start = time.perf_counter()
        rate_order(packer, f"S{n:05d}")
        rate.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        result = ship_order(packer, oid)
        ship.append((time.perf_counter() - start) * 1000 / len(result.labels))
    database.dispose()
    return {
        "complete_ms_per_package_p50": _p(complete, 0.5),
        "complete_ms_per_package_p99": _p(complete, 0.99),
        "complete_first_ms": round(first[0], 2),
        "complete_without_buying_ms_p50": _p(alone, 0.5),
        "ship_ms_per_package_p50": _p(ship, 0.5),
        "ship_ms_per_package_p99": _p(ship, 0.99),
        "ship_ms_per_package_mean": round(statistics.fmean(ship), 2),
        "rate_ms_p50": _p(rate, 0.5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    for fmt in ("zpl", "pdf"):  # a label printer takes ZPL; PDF goes through a driver
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            if args.backend == "postgresql":
                url = _pg("create")
                try:
                    result = run(args.orders, url, folder, fmt)
                finally:
                    _pg("drop")
            else:
                result = run(args.orders, sqlite_url(folder / "bench.sqlite3"), folder, fmt)
        figures.update({f"{fmt}_{key}": value for key, value in result.items()})
    print(json.dumps({"bench": "ship", "backend": args.backend, "orders": args.orders, **figures}))


if __name__ == "__main__":
    main()
