"""queue indexes, customer search and change notification

Revision ID: 0002
Revises: 0001
Indexes so the supervisor's queue pages, sorts and counts in SQL at a million orders:
one (status, sort column) index per sortable column, so each status is a short index range;
customer-name search (pg_trgm GIN on PostgreSQL, an FTS5 table on SQLite); a statement-level
NOTIFY trigger on PostgreSQL so other stations' queues refresh.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.queries import search

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NEW_INDEXES = (
    ("ix_orders_status_created_at", ["status", "created_at"]),
    ("ix_orders_status_number", ["status", "number"]),
    ("ix_orders_status_customer_name", ["status", "customer_name"]),
    ("ix_orders_status_priority_ship_by", ["status", "priority", "ship_by"]),
    ("ix_orders_assigned_station_id", ["assigned_station_id"]),
    ("ix_orders_assigned_user_id", ["assigned_user_id"]),
    ("ix_orders_ship_email", ["ship_email"]),
    ("ix_orders_updated_at", ["updated_at"]),
    ("ix_orders_requested_service", ["requested_service"]),
    # Covers every filter a status chip's count can have: counts read the index alone.
    (
        "ix_orders_status_counts",
        ["status", "channel_id", "requested_service", "priority", "ship_by"],
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    for name, columns in _NEW_INDEXES:
        op.create_index(name, "orders", columns, unique=False)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Substring search on names needs trigrams; a plain btree only helps prefixes.
        op.drop_index("ix_orders_customer_name", table_name="orders")
        op.create_index(
            "ix_orders_customer_name",
            "orders",
            ["customer_name"],
            postgresql_using="gin",
            postgresql_ops={"customer_name": "gin_trgm_ops"},
        )
        for statement in search.PG_CREATE:
            op.execute(statement)
    elif bind.dialect.name == "sqlite":
        for statement in search.SQLITE_CREATE:
            op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in search.PG_DROP:
            op.execute(statement)
        op.drop_index("ix_orders_customer_name", table_name="orders")
        op.create_index("ix_orders_customer_name", "orders", ["customer_name"])
    elif bind.dialect.name == "sqlite":
        for statement in search.SQLITE_DROP:
            op.execute(sa.text(statement))
    for name, _columns in reversed(_NEW_INDEXES):
        op.drop_index(name, table_name="orders")
