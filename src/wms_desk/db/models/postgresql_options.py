"""The models' PostgreSQL-only index options, added when a PostgreSQL engine is made.

A `postgresql_*` keyword on an Index makes SQLAlchemy import its whole PostgreSQL dialect at
once, to check the keyword: a sixth of SQLAlchemy's import time, paid by every station while
it starts, SQLite ones included, for options that only DDL and the migrations' model check read.
Added here instead, the models say the same to a PostgreSQL engine and cost an SQLite station
nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, text

# (table, index) -> the options, exactly as the migrations create those indexes.
INDEX_OPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("orders", "ix_orders_customer_name"): {
        "postgresql_using": "gin",
        "postgresql_ops": {"customer_name": "gin_trgm_ops"},
    },
    ("purchase_intents", "uq_purchase_intents_open"): {
        "postgresql_where": text("status = 'open'"),
    },
}


def add_postgresql_options(metadata: MetaData) -> None:
    """Give the models' indexes their PostgreSQL options (again: harmless)."""
    for (table_name, index_name), options in INDEX_OPTIONS.items():
        table = metadata.tables[table_name]
        index = next(i for i in table.indexes if i.name == index_name)
        for key, value in options.items():
            index.dialect_kwargs[key] = value
