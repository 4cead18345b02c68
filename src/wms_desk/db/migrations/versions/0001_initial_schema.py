"""initial schema

Revision ID: 0001
Revises:
The whole first schema: catalogue, stock ledger, orders, people, audit, print queue.

Create Date: 2026-11-26 19:13:39.095325
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import wms_desk.db.models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )
    op.create_table(
        "bins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("zone", sa.String(length=16), nullable=False),
        sa.Column("pick_sequence", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bins")),
        sa.UniqueConstraint("code", name=op.f("uq_bins_code")),
    )
    with op.batch_alter_table("bins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bins_pick_sequence"), ["pick_sequence"], unique=False)
        batch_op.create_index(batch_op.f("ix_bins_zone"), ["zone"], unique=False)

    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_channels_name")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "csv_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csv_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_csv_profiles_name")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit_weight_g", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("width_mm", sa.Integer(), nullable=True),
        sa.Column("height_mm", sa.Integer(), nullable=True),
        sa.Column("image_path", sa.String(length=500), nullable=True),
        sa.Column("hs_code", sa.String(length=16), nullable=True),
        sa.Column("origin_country", sa.String(length=2), nullable=True),
        sa.Column("needs_serial", sa.Boolean(), nullable=False),
        sa.Column("needs_lot", sa.Boolean(), nullable=False),
        sa.Column("fragile", sa.Boolean(), nullable=False),
        sa.Column("is_digital", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "bindings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("name", name=op.f("uq_stations_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("badge_hash", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('packer', 'supervisor', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("badge_hash", name=op.f("uq_users_badge_hash")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_audit_events_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_events_event_id")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "bin_stock",
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_bin_stock_on_hand_not_negative")),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand",
            name=op.f("ck_bin_stock_reserved_within_on_hand"),
        ),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], name=op.f("fk_bin_stock_bin_id_bins")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_bin_stock_product_id_products")
        ),
        sa.PrimaryKeyConstraint("bin_id", "product_id", name=op.f("pk_bin_stock")),
    )
    with op.batch_alter_table("bin_stock", schema=None) as batch_op:
        batch_op.create_index("ix_bin_stock_product", ["product_id"], unique=False)

    op.create_table(
        "pick_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_pick_batches_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_batches")),
        sa.UniqueConstraint("name", name=op.f("uq_pick_batches_name")),
    )
    op.create_table(
        "product_barcodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_product_barcodes_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_barcodes_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_barcodes")),
        sa.UniqueConstraint("code", name=op.f("uq_product_barcodes_code")),
    )
    with op.batch_alter_table("product_barcodes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_barcodes_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "stock_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("from_bin_id", sa.Integer(), nullable=True),
        sa.Column("to_bin_id", sa.Integer(), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "from_bin_id IS NOT NULL OR to_bin_id IS NOT NULL",
            name=op.f("ck_stock_moves_has_a_bin"),
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_stock_moves_qty_positive")),
        sa.ForeignKeyConstraint(
            ["from_bin_id"], ["bins.id"], name=op.f("fk_stock_moves_from_bin_id_bins")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_stock_moves_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_stock_moves_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["to_bin_id"], ["bins.id"], name=op.f("fk_stock_moves_to_bin_id_bins")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stock_moves_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_moves_product_time", ["product_id", "created_at"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_from", sa.String(length=16), nullable=True),
        sa.Column("hold_reason", sa.String(length=200), nullable=True),
        sa.Column("attention", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("ship_name", sa.String(length=200), nullable=False),
        sa.Column("ship_company", sa.String(length=200), nullable=False),
        sa.Column("ship_street1", sa.String(length=200), nullable=False),
        sa.Column("ship_street2", sa.String(length=200), nullable=False),
        sa.Column("ship_street3", sa.String(length=200), nullable=False),
        sa.Column("ship_city", sa.String(length=100), nullable=False),
        sa.Column("ship_region", sa.String(length=100), nullable=False),
        sa.Column("ship_postal_code", sa.String(length=20), nullable=False),
        sa.Column("ship_country", sa.String(length=2), nullable=False),
        sa.Column("ship_phone", sa.String(length=40), nullable=False),
        sa.Column("ship_email", sa.String(length=200), nullable=False),
        sa.Column(
            "bill_to",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ordered_at", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.Column("ship_by", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("requested_service", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("shipping_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("is_gift", sa.Boolean(), nullable=False),
        sa.Column("gift_message", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("assigned_station_id", sa.Integer(), nullable=True),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by_station_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("lease_until", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("tote", sa.String(length=32), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("shipped_at", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'allocated', 'backordered', 'picking', 'picked', 'packing', 'packed', 'shipped', 'cancelled', 'on_hold', 'partly_returned', 'returned')",
            name=op.f("ck_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_station_id"],
            ["stations.id"],
            name=op.f("fk_orders_assigned_station_id_stations"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"], ["users.id"], name=op.f("fk_orders_assigned_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pick_batches.id"], name=op.f("fk_orders_batch_id_pick_batches")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_orders_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_station_id"],
            ["stations.id"],
            name=op.f("fk_orders_claimed_by_station_id_stations"),
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_user_id"], ["users.id"], name=op.f("fk_orders_claimed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "channel_id", "external_id", name=op.f("uq_orders_channel_id_external_id")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_orders_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_orders_customer_name", ["customer_name"], unique=False)
        batch_op.create_index("ix_orders_number", ["number"], unique=False)
        batch_op.create_index("ix_orders_ship_by", ["ship_by"], unique=False)
        batch_op.create_index("ix_orders_status_ship_by", ["status", "ship_by"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("external_line_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("pickable", sa.Boolean(), nullable=False),
        sa.Column("picked_qty", sa.Integer(), nullable=False),
        sa.Column("packed_qty", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "packed_qty >= 0 AND packed_qty <= qty", name=op.f("ck_order_lines_packed_within_qty")
        ),
        sa.CheckConstraint(
            "picked_qty >= 0 AND picked_qty <= qty", name=op.f("ck_order_lines_picked_within_qty")
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_order_lines_qty_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_order_lines_order_id_line_no")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_product_id"), ["product_id"], unique=False)
        batch_op.create_index("ix_order_lines_sku", ["sku"], unique=False)

    op.create_table(
        "order_tags",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_tags_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "tag", name=op.f("pk_order_tags")),
    )
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.create_index("ix_order_tags_tag", ["tag"], unique=False)

    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("carton", sa.String(length=32), nullable=False),
        sa.Column("weight_g", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_packages_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("order_id", "seq", name=op.f("uq_packages_order_id_seq")),
        sa.UniqueConstraint("sscc", name=op.f("uq_packages_sscc")),
    )
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("document", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("printer_url", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("reprint_of", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')",
            name=op.f("ck_print_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_print_jobs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_print_jobs_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_print_jobs_package_id_packages")
        ),
        sa.ForeignKeyConstraint(
            ["reprint_of"], ["print_jobs.id"], name=op.f("fk_print_jobs_reprint_of_print_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_print_jobs_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_jobs")),
    )
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_jobs_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_print_jobs_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("created_at", wms_desk.db.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_reservations_qty_positive")),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], name=op.f("fk_reservations_bin_id_bins")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_reservations_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_reservations_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        sa.UniqueConstraint(
            "order_line_id", "bin_id", name=op.f("uq_reservations_order_line_id_bin_id")
        ),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reservations_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index("ix_reservations_product_bin", ["product_id", "bin_id"], unique=False)

    _create_append_only_guards()


def downgrade() -> None:
    _drop_append_only_guards()
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_product_bin")
        batch_op.drop_index(batch_op.f("ix_reservations_order_line_id"))

    op.drop_table("reservations")
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_print_jobs_status_next")
        batch_op.drop_index(batch_op.f("ix_print_jobs_order_id"))

    op.drop_table("print_jobs")
    op.drop_table("packages")
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_order_tags_tag")

    op.drop_table("order_tags")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sku")
        batch_op.drop_index(batch_op.f("ix_order_lines_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_ship_by")
        batch_op.drop_index("ix_orders_ship_by")
        batch_op.drop_index("ix_orders_number")
        batch_op.drop_index("ix_orders_customer_name")
        batch_op.drop_index("ix_orders_created_at")
        batch_op.drop_index(batch_op.f("ix_orders_batch_id"))

    op.drop_table("orders")
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_product_time")

    op.drop_table("stock_moves")
    with op.batch_alter_table("product_barcodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_barcodes_product_id"))

    op.drop_table("product_barcodes")
    op.drop_table("pick_batches")
    with op.batch_alter_table("bin_stock", schema=None) as batch_op:
        batch_op.drop_index("ix_bin_stock_product")

    op.drop_table("bin_stock")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject")

    op.drop_table("audit_events")
    op.drop_table("users")
    op.drop_table("stations")
    op.drop_table("products")
    op.drop_table("csv_profiles")
    op.drop_table("counters")
    op.drop_table("channels")
    with op.batch_alter_table("bins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bins_zone"))
        batch_op.drop_index(batch_op.f("ix_bins_pick_sequence"))

    op.drop_table("bins")
    op.drop_table("app_settings")


APPEND_ONLY = ("audit_events", "stock_moves")


def _create_append_only_guards() -> None:
    """The ledger and the audit trail are append-only: the database itself refuses edits."""
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "postgresql":
            op.execute(
                f"""CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql"""
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def _drop_append_only_guards() -> None:
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
