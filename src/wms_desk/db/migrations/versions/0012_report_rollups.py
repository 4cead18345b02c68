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

# Which stored days a write makes stale, per source table: (report, SQL selecting the days)
# with NEW/OLD for the written row. Throughput's days are the UTC days packing completed (a
# line's units count on its order's day); carrier spend's are the days shipments were bought,
# every day of the order's shipments (whether an order was bought on several days decides
# how its orders add up) and, for a label, its shipment's day.
_DAYS = {
    "pack_progress": (
        "throughput",
        "SELECT {day}(OLD.completed_at) UNION SELECT {day}(NEW.completed_at)",
    ),
    "order_lines": (
        "throughput",
        "SELECT {day}(completed_at) FROM pack_progress "
        "WHERE order_id IN (OLD.order_id, NEW.order_id)",
    ),
    "shipments": (
        "carrier-spend",
        "SELECT {day}(bought_at) FROM shipments WHERE order_id IN (OLD.order_id, NEW.order_id) "
        "UNION SELECT {day}(OLD.bought_at)",
    ),
    "shipment_labels": (
        "carrier-spend",
        "SELECT {day}(bought_at) FROM shipments WHERE id IN (OLD.shipment_id, NEW.shipment_id)",
    ),
}
# SQLite has no NEW in a DELETE trigger nor OLD in an INSERT one: those read as NULL here.
_SQLITE_ROW = {"INSERT": ("NULL", "NEW"), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD", "NULL")}


def _sqlite_days(sql: str, event: str) -> str:
    old, new = _SQLITE_ROW[event]
    sql = sql.format(day="date")
    for column in ("completed_at", "order_id", "bought_at", "shipment_id"):
        sql = sql.replace(f"OLD.{column}", f"{old}.{column}" if old != "NULL" else "NULL")
        sql = sql.replace(f"NEW.{column}", f"{new}.{column}" if new != "NULL" else "NULL")
    return sql


def _sqlite_triggers() -> dict[str, str]:
    out = {}
    for table, (report, days) in _DAYS.items():
        for event in _SQLITE_ROW:
            out[f"rollups_{table}_{event.lower()}"] = (
                f"AFTER {event} ON {table} BEGIN DELETE FROM report_rollups "
                f"WHERE report = '{report}' AND day IN ({_sqlite_days(days, event)}); END"
            )
    return out


# On PostgreSQL a write that touches no past day skips the DELETE (no day of today is ever
# stored), so the stations' own writes never lock report_rollups; a refresh locks the table
# (SHARE ROW EXCLUSIVE), so a write to a past day waits for it or is seen by it, never missed.
def _pg_function(table: str) -> str:
    report, days = _DAYS[table]
    days = days.format(day="date")
    today = "date_trunc('day', now() AT TIME ZONE 'UTC')::date"
    return f"""
        IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NULL; END IF;
        IF EXISTS (SELECT 1 FROM ({days}) AS d (day) WHERE d.day < {today}) THEN
          DELETE FROM report_rollups WHERE report = '{report}' AND day IN ({days});
        END IF;"""


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
        for table in _DAYS:
            op.execute(
                f"CREATE FUNCTION report_rollups_forget_{table}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {_pg_function(table)} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_report_rollups AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_rollups_forget_{table}()"
            )
    else:
        for name, body in _sqlite_triggers().items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _DAYS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_report_rollups ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_rollups_forget_{table}()")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("report_rollups")
    op.drop_table("ledger_checkpoint_sums")
    op.drop_table("ledger_checkpoints")
