"""report rollup scopes: closed days kept per set of filters; triggers for scope changes

Revision ID: 0015
Revises: 0014
`report_rollups` gets `scope` in its key (report, scope, day): the filters other than the range
('' = the whole site, e.g. 'ch=3;ca=UPS' for one channel's UPS orders), so a filtered year is
read as days too. The table is a cache: it is dropped and made again empty (the next reports
fill it). 0012's triggers delete a day by report and day, so every scope's row of that day.

A filtered scope also depends on which orders are in it: an order's channel, its bought
shipments' carriers, its packing's station and packer. A write that changes one of those
moves the order into or out of the scopes, so the triggers below forget every filtered
scope's rows of the days that order counts on in any report (created, picked, packed,
shipped, its labels bought, boxes weighed, lines short, scans on it). The site's rows ('')
do not depend on them and stay. Audit events are append-only, but an update of a scan's
station or subject (what a filter reads) forgets its day too, so no write is missed.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_WHEN = wms_desk.db.models.base.UTCDateTime
_SCOPE_LENGTH = 128  # db/models/reports.py SCOPE_LENGTH

# The reports whose days are kept per scope (stock's are always the site's, scope '').
_SCOPED = ("throughput", "carrier-spend", "accuracy", "returns", "status", "fulfilment-time")


def _order_days(ids: str) -> str:
    """SQL selecting every UTC day the orders `ids` count on in a scoped report (UNION ALL: a
    day twice is harmless in `day IN (...)`, and a UNION would sort to drop it)."""
    return " UNION ALL ".join(
        (
            f"SELECT date(created_at) FROM orders WHERE id IN ({ids})",
            f"SELECT date(picked_at) FROM orders WHERE id IN ({ids})",
            f"SELECT date(shipped_at) FROM orders WHERE id IN ({ids})",
            f"SELECT date(completed_at) FROM pack_progress WHERE order_id IN ({ids})",
            f"SELECT date(bought_at) FROM shipments WHERE order_id IN ({ids})",
            f"SELECT date(weighed_at) FROM packages WHERE order_id IN ({ids})",
            "SELECT date(s.created_at) FROM line_shortages s "
            f"JOIN order_lines l ON l.id = s.order_line_id WHERE l.order_id IN ({ids})",
            "SELECT date(created_at) FROM audit_events WHERE subject_type = 'order' "
            f"AND subject_id IN ({_as_text(ids)}) AND action IN ('pack.scan', 'pick.scan')",
        )
    )


def _as_text(ids: str) -> str:
    return ", ".join(f"CAST({i.strip()} AS TEXT)" for i in ids.split(","))


# Per source table: (the reports whose rows to forget, whether only filtered scopes, the
# columns an UPDATE must change to matter, SQL selecting the days with NEW/OLD for the row).
_FORGETS: dict[str, tuple[tuple[str, ...], bool, tuple[str, ...], str]] = {
    "orders": (
        _SCOPED,
        True,
        ("channel_id",),
        _order_days("OLD.id, NEW.id") + " UNION ALL SELECT date(OLD.created_at) UNION ALL "
        "SELECT date(OLD.picked_at) UNION ALL SELECT date(OLD.shipped_at)",
    ),
    "shipments": (
        _SCOPED,
        True,
        ("status", "carrier", "order_id"),
        _order_days("OLD.order_id, NEW.order_id") + " UNION ALL SELECT date(OLD.bought_at)",
    ),
    "pack_progress": (
        _SCOPED,
        True,
        ("station_id", "completed_by_id", "order_id"),
        _order_days("OLD.order_id, NEW.order_id") + " UNION ALL SELECT date(OLD.completed_at)",
    ),
    "audit_events": (
        ("accuracy",),
        False,
        ("station_id", "subject_type", "subject_id"),
        "SELECT date(OLD.created_at) UNION SELECT date(NEW.created_at)",
    ),
}
_EVENTS = {"orders": ("UPDATE",), "audit_events": ("UPDATE",)}
# SQLite has no NEW in a DELETE trigger nor OLD in an INSERT one: those read as NULL here.
_SQLITE_ROW = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}
_ROW_COLUMN = re.compile(r"\b(OLD|NEW)\.(\w+)")


def _bind(days: str, rows: tuple[str, ...]) -> str:
    return _ROW_COLUMN.sub(lambda m: m.group(0) if m.group(1) in rows else "NULL", days)


def _delete(table: str, days: str) -> str:
    reports, filtered_only, _columns, _days = _FORGETS[table]
    if filtered_only:
        # Every filtered scope ('' is the site's) of every report: only scoped reports have
        # one. Found by ix_report_rollups_day_report (a `report IN` here made SQLite walk the
        # key's (report, scope) prefix instead, evaluating the days once per report).
        return f"DELETE FROM report_rollups WHERE day IN ({days}) AND scope <> ''"
    names = ", ".join(f"'{r}'" for r in reports)
    return f"DELETE FROM report_rollups WHERE day IN ({days}) AND report IN ({names})"


def _events(table: str) -> tuple[str, ...]:
    return _EVENTS.get(table, ("INSERT", "UPDATE", "DELETE"))


def _sqlite_triggers() -> dict[str, str]:
    out = {}
    for table, (_reports, _filtered, columns, days) in _FORGETS.items():
        for event in _events(table):
            on = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" else event
            delete = _delete(table, _bind(days, _SQLITE_ROW[event]))
            out[f"rollup_scopes_{table}_{event.lower()}"] = (
                f"AFTER {on} ON {table} BEGIN {delete}; END"
            )
    return out


# As 0012: a write that touches no past day skips the DELETE (no day of today is ever stored),
# so the stations' own writes of today's orders never lock report_rollups.
def _pg_function(table: str) -> str:
    _reports, _filtered, columns, days = _FORGETS[table]
    today = "date_trunc('day', now() AT TIME ZONE 'UTC')::date"
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    return (
        f"IF (TG_OP <> 'UPDATE' OR ROW({new}) IS DISTINCT FROM ROW({old})) "
        f"AND EXISTS (SELECT 1 FROM ({days}) AS d (day) WHERE d.day < {today}) THEN "
        f"{_delete(table, days)}; END IF;"
    )


def _pg_events(table: str) -> str:
    return " OR ".join(
        f"UPDATE OF {', '.join(_FORGETS[table][2])}" if e == "UPDATE" else e for e in _events(table)
    )


def _create_rollups(with_scope: bool) -> None:
    key = ("report", "scope", "day") if with_scope else ("report", "day")
    op.create_table(
        "report_rollups",
        sa.Column("report", sa.String(length=32), nullable=False),
        *([sa.Column("scope", sa.String(length=_SCOPE_LENGTH), nullable=False)] * with_scope),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", _WHEN(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_report_rollups")),
    )
    if with_scope:
        # The triggers delete by day (a few days, every scope; 0012's for one report): the key
        # leads with (report, scope), which would walk every scope's rows of a report.
        op.create_index("ix_report_rollups_day_report", "report_rollups", ["day", "report"])


def upgrade() -> None:
    op.drop_table("report_rollups")
    _create_rollups(with_scope=True)
    if op.get_bind().dialect.name == "postgresql":
        for table in _FORGETS:
            op.execute(
                f"CREATE FUNCTION report_rollup_scopes_forget_{table}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {_pg_function(table)} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_report_rollup_scopes AFTER {_pg_events(table)} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_rollup_scopes_forget_{table}()"
            )
    else:
        for name, body in _sqlite_triggers().items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _FORGETS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_report_rollup_scopes ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS report_rollup_scopes_forget_{table}()")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("report_rollups")
    _create_rollups(with_scope=False)
