"""claim queue: partial indexes in claim order; the dead orders NOTIFY trigger dropped

Revision ID: 0014
Revises: 0013
PostgreSQL only (SQLite claims under BEGIN IMMEDIATE, one writer at a time, and is unchanged):
- ix_orders_pick_queue / ix_orders_pack_queue (db/queries/claim_queue.py): "next order" walks
  one index in urgency order instead of sorting every eligible order on each claim.
- orders_changed_notify (migration 0002) sent a NOTIFY on channel wms_orders_changed after every
  statement that wrote orders. Nothing has listened on that channel since the change bus
  (services/changes.py, channel wms_changes) replaced it, and a NOTIFY is not free: a
  transaction that sent one takes the server's one notification-queue lock at commit and holds
  it through the commit's WAL flush, so every write of orders from every station was committed
  one at a time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wms_desk.db.queries import claim_queue, search

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in search.PG_DROP + claim_queue.PG_CREATE:
        op.execute(sa.text(statement))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in claim_queue.PG_DROP + search.PG_CREATE:
        op.execute(sa.text(statement))
