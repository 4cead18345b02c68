"""Scan-to-verify packing: one service call per scan or station command, each a short transaction.

API for the pack screen (every call takes the ServiceContext of the packer at the station and
returns a frozen snapshot the screen renders without further queries):
- `open_order(ctx, ref)` -> PackSession: an order number, `ORD:` slip, tote or batch barcode;
  claims the order (claims.HeldElsewhere says who holds it and since when). `open_next(ctx)`.
- `verify_scan(ctx, order_id, scan, event_id)` -> ScanVerdict(outcome, message, session): a
  product (unit or case), a serial/lot after a flagged item, a carton barcode, or a `CMD:`
  station command. Wrong items and over-scans change nothing but are stored as scan events.
  Idempotent on `event_id` (a replay returns REPLAYED and the current session).
- `new_box`, `record_weight` (scale reading, or typed where no scale is bound), `complete`,
  `cancel`, `reprint`: one call per station command, all idempotent on event id.
- Supervisor: `short_line`, `approve_weight`, `confirm_by_hand` (also packers the station allows).
- `pack_session(ctx, order_id)` and `current_pack_session(ctx)` (resume after a restart).
- Cartons: `cartons.list_cartons`, `cartons.save_carton` (supervisors).
The rules (what a scan means, what comes next, carton choice, weight tolerance) live in
domain/packing.py, domain/cartons.py and domain/weighing.py.
"""

from __future__ import annotations

from wms_desk.services.packing.boxes import approve_weight, new_box, record_weight
from wms_desk.services.packing.finish import (
    cancel,
    complete,
    current_pack_session,
    open_next,
    open_order,
    pack_session,
    reprint,
)
from wms_desk.services.packing.scans import confirm_by_hand, short_line, verify_scan
from wms_desk.services.packing.session import PackSession, ScanVerdict

__all__ = [
    "PackSession",
    "ScanVerdict",
    "approve_weight",
    "cancel",
    "complete",
    "confirm_by_hand",
    "current_pack_session",
    "new_box",
    "open_next",
    "open_order",
    "pack_session",
    "record_weight",
    "reprint",
    "short_line",
    "verify_scan",
]
