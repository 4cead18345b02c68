"""label bytes: PostgreSQL compresses them with lz4, not pglz

Revision ID: 0013
Revises: 0012
A 4x6 PDF label is ~80 KB (two embedded font subsets) and is stored twice at COMPLETE: the
print job's payload and the shipment label's data. PostgreSQL's default TOAST compression
(pglz) spent ~1.5 ms of server time on each copy, most of a PDF label's cost on a busy server;
lz4 takes ~0.2 ms for about the same saving on these documents. Only values written from now
on use it; nothing is rewritten. Servers before 14, or built without lz4, keep pglz (the
statement is tried in a savepoint). SQLite has no TOAST: nothing changes there.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

COLUMNS = (("print_jobs", "payload"), ("shipment_labels", "data"))


def _compress_with(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or (bind.dialect.server_version_info or (0,)) < (14,):
        return
    try:
        with bind.begin_nested():
            for table, column in COLUMNS:
                bind.execute(
                    sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")
                )
    except sa.exc.DBAPIError as exc:  # e.g. "compression method lz4 not supported"
        log.warning("label bytes keep the server's default compression: %s", exc.orig)


def upgrade() -> None:
    _compress_with("lz4")


def downgrade() -> None:
    _compress_with("DEFAULT")
