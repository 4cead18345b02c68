"""online carriers: account settings, purchase intents, the carrier's own manifest form

Revision ID: 0009
Revises: 0008
Carrier accounts gain their connection settings (an EasyPost account's API base, timeout and
retries; the key stays in an environment variable or a key file). A purchase intent records the
carrier's shipment id before an online label is bought, so a retry buys that shipment again
(which the carrier sells once) instead of a second one. Manifests keep the carrier's own form
(EasyPost's SCAN form) beside ours.
The built-in `manual` account is made when the first label made elsewhere is recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.models.base import JsonDoc, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: no batch rebuild of tables others refer to.
    op.add_column(
        "carrier_accounts", sa.Column("settings", JsonDoc(), nullable=False, server_default="{}")
    )
    op.add_column("shipping_manifests", sa.Column("carrier_document", sa.LargeBinary()))
    op.create_table(
        "purchase_intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("package_seq", sa.Integer(), nullable=False),
        sa.Column("shipment_ref", sa.String(length=100), nullable=False),
        sa.Column("rate_ref", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'bought', 'abandoned')", name=op.f("ck_purchase_intents_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_purchase_intents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_purchase_intents_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_intents")),
        sa.UniqueConstraint("shipment_ref", name=op.f("uq_purchase_intents_shipment_ref")),
    )
    op.create_index(
        op.f("ix_purchase_intents_order_id"), "purchase_intents", ["order_id"], unique=False
    )
    op.create_index(
        "uq_purchase_intents_open",
        "purchase_intents",
        ["order_id", "package_seq"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_purchase_intents_open", table_name="purchase_intents")
    op.drop_index(op.f("ix_purchase_intents_order_id"), table_name="purchase_intents")
    op.drop_table("purchase_intents")
    with op.batch_alter_table("shipping_manifests") as batch_op:
        batch_op.drop_column("carrier_document")
    with op.batch_alter_table("carrier_accounts") as batch_op:
        batch_op.drop_column("settings")
