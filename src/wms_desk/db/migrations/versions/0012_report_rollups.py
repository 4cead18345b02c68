"""report rollups: the ledger's checkpoint and closed-day report figures, kept exact by triggers

Revision ID: 0012
Revises: 0011
`ledger_checkpoints` / `ledger_checkpoint_sums`: the ledger summed per bin and product up to a
move id (moves are append-only, so those sums never change). `report_rollups`: one report's
figures per closed UTC day; the triggers below delete a day's row whenever a row it was computed
from is written, so a report never reads a stale day (it computes a missing day live).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WHEN = wms_desk.db.models.base.UTCDateTime

# Which stored days a write makes stale, per source table: (report, the columns an UPDATE must
# change to matter, SQL selecting the days with NEW/OLD for the written row). Each report's days are the UTC days of its own events:
# throughput's, packing completed (a line's units count on its order's day); carrier spend's,
# the days shipments were bought (all of an order's days: whether it was bought on several
# decides how its orders add up; a label counts on its shipment's day); accuracy's, packing
# completed (orders, lines), scans made, boxes weighed (under the packer of their order),
# orders picked (lines) and lines found short; returns', the day the order shipped (its
# lines, carriers, returns and refunds count there, whenever they were recorded); status',
# the day an order was created (its status now: every change of status forgets that day);
# fulfilment time's, the day the order shipped (its times, and when its packing completed);
# stock's demand, the day a pick move was made (moves are append-only: only a late one).
_SHIPPED_DAY = "SELECT date(shipped_at) FROM orders WHERE id IN (OLD.order_id, NEW.order_id)"
_RMA_DAY = (
    "SELECT date(o.shipped_at) FROM orders o JOIN rmas r ON r.order_id = o.id "
    "WHERE r.id IN (OLD.rma_id, NEW.rma_id)"
)
_DAYS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "pack_progress": [
        (
            "throughput",
            ("completed_at", "completed_by_id", "station_id", "order_id"),
            "SELECT date(OLD.completed_at) UNION SELECT date(NEW.completed_at)",
        ),
        (
            "accuracy",
            ("completed_at", "completed_by_id", "order_id"),
            "SELECT date(OLD.completed_at) UNION SELECT date(NEW.completed_at) UNION "
            "SELECT date(weighed_at) FROM packages WHERE order_id IN (OLD.order_id, NEW.order_id)",
        ),
        ("fulfilment-time", ("completed_at", "order_id"), _SHIPPED_DAY),
    ],
    "order_lines": [
        (
            "throughput",
            ("packed_qty", "order_id"),
            "SELECT date(completed_at) FROM pack_progress "
            "WHERE order_id IN (OLD.order_id, NEW.order_id)",
        ),
        (
            "accuracy",
            ("order_id", "sku"),
            "SELECT date(completed_at) FROM pack_progress "
            "WHERE order_id IN (OLD.order_id, NEW.order_id) UNION "
            "SELECT date(picked_at) FROM orders WHERE id IN (OLD.order_id, NEW.order_id) UNION "
            "SELECT date(created_at) FROM line_shortages WHERE order_line_id IN (OLD.id, NEW.id)",
        ),
        ("returns", ("qty", "sku", "order_id"), _SHIPPED_DAY),
    ],
    "orders": [
        ("accuracy", ("picked_at",), "SELECT date(OLD.picked_at) UNION SELECT date(NEW.picked_at)"),
        (
            "returns",
            ("shipped_at", "channel_id"),
            "SELECT date(OLD.shipped_at) UNION SELECT date(NEW.shipped_at)",
        ),
        (
            "fulfilment-time",
            ("shipped_at", "ordered_at", "created_at", "picked_at", "ship_by"),
            "SELECT date(OLD.shipped_at) UNION SELECT date(NEW.shipped_at)",
        ),
        (
            "status",
            ("status", "channel_id", "created_at", "ship_by"),
            "SELECT date(OLD.created_at) UNION SELECT date(NEW.created_at)",
        ),
    ],
    "audit_events": [
        (
            "accuracy",
            ("created_at", "action", "user_id", "after"),
            "SELECT date(OLD.created_at) UNION SELECT date(NEW.created_at)",
        ),
    ],
    "packages": [
        (
            "accuracy",
            ("weighed_at", "weight_check", "order_id"),
            "SELECT date(OLD.weighed_at) UNION SELECT date(NEW.weighed_at)",
        ),
    ],
    "line_shortages": [
        (
            "accuracy",
            ("created_at", "stage", "qty", "user_id", "order_line_id"),
            "SELECT date(OLD.created_at) UNION SELECT date(NEW.created_at)",
        ),
    ],
    "shipments": [
        (
            "carrier-spend",
            ("bought_at", "status", "carrier", "service", "currency", "price", "order_id"),
            "SELECT date(bought_at) FROM shipments WHERE order_id IN (OLD.order_id, NEW.order_id) "
            "UNION SELECT date(OLD.bought_at)",
        ),
        ("returns", ("status", "carrier", "order_id"), _SHIPPED_DAY),
    ],
    "rmas": [("returns", ("status", "order_id"), _SHIPPED_DAY)],
    "stock_moves": [
        (
            "stock",
            ("created_at", "reason", "product_id", "qty"),
            "SELECT date(OLD.created_at) UNION SELECT date(NEW.created_at)",
        )
    ],
    "rma_lines": [("returns", ("qty", "reason", "order_line_id", "rma_id"), _RMA_DAY)],
    "refunds": [("returns", ("total", "currency", "rma_id"), _RMA_DAY)],
    "shipment_labels": [
        (
            "carrier-spend",
            ("shipment_id",),
            "SELECT date(bought_at) FROM shipments WHERE id IN (OLD.shipment_id, NEW.shipment_id)",
        ),
    ],
}
# SQLite has no NEW in a DELETE trigger nor OLD in an INSERT one: those read as NULL here.
_SQLITE_ROW = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}
_ROW_COLUMN = re.compile(r"\b(OLD|NEW)\.(\w+)")


def _bind(days: str, rows: tuple[str, ...]) -> str:
    return _ROW_COLUMN.sub(lambda m: m.group(0) if m.group(1) in rows else "NULL", days)


def _sqlite_triggers() -> dict[str, str]:
    out = {}
    for table, forgets in _DAYS.items():
        for i, (report, columns, days) in enumerate(forgets):
            for event, rows in _SQLITE_ROW.items():
                on = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" else event
                out[f"rollups_{table}_{i}_{event.lower()}"] = (
                    f"AFTER {on} ON {table} BEGIN DELETE FROM report_rollups "
                    f"WHERE report = '{report}' AND day IN ({_bind(days, rows)}); END"
                )
    return out


# On PostgreSQL a write that touches no past day skips the DELETE (no day of today is ever
# stored), so the stations' own writes never lock report_rollups; a refresh locks the table
# (SHARE ROW EXCLUSIVE), so a write to a past day waits for it or is seen by it, never missed.
def _pg_function(table: str) -> str:
    today = "date_trunc('day', now() AT TIME ZONE 'UTC')::date"
    body = []
    for report, columns, days in _DAYS[table]:
        new = ", ".join(f"NEW.{c}" for c in columns)
        old = ", ".join(f"OLD.{c}" for c in columns)
        body.append(
            f"IF (TG_OP <> 'UPDATE' OR ROW({new}) IS DISTINCT FROM ROW({old})) "
            f"AND EXISTS (SELECT 1 FROM ({days}) AS d (day) WHERE d.day < {today}) THEN "
            f"DELETE FROM report_rollups WHERE report = '{report}' AND day IN ({days}); END IF;"
        )
    return " ".join(body)


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
