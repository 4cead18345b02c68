"""shipping: carrier accounts, tracking counters, shipping rules, shipments, labels, manifests

Revision ID: 0006
Revises: 0005
Products get a customs description (HS code and origin exist already). Carrier accounts (a
rate card's TOML text or where an API key is), a counter per tracking range, service-selection
rules per scope, shipments with one label per package (the carrier's bytes), and end-of-day
manifests a shipment belongs to at most once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.models.base import JsonDoc, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "customs_description", sa.String(length=200), server_default="", nullable=False
            )
        )
    op.create_table(
        "carrier_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rate_card", sa.Text(), nullable=False),
        sa.Column("key_source", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('rate_card', 'easypost', 'manual')", name=op.f("ck_carrier_accounts_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_carrier_accounts_code")),
    )
    op.create_table(
        "tracking_counters",
        sa.Column("card_code", sa.String(length=64), nullable=False),
        sa.Column("next_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("card_code", name=op.f("pk_tracking_counters")),
    )
    op.create_table(
        "shipping_manifests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("package_count", sa.Integer(), nullable=False),
        sa.Column("total_weight_g", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_shipping_manifests_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_manifests")),
        sa.UniqueConstraint("reference", name=op.f("uq_shipping_manifests_reference")),
    )
    with op.batch_alter_table("shipping_manifests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipping_manifests_carrier_date", ["carrier", "ship_date"], unique=False
        )

    op.create_table(
        "shipping_rules",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("rules", JsonDoc(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_shipping_rules_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_shipping_rules")),
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=100), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("master_tracking", sa.String(length=64), nullable=False),
        sa.Column("shipment_ref", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("bought_at", UTCDateTime(), nullable=False),
        sa.Column("bought_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", UTCDateTime(), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=200), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('bought', 'voided')", name=op.f("ck_shipments_status")),
        sa.ForeignKeyConstraint(
            ["bought_by_id"], ["users.id"], name=op.f("fk_shipments_bought_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["shipping_manifests.id"],
            name=op.f("fk_shipments_manifest_id_shipping_manifests"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_shipments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"], ["users.id"], name=op.f("fk_shipments_voided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipments_carrier_date_status", ["carrier", "ship_date", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shipments_manifest_id"), ["manifest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipment_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("tracking", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("weight_g", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("print_job_id", sa.String(length=36), nullable=True),
        sa.Column("handed_over_at", UTCDateTime(), nullable=True),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"],
            ["users.id"],
            name=op.f("fk_shipment_labels_handed_over_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_shipment_labels_package_id_packages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_labels_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_labels")),
        sa.UniqueConstraint("tracking", name=op.f("uq_shipment_labels_tracking")),
    )
    with op.batch_alter_table("shipment_labels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_labels_shipment_id"), ["shipment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("customs_description")
    with op.batch_alter_table("shipment_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_labels_shipment_id"))

    op.drop_table("shipment_labels")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))
        batch_op.drop_index(batch_op.f("ix_shipments_manifest_id"))
        batch_op.drop_index("ix_shipments_carrier_date_status")

    op.drop_table("shipments")
    op.drop_table("shipping_rules")
    with op.batch_alter_table("shipping_manifests", schema=None) as batch_op:
        batch_op.drop_index("ix_shipping_manifests_carrier_date")

    op.drop_table("shipping_manifests")
    op.drop_table("tracking_counters")
    op.drop_table("carrier_accounts")
