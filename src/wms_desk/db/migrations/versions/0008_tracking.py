"""tracking: shipment events, delivered dates and tracking status, supervisor alerts

Revision ID: 0008
Revises: 0007
One row per carrier scan of a label (`event_key` UNIQUE: replays are one row); shipments keep
their current tracking status and delivery time, orders their delivery time; a generic
`alerts` table for what a supervisor must acknowledge (`dedupe_key` UNIQUE).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, no batch rebuild: rebuilding `orders` or `shipments` on SQLite would
    # drop them first, and with foreign keys on that cascades into their lines and labels.
    op.add_column(
        "shipments",
        sa.Column("tracking_status", sa.String(length=24), server_default="", nullable=False),
    )
    op.add_column("shipments", sa.Column("delivered_at", UTCDateTime(), nullable=True))
    op.add_column("orders", sa.Column("delivered_at", UTCDateTime(), nullable=True))

    op.create_table(
        "shipment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("tracking", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("exception_kind", sa.String(length=24), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("where", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["shipment_labels.id"],
            name=op.f("fk_shipment_events_label_id_shipment_labels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_shipment_events_event_key")),
    )
    with op.batch_alter_table("shipment_events", schema=None) as batch_op:
        batch_op.create_index("ix_shipment_events_label_id_at", ["label_id", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipment_events_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=100), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_alerts_acknowledged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_alerts_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_alerts_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alerts_acknowledged_at_raised_at", ["acknowledged_at", "raised_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alerts_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("shipment_events")
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite >= 3.35), for the same reason.
    for table, column in (
        ("orders", "delivered_at"),
        ("shipments", "delivered_at"),
        ("shipments", "tracking_status"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
