"""Bulk-seed a migrated database with N orders (executemany on SQLite, COPY on PostgreSQL).

Usage: python bench/seed_million.py URL [--orders 1000000]
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
from typing import Any

from sqlalchemy import text

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine


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
    "shipped_at"
)
LINE_COLUMNS = _words(
    "order_id line_no external_line_id sku product_id name qty unit_price pickable "
    "picked_qty packed_qty"
)


def _orders(n: int, now: datetime, rng: random.Random, products: int) -> Iterator[tuple[Any, ...]]:
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    start = now - timedelta(days=720)
    step = timedelta(days=720) / n
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
            ship_by if status == "shipped" else None,
        )


def _lines(order_id: int, rng: random.Random, products: int) -> list[tuple[Any, ...]]:
    count = 1 if rng.random() < 0.6 else rng.randint(2, 4)
    out = []
    for line_no in range(1, count + 1):
        p = rng.randint(1, products)
        out.append(
            (
                order_id,
                line_no,
                "",
                f"SKU-{p:05d}",
                p,
                f"Product {p}",
                rng.randint(1, 3),
                9.99,
                True,
                0,
                0,
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


def _secondary_indexes(conn: Any, dialect: str) -> list[tuple[str, str]]:
    tables = ("orders", "order_lines", "order_tags")
    if dialect == "sqlite":
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                "AND tbl_name IN ('orders','order_lines','order_tags')"
            )
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c "
                "ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.tablename = ANY(:t) AND NOT x.indisprimary AND NOT x.indisunique"
            ),
            {"t": list(tables)},
        ).all()
    return [(r[0], r[1]) for r in rows]


def seed(url: str, orders: int, seed_value: int = 7, products: int = 5000) -> dict[str, Any]:
    started = time.perf_counter()
    engine = create_db_engine(url)
    schema.upgrade(engine)
    dialect = engine.dialect.name
    now = datetime.now(UTC).replace(tzinfo=None)
    rng = random.Random(seed_value)
    with engine.begin() as conn:
        _reference_rows(conn, products, now)
        indexes = _secondary_indexes(conn, dialect)
        for name, _sql in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        tags: list[tuple[int, str]] = []
        if dialect == "sqlite":
            driver.execute("PRAGMA synchronous=OFF")
            cur = driver.cursor()
            cur.execute("BEGIN")
            o_sql = (
                f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(ORDER_COLUMNS))})"
            )
            l_sql = (
                f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(LINE_COLUMNS))})"
            )
            batch: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            for row in _orders(orders, now, rng, products):
                row = tuple(
                    v.isoformat(" ", "microseconds") if isinstance(v, datetime) else v for v in row
                )
                batch.append(row)
                lines.extend(_lines(row[0], rng, products))
                if rng.random() < 0.08:
                    tags.append((row[0], rng.choice(TAGS)))
                if len(batch) >= 50_000:
                    cur.executemany(o_sql, batch)
                    cur.executemany(l_sql, lines)
                    batch, lines = [], []
            cur.executemany(o_sql, batch)
            cur.executemany(l_sql, lines)
            cur.executemany("INSERT INTO order_tags (order_id, tag) VALUES (?, ?)", tags)
            cur.execute("COMMIT")
        else:
            with driver.cursor() as cur:
                with cur.copy(f"COPY orders ({', '.join(ORDER_COLUMNS)}) FROM STDIN") as copy:
                    all_lines: list[tuple[Any, ...]] = []
                    for row in _orders(orders, now, rng, products):
                        copy.write_row(row)
                        all_lines.extend(_lines(row[0], rng, products))
                        if rng.random() < 0.08:
                            tags.append((row[0], rng.choice(TAGS)))
                with cur.copy(f"COPY order_lines ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
                    for line in all_lines:
                        copy.write_row(line)
                with cur.copy("COPY order_tags (order_id, tag) FROM STDIN") as copy:
                    for tag in tags:
                        copy.write_row(tag)
                for table in ("orders", "order_lines"):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            driver.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for _name, sql in indexes:
            conn.execute(text(sql))
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return {"orders": orders, "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    print(json.dumps(seed(args.url, args.orders)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
