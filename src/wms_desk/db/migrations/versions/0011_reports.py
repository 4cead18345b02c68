"""reports: when an order was picked, where it was packed, and the indexes the reports read by

Revision ID: 0011
Revises: 0010
`orders.picked_at` (set when the last unit is picked) and `pack_progress.station_id` (the
station that completed packing) were not recorded before; rows from before stay NULL and are left
out of the picked-to-packed time and the per-station figures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WHEN = wms_desk.db.models.base.UTCDateTime

# (name, table, columns): each names the range a report scans, so a year of history is read
# only for the days asked for.
INDEXES = (
    # Covering: fulfilment time and the returns cohort read these columns from the index alone,
    # never the wide order rows.
    (
        "ix_orders_shipped_at",
        "orders",
        ["shipped_at", "ordered_at", "created_at", "picked_at", "ship_by", "channel_id", "id"],
    ),
    # Covering: orders by status over a range of days.
    (
        "ix_orders_created_at_status",
        "orders",
        ["created_at", "status", "channel_id", "ship_by", "id"],
    ),
    # `id` last in each: PostgreSQL answers from the index alone only if the index has it.
    ("ix_orders_picked_at", "orders", ["picked_at", "channel_id", "id"]),
    # Covering: throughput counts per packer, station and hour from the index alone.
    (
        "ix_pack_progress_completed_at",
        "pack_progress",
        ["completed_at", "completed_by_id", "station_id", "order_id"],
    ),
    ("ix_audit_events_action_created_at", "audit_events", ["action", "created_at"]),
    ("ix_packages_weighed_at", "packages", ["weighed_at"]),
    ("ix_line_shortages_created_at", "line_shortages", ["created_at"]),
    # Covering: carrier spend sums price per carrier and service from the index alone.
    (
        "ix_shipments_bought_at",
        "shipments",
        ["bought_at", "status", "carrier", "service", "currency", "order_id", "price"],
    ),
    # Covering: units and lines per order without reading the wide line rows.
    ("ix_order_lines_order_id_qty", "order_lines", ["order_id", "qty", "packed_qty", "sku"]),
    ("ix_shipment_labels_shipment_id_seq", "shipment_labels", ["shipment_id", "seq"]),
    # Covering: demand (units picked per product over the range) from the index alone.
    (
        "ix_stock_moves_reason_created_at",
        "stock_moves",
        ["reason", "created_at", "product_id", "qty"],
    ),
    ("ix_rma_lines_rma_id", "rma_lines", ["rma_id"]),
    # Covering and in (bin, product) order: the stock report sums the whole ledger per bin
    # and product without sorting it.
    ("ix_stock_moves_to_bin", "stock_moves", ["to_bin_id", "product_id", "qty"]),
    ("ix_stock_moves_from_bin", "stock_moves", ["from_bin_id", "product_id", "qty"]),
)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild): rebuilding `orders` on SQLite would drop its search
    # triggers and cascade the DROP into order lines (see 0007).
    op.add_column("orders", sa.Column("picked_at", _WHEN(), nullable=True))
    # pack_progress has no triggers and nothing refers to it: a batch rebuild is safe there.
    with op.batch_alter_table("pack_progress") as batch:
        batch.add_column(sa.Column("station_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_pack_progress_station_id_stations", "stations", ["station_id"], ["id"]
        )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("pack_progress") as batch:
        batch.drop_constraint("fk_pack_progress_station_id_stations", type_="foreignkey")
        batch.drop_column("station_id")
    op.drop_column("orders", "picked_at")
