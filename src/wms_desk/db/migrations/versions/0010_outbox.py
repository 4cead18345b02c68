"""outbox: durable messages to the outside world (customer e-mails, channel fulfilments)

Revision ID: 0010
Revises: 0009
One generic table: a message is written with the business change that causes it (its `key` is
UNIQUE, so the same intent enqueued twice is one row) and delivered by a worker after commit.
Shipment labels keep the carrier's tracking link, for the shipment e-mail and its resends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WHEN = wms_desk.db.models.base.UTCDateTime


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild of a table others refer to); '' for labels bought before.
    op.add_column(
        "shipment_labels",
        sa.Column("tracking_url", sa.String(length=500), nullable=False, server_default=""),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("next_attempt_at", _WHEN(), nullable=False),
        sa.Column("lease_until", _WHEN(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("handed_over_at", _WHEN(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN(), nullable=False),
        sa.Column("sent_at", _WHEN(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('email', 'channel_fulfilment')", name=op.f("ck_outbox_messages_kind")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'cancelled')",
            name=op.f("ck_outbox_messages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_outbox_messages_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_outbox_messages_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_outbox_messages_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_messages_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_outbox_messages_order_id", ["order_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_messages_status_next", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("outbox_messages")
    with op.batch_alter_table("shipment_labels", schema=None) as batch_op:
        batch_op.drop_column("tracking_url")
