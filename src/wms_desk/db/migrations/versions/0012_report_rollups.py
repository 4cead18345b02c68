"""report rollups: the ledger's checkpoint and closed-day report figures, kept exact by triggers

Revision ID: 0012
Revises: 0011
`ledger_checkpoints` / `ledger_checkpoint_sums`: the ledger summed per bin and product up to a
move id (moves are append-only, so those sums never change). `report_rollups`: one report's
figures per closed UTC day; the triggers below delete a day's row whenever a row it was computed
from is written, so a report never reads a stale day (it computes a missing day live).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = wms_desk.db.models.base.UTCDateTime

# Throughput's days are the UTC days packing completed; a line's packed units count on the day
# its order's packing completed.
_SQLITE_TRIGGERS = {
    "rollup_pack_progress_insert": """
        AFTER INSERT ON pack_progress WHEN NEW.completed_at IS NOT NULL BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput'
            AND day = substr(NEW.completed_at, 1, 10);
        END""",
    "rollup_pack_progress_update": """
        AFTER UPDATE ON pack_progress BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput'
            AND day IN (substr(OLD.completed_at, 1, 10), substr(NEW.completed_at, 1, 10));
        END""",
    "rollup_pack_progress_delete": """
        AFTER DELETE ON pack_progress WHEN OLD.completed_at IS NOT NULL BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput'
            AND day = substr(OLD.completed_at, 1, 10);
        END""",
    "rollup_order_lines_insert": """
        AFTER INSERT ON order_lines BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput' AND day IN (
            SELECT substr(completed_at, 1, 10) FROM pack_progress
            WHERE order_id = NEW.order_id AND completed_at IS NOT NULL);
        END""",
    "rollup_order_lines_update": """
        AFTER UPDATE OF packed_qty, order_id ON order_lines BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput' AND day IN (
            SELECT substr(completed_at, 1, 10) FROM pack_progress
            WHERE order_id IN (OLD.order_id, NEW.order_id) AND completed_at IS NOT NULL);
        END""",
    "rollup_order_lines_delete": """
        AFTER DELETE ON order_lines BEGIN
          DELETE FROM report_rollups WHERE report = 'throughput' AND day IN (
            SELECT substr(completed_at, 1, 10) FROM pack_progress
            WHERE order_id = OLD.order_id AND completed_at IS NOT NULL);
        END""",
}

# On PostgreSQL a write for today skips the DELETE (no day of today is ever rolled up), so the
# packing stations' own writes never take a lock on report_rollups; the refresh locks the table
# (SHARE ROW EXCLUSIVE) so a write to a past day waits for it or is seen by it, never missed.
_PG_FUNCTIONS = {
    "pack_progress": """
        IF TG_OP <> 'INSERT' AND OLD.completed_at < date_trunc('day', now() AT TIME ZONE 'UTC')
        THEN
          DELETE FROM report_rollups WHERE report = 'throughput'
            AND day = OLD.completed_at::date;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.completed_at < date_trunc('day', now() AT TIME ZONE 'UTC')
        THEN
          DELETE FROM report_rollups WHERE report = 'throughput'
            AND day = NEW.completed_at::date;
        END IF;""",
    "order_lines": """
        IF TG_OP = 'UPDATE' AND NEW.packed_qty IS NOT DISTINCT FROM OLD.packed_qty
           AND NEW.order_id = OLD.order_id THEN
          RETURN NULL;
        END IF;
        DELETE FROM report_rollups WHERE report = 'throughput' AND day IN (
          SELECT completed_at::date FROM pack_progress
          WHERE order_id IN (
              CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.order_id END,
              CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.order_id END)
            AND completed_at < date_trunc('day', now() AT TIME ZONE 'UTC'));""",
}


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("through_move_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", _WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_checkpoint_sums",
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["bins.id"], name=op.f("fk_ledger_checkpoint_sums_bin_id_bins")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_ledger_checkpoint_sums_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("bin_id", "product_id", name=op.f("pk_ledger_checkpoint_sums")),
    )
    op.create_table(
        "report_rollups",
        sa.Column("report", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", _WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("report", "day", name=op.f("pk_report_rollups")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, body in _PG_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION report_rollups_forget_{table}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_report_rollups AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_rollups_forget_{table}()"
            )
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _PG_FUNCTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_report_rollups ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_rollups_forget_{table}()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("report_rollups")
    op.drop_table("ledger_checkpoint_sums")
    op.drop_table("ledger_checkpoints")
