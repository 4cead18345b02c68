"""Import 20,000 orders from a generated Shopify export CSV; prints one JSON line of figures."""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

# `python bench/import.py` puts bench/ first on the path, where bench/queue.py would shadow the
# standard library's queue (psycopg needs it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from wms_desk.db import schema  # noqa: E402
from wms_desk.db.engine import create_db_engine, sqlite_url  # noqa: E402
from wms_desk.services.catalog_import import import_products, import_stock  # noqa: E402
from wms_desk.services.context import ServiceContext, system_actor  # noqa: E402
from wms_desk.services.database import Database  # noqa: E402
from wms_desk.services.imports import import_file  # noqa: E402

HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Shipping Name",
    "Shipping Address1",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Cancelled at",
    "Id",
    "Tags",
]
CITIES = [("Köln", "50667", "DE"), ("Leeds", "LS1 4AP", "GB"), ("Boston", "'02134", "US"),
          ("Lyon", "69001", "FR"), ("Porto", "4000-001", "PT")]  # fmt: skip


def generate(folder: Path, orders: int, products: int, seed: int) -> tuple[Path, Path, Path, int]:
    rng = random.Random(seed)
    skus = [f"SKU-{n:05d}" for n in range(products)]
    catalogue = folder / "products.csv"
    with catalogue.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["sku", "name", "barcodes", "weight_g"])
        writer.writerows([sku, f"Product {sku}", f"40{n:011d}", 100] for n, sku in enumerate(skus))
    stock = folder / "stock.csv"
    with stock.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["bin", "sku", "qty"])
        writer.writerows([f"A-{n // 50:02d}-{n % 50:02d}", sku, 60] for n, sku in enumerate(skus))
    source = folder / "orders.csv"
    lines = 0
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        for number in range(1, orders + 1):
            city, zip_code, country = rng.choice(CITIES)
            for index in range(rng.choice((1, 1, 1, 2, 2, 3))):
                row = dict.fromkeys(HEADER, "")
                row.update({"Name": f"#{100000 + number}", "Lineitem quantity": rng.randint(1, 3),
                            "Lineitem name": "Thing", "Lineitem price": "9.90",
                            "Lineitem sku": rng.choice(skus),
                            "Lineitem requires shipping": "true"})  # fmt: skip
                if index == 0:
                    row.update({"Email": f"c{number}@example.com", "Financial Status": "paid",
                                "Currency": "EUR", "Total": "19.80", "Shipping Method": "Standard",
                                "Created at": "2024-03-01 10:15:00 +0100",
                                "Shipping Name": f"Customer {number}",
                                "Shipping Address1": f"{number} Main Street",
                                "Shipping City": city, "Shipping Zip": zip_code,
                                "Shipping Country": country, "Id": str(9_000_000 + number),
                                "Tags": "bench"})  # fmt: skip
                writer.writerow(row)
                lines += 1
    return catalogue, stock, source, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db or sqlite_url(folder / "bench.sqlite3")
        engine = create_db_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        database = Database(url)
        ctx = ServiceContext(database, system_actor())
        catalogue, stock, source, lines = generate(folder, args.orders, args.products, args.seed)
        import_products(ctx, catalogue)
        import_stock(ctx, stock)
        started = time.perf_counter()
        result = import_file(ctx, source)
        seconds = time.perf_counter() - started
        again_started = time.perf_counter()
        again = import_file(ctx, source)
        again_seconds = time.perf_counter() - again_started
        database.dispose()
    figures = {
        "bench": "import",
        "backend": "sqlite" if url.startswith("sqlite") else "postgresql",
        "orders": args.orders,
        "lines": lines,
        "seconds": round(seconds, 2),
        "orders_per_second": round(args.orders / seconds),
        "created": result.created,
        "rejected": result.rejected,
        "reimport_seconds": round(again_seconds, 2),
        "reimport_unchanged": again.unchanged,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "goal_seconds": 20,
    }
    print(json.dumps(figures))
    return 0 if result.created == args.orders and seconds < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
