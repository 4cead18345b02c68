"""What happened to each seeded order: picks, packing, boxes, labels, scans, returns, the ledger.

Used by seed_million.py: rows for every table the reports read, generated per chunk of orders so
a million orders never sit in memory at once. Ids are explicit (the database is fresh), so a
label can name its shipment and a shortage its order line without reading anything back.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

PICKED_OR_LATER = frozenset(
    {"picked", "packing", "packed", "shipped", "returned", "partly_returned"}
)
PACKED_OR_LATER = frozenset({"packed", "shipped", "returned", "partly_returned"})
SHIPPED_OR_LATER = frozenset({"shipped", "returned", "partly_returned"})
CARRIERS = (
    ("UPS", "Ground", 7.5),
    ("UPS", "Express", 18.0),
    ("DHL", "Parcel", 6.2),
    ("FedEx", "Home", 9.4),
)
REASONS = ("damaged", "wrong_item", "not_as_described", "no_longer_needed", "arrived_late", "other")
WRONG_PACK = ("wrong_item", "over_scan", "unknown_code")

_COLUMNS = {
    "pack_progress": "order_id current_seq started_at completed_at completed_by_id station_id",
    "packages": "id order_id seq carton weight_g expected_weight_g weight_source weight_check "
    "weighed_at created_at",
    "shipments": "id order_id carrier service service_name price currency master_tracking "
    "shipment_ref status ship_date bought_at voided_at void_reason",
    "shipment_labels": "id shipment_id package_id seq count tracking format data weight_g",
    "audit_events": "event_id user_id station_id created_at action subject_type subject_id after",
    "line_shortages": "order_line_id stage qty reason user_id created_at",
    "rmas": "id number order_id status resolution unexpected note created_at updated_at version",
    "rma_lines": "id rma_id order_line_id qty reason reason_note received_qty",
    "refunds": "rma_id method reference currency goods discount tax restocking_fee shipping total "
    "created_at",
    "stock_moves": "product_id from_bin_id to_bin_id qty reason reference created_at",
    "bins": "id code zone pick_sequence active",
    "bin_stock": "bin_id product_id on_hand reserved",
}
COLUMNS: dict[str, tuple[str, ...]] = {t: tuple(c.split()) for t, c in _COLUMNS.items()}
# Children after parents: the foreign keys hold during the load.
TABLE_ORDER = (
    "pack_progress", "packages", "shipments", "shipment_labels", "audit_events", "line_shortages",
    "rmas", "rma_lines", "refunds", "stock_moves",
)  # fmt: skip


@dataclass
class State:
    products: int
    packers: int = 8
    stations: int = 6
    ids: dict[str, int] = field(default_factory=dict)
    picked: dict[int, int] = field(default_factory=dict)  # product -> units picked from its bin

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    @property
    def tote_bin(self) -> int:
        return self.products + 1


def bins(state: State) -> dict[str, list[tuple[Any, ...]]]:
    """A storage bin per product (bin id = product id) and one tote, before any move."""
    rows: list[tuple[Any, ...]] = [
        (p, f"B-{p:05d}", "A", p, True) for p in range(1, state.products + 1)
    ]
    rows.append((state.tote_bin, "TOTE-ALL", "TOTE", 0, False))
    return {"bins": rows}


def history(
    order: dict[str, Any], lines: list[tuple[Any, ...]], rng: random.Random, state: State
) -> dict[str, list[tuple[Any, ...]]]:
    """Rows for one order: `lines` are (id, order_id, line_no, ..., product_id, ..., qty, ...)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    status = order["status"]
    if status not in PICKED_OR_LATER:
        return out
    oid, number, picked_at = order["id"], order["number"], order["picked_at"]
    packer = rng.randint(1, state.packers)
    station = rng.randint(1, state.stations)
    for line in lines:
        product, qty = line[5], line[7]
        state.picked[product] = state.picked.get(product, 0) + qty
        out.setdefault("stock_moves", []).append(
            (product, product, state.tote_bin, qty, "pick", number, picked_at)
        )
    if rng.random() < 0.01:
        out["line_shortages"] = [(lines[0][0], "pick", 1, "bin empty", packer, picked_at)]
    if status not in PACKED_OR_LATER:
        return out
    packed_at = picked_at + timedelta(minutes=rng.uniform(5, 240))
    out["pack_progress"] = [(oid, 1, packed_at - timedelta(minutes=3), packed_at, packer, station)]
    check = rng.choices(("ok", "warn", "block"), (97, 2, 1))[0]
    package = state.next_id("packages")
    out["packages"] = [(package, oid, 1, "S", 500, 490, "scale", check, packed_at, packed_at)]
    scans = [(packer, station, packed_at - timedelta(minutes=1), "verified")]
    if rng.random() < 0.03:
        scans.append((packer, station, packed_at - timedelta(minutes=2), rng.choice(WRONG_PACK)))
    out["audit_events"] = [
        (str(uuid.UUID(int=rng.getrandbits(128))), u, s, at, "pack.scan", "order", str(oid),
         json.dumps({"outcome": outcome, "message": ""}))
        for u, s, at, outcome in scans
    ]  # fmt: skip
    if status not in SHIPPED_OR_LATER:
        return out
    shipped_at: datetime = order["shipped_at"]
    carrier, service, base = rng.choice(CARRIERS)
    shipments, labels = [], []
    if rng.random() < 0.02:  # a label bought and voided before the one that shipped
        sid = state.next_id("shipments")
        shipments.append((sid, oid, carrier, service, service, base, "USD", f"V{sid}", "",
                          "voided", shipped_at.date(), shipped_at - timedelta(minutes=20),
                          shipped_at - timedelta(minutes=15), "wrong service"))  # fmt: skip
    sid = state.next_id("shipments")
    price = round(base * rng.uniform(0.8, 1.6), 2)
    shipments.append((sid, oid, carrier, service, service, price, "USD", f"T{sid}", "", "bought",
                      shipped_at.date(), shipped_at - timedelta(minutes=10), None, ""))  # fmt: skip
    labels.append(
        (state.next_id("shipment_labels"), sid, package, 1, 1, f"T{sid}", "zpl", b"", 500)
    )
    out["shipments"], out["shipment_labels"] = shipments, labels
    if status in ("returned", "partly_returned"):
        rma = state.next_id("rmas")
        created = shipped_at + timedelta(days=rng.uniform(2, 20))
        out["rmas"] = [
            (rma, f"RMA-{rma:07d}", oid, "resolved", "refund", False, "", created, created, 1)
        ]
        line = lines[0]
        out["rma_lines"] = [
            (state.next_id("rma_lines"), rma, line[0], line[7], rng.choice(REASONS), "", line[7])
        ]
        goods = round(9.99 * line[7], 2)
        out["refunds"] = [(rma, "original", "", "USD", goods, 0, 0, 0, 0, goods, created)]
    return out


def stock(state: State, now: datetime, rng: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """Receipts so the ledger explains on-hand, then the cache; one bin in 2,000 is left off by
    one, as a reconciliation would find in real life."""
    moves, cache = [], []
    tote = 0
    for p in range(1, state.products + 1):
        picked = state.picked.get(p, 0)
        on_hand = rng.randint(0, 400)
        moves.append(
            (p, None, p, on_hand + picked, "receive", "PO-SEED", now - timedelta(days=800))
        )
        off = 1 if p % 2000 == 0 else 0
        cache.append((p, p, on_hand + off, 0))
        tote += picked
    # Everything picked waits in one tote bin (the seed has no dock moves).
    for p, picked in sorted(state.picked.items()):
        if picked:
            cache.append((state.tote_bin, p, picked, 0))
    return {"stock_moves": moves, "bin_stock": cache}
