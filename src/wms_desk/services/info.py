"""What `db info` and the status bar tell about a database: where, which revision, how much data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select

from wms_desk.db import schema
from wms_desk.db.models import Bin, Order, PrintJob, Product, Station, StockMove, User
from wms_desk.services.database import Database

COUNTED = {
    "products": Product,
    "bins": Bin,
    "orders": Order,
    "users": User,
    "stations": Station,
    "moves": StockMove,
    "prints": PrintJob,
}


def database_info(database: Database) -> dict[str, Any]:
    """URL (password hidden), revision found and needed, and row counts once a schema exists."""
    database.ping()
    found = schema.current_revision(database.engine)
    counts: dict[str, int] = {}
    if found is not None:
        present = set(inspect(database.engine).get_table_names())
        with database.read_session() as session:
            for label, model in COUNTED.items():
                if model.__tablename__ in present:
                    counts[label] = session.scalar(select(func.count()).select_from(model)) or 0
    return {
        "url": database.display_url,
        "mode": database.mode,
        "revision": found,
        "needed": schema.head_revision(),
        "counts": counts,
    }
