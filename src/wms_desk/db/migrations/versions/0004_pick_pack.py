"""pick and pack: cartons, package contents and weights, captures, shortages, progress, leases

Revision ID: 0004
Revises: 0003
Cartons (inner dimensions, maximum weight, tare, barcode); what each package holds, its expected
weight and how its weight was taken; serial/lot numbers captured while packing; shortages found
while picking or allowed at packing; where a pick or pack stands (for crash resume); per-station
scan rules; a lease on pick batches like the one on orders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.models.base import JsonDoc, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_GRAMS = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    op.create_table(
        "cartons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("max_weight_g", _GRAMS, nullable=False),
        sa.Column("tare_g", _GRAMS, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0",
            name=op.f("ck_cartons_dimensions_positive"),
        ),
        sa.CheckConstraint(
            "max_weight_g > 0 AND tare_g >= 0", name=op.f("ck_cartons_weights_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cartons")),
        sa.UniqueConstraint("barcode", name=op.f("uq_cartons_barcode")),
        sa.UniqueConstraint("code", name=op.f("uq_cartons_code")),
    )
    op.create_table(
        "station_rules",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("rules", JsonDoc(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_rules_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_rules")),
    )
    op.create_table(
        "pick_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("bin_line_id", sa.Integer(), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("tote_line_id", sa.Integer(), nullable=True),
        sa.Column("tote_bin_id", sa.Integer(), nullable=True),
        sa.Column("skipped", JsonDoc(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["pick_batches.id"],
            name=op.f("fk_pick_progress_batch_id_pick_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_pick_progress_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_progress")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_pick_progress_batch_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_pick_progress_order_id")),
    )
    op.create_table(
        "line_shortages",
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_line_shortages_qty_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_line_shortages_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_line_shortages_user_id_users")
        ),
        sa.PrimaryKeyConstraint("order_line_id", "stage", name=op.f("pk_line_shortages")),
    )
    op.create_table(
        "pack_captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_pack_captures_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_pack_captures_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_captures")),
        sa.UniqueConstraint(
            "order_line_id",
            "kind",
            "value",
            name=op.f("uq_pack_captures_order_line_id_kind_value"),
        ),
    )
    op.create_index(
        op.f("ix_pack_captures_order_line_id"), "pack_captures", ["order_line_id"], unique=False
    )
    op.create_table(
        "pack_progress",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("current_seq", sa.Integer(), nullable=False),
        sa.Column("awaiting_line_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["awaiting_line_id"],
            ["order_lines.id"],
            name=op.f("fk_pack_progress_awaiting_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_pack_progress_completed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_pack_progress_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_pack_progress")),
    )
    op.create_table(
        "package_items",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_package_items_qty_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_package_items_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_items_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("package_id", "order_line_id", name=op.f("pk_package_items")),
    )
    op.create_index(
        op.f("ix_package_items_order_line_id"), "package_items", ["order_line_id"], unique=False
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carton_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expected_weight_g", _GRAMS, nullable=True))
        batch_op.add_column(
            sa.Column("weight_source", sa.String(length=8), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("weight_check", sa.String(length=8), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("weight_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("weighed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_item_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_packages_carton_id_cartons"), "cartons", ["carton_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_packages_weight_approved_by_id_users"),
            "users",
            ["weight_approved_by_id"],
            ["id"],
        )
    with op.batch_alter_table("pick_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by_station_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_pick_batches_claimed_by_station_id_stations"),
            "stations",
            ["claimed_by_station_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_pick_batches_claimed_by_user_id_users"),
            "users",
            ["claimed_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("pick_batches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_pick_batches_claimed_by_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_pick_batches_claimed_by_station_id_stations"), type_="foreignkey"
        )
        for column in ("lease_until", "claimed_at", "claimed_by_user_id", "claimed_by_station_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_packages_weight_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_packages_carton_id_cartons"), type_="foreignkey")
        for column in (
            "last_item_at",
            "weighed_at",
            "weight_approved_by_id",
            "weight_check",
            "weight_source",
            "expected_weight_g",
            "carton_id",
        ):
            batch_op.drop_column(column)
    op.drop_index(op.f("ix_package_items_order_line_id"), table_name="package_items")
    op.drop_table("package_items")
    op.drop_table("pack_progress")
    op.drop_index(op.f("ix_pack_captures_order_line_id"), table_name="pack_captures")
    op.drop_table("pack_captures")
    op.drop_table("line_shortages")
    op.drop_table("pick_progress")
    op.drop_table("station_rules")
    op.drop_table("cartons")
