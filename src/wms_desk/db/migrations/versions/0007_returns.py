"""returns: RMAs, received units, refunds, order notes; paid discount/tax per line; service role

Revision ID: 0007
Revises: 0006
Order lines gain the line's discount and tax, orders an order-level discount (all 0 for orders
imported before: no channel parser reads them yet). Users may have the role 'service'.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ROLES_OLD = "role IN ('packer', 'supervisor', 'admin')"
_ROLES_NEW = "role IN ('packer', 'supervisor', 'admin', 'service')"
_MONEY = sa.Numeric(precision=12, scale=2)
_WHEN = wms_desk.db.models.base.UTCDateTime


def _set_role_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    # SQLite: rebuilding `users` would DELETE it first (cascading to what refers to it); a CHECK
    # that only widens changes no stored row, so the table's SQL is edited in place as the
    # SQLite manual describes for constraint changes, and the schema version bumped.
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'users'"
        ),
        {"old": old, "new": new},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    _set_role_check(_ROLES_OLD, _ROLES_NEW)
    # Plain ADD COLUMN (no batch rebuild): rebuilding `orders` on SQLite would drop its search
    # triggers and, with foreign keys on, cascade the DROP into order lines. The server default
    # fills existing rows; new rows get the model's default.
    op.add_column("order_lines", sa.Column("discount", _MONEY, nullable=False, server_default="0"))
    op.add_column("order_lines", sa.Column("tax", _MONEY, nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("discount_total", _MONEY, nullable=False, server_default="0"))

    op.create_table(
        "rmas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.Column("unexpected", sa.Boolean(), nullable=False),
        sa.Column("return_tracking", sa.String(length=64), nullable=True),
        sa.Column("replacement_order_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN(), nullable=False),
        sa.Column("updated_at", _WHEN(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "resolution IN ('refund', 'exchange', 'credit')", name=op.f("ck_rmas_resolution")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'receiving', 'received', 'resolved', 'cancelled')",
            name=op.f("ck_rmas_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_rmas_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_rmas_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["replacement_order_id"],
            ["orders.id"],
            name=op.f("fk_rmas_replacement_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmas")),
        sa.UniqueConstraint("number", name=op.f("uq_rmas_number")),
    )
    with op.batch_alter_table("rmas", schema=None) as batch_op:
        batch_op.create_index("ix_rmas_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_rmas_return_tracking", ["return_tracking"], unique=False)
        batch_op.create_index("ix_rmas_status_created_at", ["status", "created_at"], unique=False)

    op.create_table(
        "rma_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rma_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reason_note", sa.String(length=300), nullable=False),
        sa.Column("received_qty", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_rma_lines_qty_positive")),
        sa.CheckConstraint(
            "reason IN ('damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', "
            "'arrived_late', 'other')",
            name=op.f("ck_rma_lines_reason"),
        ),
        sa.CheckConstraint(
            "received_qty >= 0 AND received_qty <= qty",
            name=op.f("ck_rma_lines_received_within_qty"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_rma_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["rma_id"], ["rmas.id"], name=op.f("fk_rma_lines_rma_id_rmas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rma_lines")),
        sa.UniqueConstraint(
            "rma_id", "order_line_id", name=op.f("uq_rma_lines_rma_id_order_line_id")
        ),
    )
    with op.batch_alter_table("rma_lines", schema=None) as batch_op:
        batch_op.create_index("ix_rma_lines_order_line_id", ["order_line_id"], unique=False)

    op.create_table(
        "rma_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rma_line_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("received_at", _WHEN(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=16), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("photo_path", sa.String(length=500), nullable=True),
        sa.Column("inspected_at", _WHEN(), nullable=True),
        sa.Column("inspected_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "condition IS NULL OR condition IN ('new', 'opened', 'used', 'damaged')",
            name=op.f("ck_rma_units_condition"),
        ),
        sa.CheckConstraint(
            "disposition IS NULL OR disposition IN "
            "('restock', 'quarantine', 'scrap', 'return_to_vendor')",
            name=op.f("ck_rma_units_disposition"),
        ),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], name=op.f("fk_rma_units_bin_id_bins")),
        sa.ForeignKeyConstraint(
            ["inspected_by_id"], ["users.id"], name=op.f("fk_rma_units_inspected_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_rma_units_received_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rma_line_id"],
            ["rma_lines.id"],
            name=op.f("fk_rma_units_rma_line_id_rma_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rma_units")),
        sa.UniqueConstraint("event_id", name=op.f("uq_rma_units_event_id")),
    )
    with op.batch_alter_table("rma_units", schema=None) as batch_op:
        batch_op.create_index("ix_rma_units_rma_line_id", ["rma_line_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rma_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("goods", _MONEY, nullable=False),
        sa.Column("discount", _MONEY, nullable=False),
        sa.Column("tax", _MONEY, nullable=False),
        sa.Column("restocking_fee", _MONEY, nullable=False),
        sa.Column("shipping", _MONEY, nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_refunds_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["rma_id"], ["rmas.id"], name=op.f("fk_refunds_rma_id_rmas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("rma_id", name=op.f("uq_refunds_rma_id")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index("ix_refunds_created_at", ["created_at"], unique=False)

    op.create_table(
        "order_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_notes_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_order_notes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_notes")),
    )
    with op.batch_alter_table("order_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_notes_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    for table in ("order_notes", "refunds", "rma_units", "rma_lines", "rmas"):
        op.drop_table(table)
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite >= 3.35), for the same reason.
    for table, column in (
        ("orders", "discount_total"),
        ("order_lines", "tax"),
        ("order_lines", "discount"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    _set_role_check(_ROLES_NEW, _ROLES_OLD)
