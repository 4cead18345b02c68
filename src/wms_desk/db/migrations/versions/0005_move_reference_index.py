"""Index the ledger by reference: the pack screen asks where an order's items were picked.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without it every pack scan read the whole ledger (a year of moves at a busy site).
    op.create_index("ix_stock_moves_reference", "stock_moves", ["reference", "reason"])


def downgrade() -> None:
    op.drop_index("ix_stock_moves_reference", table_name="stock_moves")
