"""PostgreSQL's claim-queue indexes: "next order" reads the most urgent free order in one step.

`claim_next` orders the eligible orders by urgency (priority, then ship-by with no date last,
then age) and takes the first one it can lock (SKIP LOCKED). The per-status indexes of migration
0002 cannot give that order across the two statuses an operation starts from, so every claim
sorted every eligible order: a cost that grew with the queue and, under 16 stations, held each
claim's snapshot open for the whole sort. One partial index per operation holds exactly its
eligible orders in claim order; the lease is the last key, so a leased order is passed over
inside the index, before its row is read (claims_pg spells the lease test the same way).

The models cannot express expression keys with a partial WHERE for one dialect only, so the
indexes live here, beside the migration that creates them, and the model check skips them.
"""

from __future__ import annotations

from wms_desk.domain.order_status import OrderStatus

# The lease test, written as the index's last key: a free order's "lease" is -infinity
# (plain timestamp, as the column is: UTC without a zone, models/base.py UTCDateTime).
LEASE_KEY = "COALESCE(lease_until, '-infinity'::timestamp)"

_KEYS = f"priority DESC, (ship_by IS NULL), ship_by, created_at, id, {LEASE_KEY}"


def _statuses(*statuses: OrderStatus) -> str:
    return ", ".join(f"'{s.value}'" for s in statuses)


# index name -> its WHERE clause: the operation's eligible orders (services/claims.ELIGIBLE).
INDEXES: dict[str, str] = {
    "ix_orders_pick_queue": (
        f"status IN ({_statuses(OrderStatus.ALLOCATED, OrderStatus.PICKING)}) AND batch_id IS NULL"
    ),
    "ix_orders_pack_queue": f"status IN ({_statuses(OrderStatus.PICKED, OrderStatus.PACKING)})",
}

PG_CREATE = tuple(
    f"CREATE INDEX IF NOT EXISTS {name} ON orders ({_KEYS}) WHERE {where}"
    for name, where in INDEXES.items()
)
PG_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in INDEXES)


def is_unmodelled_index(name: str | None) -> bool:
    return name in INDEXES
