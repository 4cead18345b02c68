"""integrity: TRUNCATE refused, sign-in throttles, the badge key out of the database

Revision ID: 0003
Revises: 0002
The ledger and the audit trail refuse TRUNCATE on PostgreSQL (REPLACE on SQLite is refused by
recursive_triggers, set on every connection in db/engine.py: the DELETE guards then fire).
Failed sign-ins in a row are counted per user name and per station. The key that protects badge
codes moves from app_settings to this station's key file; the database keeps a check value only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import wms_desk.db.models.base
from wms_desk.db import badge_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_events", "stock_moves")

_settings = sa.table(
    "app_settings", sa.column("key", sa.String), sa.column("value", wms_desk.db.models.base.JsonDoc)
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            # 0001's function raises "<table> is append-only"; it serves a statement trigger too.
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )
    op.create_table(
        "sign_in_throttles",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", wms_desk.db.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('user', 'station')", name=op.f("ck_sign_in_throttles_scope")),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_sign_in_throttles")),
    )
    _move_badge_key_out()


def _move_badge_key_out() -> None:
    """Badges hashed with the old in-database key keep working on the station that upgrades."""
    bind = op.get_bind()
    legacy = bind.execute(
        sa.select(_settings.c.value).where(_settings.c.key == badge_key.LEGACY_SETTING)
    ).scalar()
    if legacy is None:
        return
    key = bytes.fromhex(legacy["hex"])
    source = badge_key.key_source(bind.engine.url)
    if source.path is not None and badge_key.existing_key(source) is None:
        badge_key.write_key(source, key)
    # The check is the badges' real key's: a station holding another key is told so.
    op.bulk_insert(
        _settings, [{"key": badge_key.CHECK_SETTING, "value": {"hmac": badge_key.key_check(key)}}]
    )
    op.execute(_settings.delete().where(_settings.c.key == badge_key.LEGACY_SETTING))


def downgrade() -> None:
    bind = op.get_bind()
    key = badge_key.existing_key(badge_key.key_source(bind.engine.url))
    op.execute(_settings.delete().where(_settings.c.key == badge_key.CHECK_SETTING))
    if key is not None:
        op.bulk_insert(_settings, [{"key": badge_key.LEGACY_SETTING, "value": {"hex": key.hex()}}])
    op.drop_table("sign_in_throttles")
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
