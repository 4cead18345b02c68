"""Single-order and batch (cluster) picking into totes, for a scan-driven pick screen.

API (every call takes the picker's ServiceContext and returns a frozen snapshot):
- `open_pick(ctx, ref)` -> PickSession: an order number / `ORD:` slip or a batch name, claimed
  (orders through services.claims, batches with a lease of their own). `pick_next(ctx)`;
  `pick_next_batch(ctx)`: the most urgent open batch (like "Next order" does for orders).
- `pick_scan(ctx, ref, scan, event_id)` -> PickVerdict(outcome, message, session): the bin
  (when the station requires it), the item (a case counts its pack quantity when allowed), the
  tote (when the station requires a tote scan). `session.next_action` always says what to scan
  next ("Scan bin A-03-2", "Scan item ...", "Put in tote 4 and scan it").
- `pick_quantity(ctx, ref, qty, event_id)` where the station allows quantity entry.
- `skip_task` (to the end of the walk), `short_pick` (declare stock-out: written off the bin,
  re-reserved elsewhere or recorded as a shortage for the supervisor; picking goes on).
- `pick_session(ctx, ref)`, `current_pick_session(ctx)` (resume after a restart).
Every pick moves stock bin -> tote (or staging) in the ledger and the cache in one transaction;
an order with nothing left to pick becomes picked and its lease ends.
"""

from __future__ import annotations

from wms_desk.services.picking.actions import pick_quantity, pick_scan, short_pick, skip_task
from wms_desk.services.picking.open import (
    current_pick_session,
    open_pick,
    pick_next,
    pick_next_batch,
    pick_policy,
    pick_session,
)
from wms_desk.services.picking.session import PickRef, PickSession, PickVerdict

__all__ = [
    "PickRef",
    "PickSession",
    "PickVerdict",
    "current_pick_session",
    "open_pick",
    "pick_next",
    "pick_next_batch",
    "pick_policy",
    "pick_quantity",
    "pick_scan",
    "pick_session",
    "short_pick",
    "skip_task",
]
