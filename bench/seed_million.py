"""Bulk-seed a migrated database with N orders (executemany on SQLite, COPY on PostgreSQL).

Usage: python bench/seed_million.py URL [--orders 1000000] [--days 720] [--no-history]
With history (the default) every order also gets what happened to it: picks in the ledger,
packing, a box, its label, scans, short picks and returns (bench/seed_history.py).
The schema is created with the real migrations; secondary indexes are dropped during the load and
rebuilt afterwards (how a bulk load is done), so the database ends up exactly as migrated.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_history


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Anna Ben Carla David Emma Felix Grace Hugo Iris Jonas Karin Liam Mona Nils Olga Paul Quinn "
    "Rosa Sven Tara Uwe Vera Walt Xena Yusuf Zoe Aiko Bruno Chloé Diego Élise Farid Greta Hanna "
    "Ivan Jana Kofi Lena Marco Nora Omar Petra Rafael Sara Tomás Ula Viktor Wen Ximena Yara Zeno"
)
LAST = _words(
    "Smith Müller García Rossi Dubois Nowak Jansen Silva Kowalski Novak Berg Larsen Fischer "
    "Weber Moreau Ricci Costa Santos Horvat Popescu Ivanova Kim Tanaka Chen Wang Patel Singh "
    "Okafor Mensah Haddad Nguyen Tran Cohen Levi Brown Wilson Taylor Clarke Walsh Murphy Byrne "
    "Lindqvist Virtanen Nielsen Hansen Olsen Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann"
)
SERVICES = ("Ground", "Priority", "Express", "Economy")
TAGS = ("gift", "vip", "fragile", "wholesale", "b2b")
# Most of a mature database has shipped; the open work is a few per cent.
STATUS_WEIGHTS = (
    ("shipped", 84.0),
    ("cancelled", 3.0),
    ("returned", 0.7),
    ("partly_returned", 0.3),
    ("new", 3.0),
    ("allocated", 3.5),
    ("backordered", 1.0),
    ("picking", 0.6),
    ("picked", 0.4),
    ("packing", 0.4),
    ("packed", 0.6),
    ("on_hold", 2.5),
)
ORDER_COLUMNS = _words(
    "id channel_id external_id number status held_from hold_reason version customer_name "
    "ship_name ship_company ship_street1 ship_street2 ship_street3 ship_city ship_region "
    "ship_postal_code ship_country ship_phone ship_email bill_to ordered_at ship_by priority "
    "requested_service currency subtotal shipping_total tax_total total is_gift gift_message "
    "notes assigned_station_id assigned_user_id batch_id source_hash created_at updated_at "
    "shipped_at picked_at"
)
LINE_COLUMNS = _words(
    "id order_id line_no external_line_id sku product_id name qty unit_price pickable "
    "picked_qty packed_qty"
)


def _orders(
    n: int, now: datetime, rng: random.Random, products: int, days: int = 720
) -> Iterator[tuple[Any, ...]]:
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    start = now - timedelta(days=days)
    step = timedelta(days=days) / n
    for i in range(1, n + 1):
        status = rng.choices(statuses, weights)[0]
        created = start + step * i
        if status in ("shipped", "cancelled", "returned", "partly_returned"):
            created -= timedelta(days=3)
            ship_by = created + timedelta(days=2)
        else:
            # Open orders are recent: some late, some due today, most later this week.
            created = now - timedelta(hours=rng.uniform(1, 96))
            ship_by = now + timedelta(hours=rng.uniform(-30, 120))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        station = (
            rng.randint(1, 6) if status in ("picking", "picked", "packing", "packed") else None
        )
        user = rng.randint(1, 8) if station else None
        total = round(rng.uniform(5, 400), 2)
        picked_at = (
            created + timedelta(hours=rng.uniform(0.5, 12))
            if status in seed_history.PICKED_OR_LATER
            else None
        )
        # Shipped a few hours to three days after picking: most by their ship-by, some late.
        shipped_at = (
            picked_at + timedelta(hours=rng.uniform(4, 60))
            if picked_at is not None and status in seed_history.SHIPPED_OR_LATER
            else None
        )
        yield (
            i,
            (i % 3) + 1,
            str(i),
            f"WMS-{i:07d}",
            status,
            "allocated" if status == "on_hold" else None,
            "Address check" if status == "on_hold" else None,
            1,
            name,
            name,
            "",
            f"{rng.randint(1, 200)} High Street",
            "",
            "",
            "Springfield",
            "",
            f"{rng.randint(10000, 99999)}",
            rng.choice(("US", "DE", "FR", "GB", "NL")),
            "",
            f"{first.lower()}.{last.lower()}{i % 97}@example.com",
            "{}",
            created,
            ship_by,
            rng.choice((0, 0, 0, 0, 0, 0, 1, 2, -1)),
            rng.choice(SERVICES),
            "USD",
            total,
            4.95,
            0,
            total + 4.95,
            False,
            "",
            "",
            station,
            user,
            None,
            "",
            created,
            created,
            shipped_at,
            picked_at,
        )


def _lines(
    order_id: int, rng: random.Random, products: int, first_id: int, status: str = "new"
) -> list[tuple[Any, ...]]:
    count = 1 if rng.random() < 0.6 else rng.randint(2, 4)
    out = []
    picked = status in seed_history.PICKED_OR_LATER
    packed = status in seed_history.PACKED_OR_LATER
    for line_no in range(1, count + 1):
        p = rng.randint(1, products)
        qty = rng.randint(1, 3)
        out.append(
            (
                first_id + line_no - 1,
                order_id,
                line_no,
                "",
                f"SKU-{p:05d}",
                p,
                f"Product {p}",
                qty,
                9.99,
                True,
                qty if picked else 0,
                qty if packed else 0,
            )
        )
    return out


def _reference_rows(conn: Any, products: int, now: datetime) -> None:
    conn.execute(
        text(
            "INSERT INTO channels (id, name, kind, settings, created_at) VALUES "
            "(1,'Shopify','shopify','{}',:t),(2,'WooCommerce','woocommerce','{}',:t),"
            "(3,'Wholesale CSV','csv','{}',:t)"
        ),
        {"t": now},
    )
    for i in range(1, 7):
        conn.execute(
            text(
                "INSERT INTO stations (id, name, description, bindings, active, "
                "created_at) VALUES (:i, :n, '', '{}', true, :t)"
            ),
            {"i": i, "n": f"PACK-{i:02d}", "t": now},
        )
    for i in range(1, 9):
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, active, "
                "created_at) VALUES (:i, :u, :d, 'packer', true, :t)"
            ),
            {"i": i, "u": f"packer{i}", "d": f"Packer {i}", "t": now},
        )
    conn.execute(
        text(
            "INSERT INTO products (id, sku, name, unit_weight_g, needs_serial, needs_lot, "
            "fragile, is_digital, active, created_at, updated_at) VALUES (:i, :s, :n, 250, "
            "false, false, false, false, true, :t, :t)"
        ),
        [
            {"i": p, "s": f"SKU-{p:05d}", "n": f"Product {p}", "t": now}
            for p in range(1, products + 1)
        ],
    )


HEAVY_TABLES = (
    "orders", "order_lines", "order_tags", "pack_progress", "packages", "shipments",
    "shipment_labels", "audit_events", "line_shortages", "rmas", "rma_lines", "refunds",
    "stock_moves", "bin_stock",
)  # fmt: skip
CHUNK = 50_000


def _secondary_indexes(conn: Any, dialect: str) -> list[tuple[str, str]]:
    if dialect == "sqlite":
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(repr(t) for t in HEAVY_TABLES)})"
            )
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c "
                "ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.tablename = ANY(:t) AND NOT x.indisprimary AND NOT x.indisunique"
            ),
            {"t": list(HEAVY_TABLES)},
        ).all()
    return [(r[0], r[1]) for r in rows]


def _rollup_triggers(conn: Any, dialect: str, enable: bool, saved: list[str]) -> list[str]:
    """Switch the report rollups' triggers (migrations 0012 and 0015) off for the load and on
    after: nothing is rolled up in a fresh database, and with the secondary indexes dropped
    their look-ups would scan whole tables for every row loaded."""
    if dialect == "sqlite":
        if enable:
            for sql in saved:
                conn.execute(text(sql))
            return saved
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name LIKE 'rollup%'")
        ).all()
        for name, _sql in rows:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        return [r[1] for r in rows]
    triggers = conn.execute(
        text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%report_rollup%'"
        )
    ).all()
    switch = "ENABLE" if enable else "DISABLE"
    for table, trigger in triggers:
        conn.execute(text(f"ALTER TABLE {table} {switch} TRIGGER {trigger}"))
    return saved


class _Writer:
    """Rows into a table: executemany on SQLite, COPY on PostgreSQL (one COPY per chunk)."""

    def __init__(self, dialect: str, driver: Any) -> None:
        self.dialect, self.driver = dialect, driver
        self.cursor = driver.cursor()
        self.counts: dict[str, int] = {}

    def write(self, table: str, columns: list[str] | tuple[str, ...], rows: list[Any]) -> None:
        if not rows:
            return
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            rows = [
                tuple(v.isoformat(" ", "microseconds") if isinstance(v, datetime) else v for v in r)
                for r in rows
            ]
            marks = ", ".join("?" * len(columns))
            self.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def seed(
    url: str,
    orders: int,
    seed_value: int = 7,
    products: int = 5000,
    days: int = 720,
    with_history: bool = True,
) -> dict[str, Any]:
    """N orders over `days` days; with_history adds what the reports read (seed_history.py)."""
    started = time.perf_counter()
    engine = create_db_engine(url)
    schema.upgrade(engine)
    dialect = engine.dialect.name
    now = datetime.now(UTC).replace(tzinfo=None)
    rng = random.Random(seed_value)
    state = seed_history.State(products)
    with engine.begin() as conn:
        _reference_rows(conn, products, now)
        indexes = _secondary_indexes(conn, dialect)
        for name, _sql in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        triggers = _rollup_triggers(conn, dialect, False, [])
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if dialect == "sqlite":
            driver.execute("PRAGMA synchronous=OFF")
            driver.execute("BEGIN")
        out = _Writer(dialect, driver)
        if with_history:
            for table, rows in seed_history.bins(state).items():
                out.write(table, seed_history.COLUMNS[table], rows)
        position = {name: i for i, name in enumerate(ORDER_COLUMNS)}
        generated = _orders(orders, now, rng, products, days)
        line_id = 1
        while True:
            chunk = [row for _, row in zip(range(CHUNK), generated, strict=False)]
            if not chunk:
                break
            lines: list[tuple[Any, ...]] = []
            tags: list[tuple[int, str]] = []
            more: dict[str, list[tuple[Any, ...]]] = {}
            for row in chunk:
                status = row[position["status"]]
                own = _lines(row[0], rng, products, line_id, status)
                line_id += len(own)
                lines.extend(own)
                if rng.random() < 0.08:
                    tags.append((row[0], rng.choice(TAGS)))
                if with_history:
                    facts = {
                        k: row[position[k]]
                        for k in ("id", "number", "status", "picked_at", "shipped_at")
                    }
                    for table, rows in seed_history.history(facts, own, rng, state).items():
                        more.setdefault(table, []).extend(rows)
            out.write("orders", ORDER_COLUMNS, chunk)
            out.write("order_lines", LINE_COLUMNS, lines)
            out.write("order_tags", ("order_id", "tag"), tags)
            for table in seed_history.TABLE_ORDER:
                out.write(table, seed_history.COLUMNS[table], more.get(table, []))
        if with_history:
            for table, rows in seed_history.stock(state, now, rng).items():
                out.write(table, seed_history.COLUMNS[table], rows)
        if dialect == "postgresql":
            for table in ("orders", "order_lines", "packages", "shipments", "shipment_labels",
                          "rmas", "rma_lines", "bins"):  # fmt: skip
                out.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            driver.commit()
        else:
            driver.execute("COMMIT")
    finally:
        raw.close()
    with engine.begin() as conn:
        for _name, sql in indexes:
            conn.execute(text(sql))
        _rollup_triggers(conn, dialect, True, triggers)
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return {
        "orders": orders,
        "rows": out.counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=720, help="history length (reports: 365)")
    parser.add_argument(
        "--no-history", action="store_true", help="orders and lines only (no picks, labels ...)"
    )
    args = parser.parse_args(argv)
    print(json.dumps(seed(args.url, args.orders, days=args.days, with_history=not args.no_history)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
