"""Counted quantities in bulk (stock import): bins created once, cache rows locked, then moves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, tuple_

from wms_desk.channels.records import StockRecord
from wms_desk.db.models import AuditEvent, Bin, BinStock, Product, StockMove
from wms_desk.services.allocation import allocate_waiting
from wms_desk.services.bulk_writes import (
    add_to_column,
    audit_rows,
    bulk_insert,
    insert_skipping_existing,
)
from wms_desk.services.changes import Topic
from wms_desk.services.imports import ImportIssue, ImportResult
from wms_desk.services.uow import UnitOfWork

Key = tuple[int, int]  # (bin_id, product_id)
_PAGE = 400


def ensure_bins(uow: UnitOfWork, codes: Iterable[str], source: str) -> dict[str, int]:
    """code -> bin id, creating the unknown ones; two stations creating one bin both succeed.

    New bins go after the known ones, in the given order, until someone sets the route.
    """
    session = uow.session
    wanted = list(dict.fromkeys(codes))
    stored = {code: code[:32] for code in wanted}
    found: dict[str, int] = {}
    for page in _pages(sorted(set(stored.values()))):
        found.update(session.execute(select(Bin.code, Bin.id).where(Bin.code.in_(page))).all())
    missing = list(dict.fromkeys(stored[c] for c in wanted if stored[c] not in found))
    if missing:
        start = (session.scalar(select(func.max(Bin.pick_sequence))) or 0) + 10
        rows = [
            {
                "code": code,
                "zone": code.split("-")[0][:16],
                "pick_sequence": start + 10 * n,
                "active": True,
            }
            for n, code in enumerate(missing)
        ]
        # ON CONFLICT DO NOTHING: a bin another station just created is simply found below.
        created = insert_skipping_existing(session, Bin, rows, ("code",), ("code", "id"))
        for code, bin_id in created:
            found[code] = bin_id
            uow.audit("bin.created", "bin", code, after={"source": source})
        if created:
            uow.changed(Topic.CATALOGUE)
        others = [code for code in missing if code not in found]
        for page in _pages(others):
            found.update(session.execute(select(Bin.code, Bin.id).where(Bin.code.in_(page))).all())
    return {code: found[stored[code]] for code in wanted}


def lock_cache_rows(
    uow: UnitOfWork, keys: Iterable[Key]
) -> tuple[dict[Key, tuple[int, int]], set[Key]]:
    """(on_hand, reserved) per key, each row created if missing and locked until commit.

    Returns the values and the keys whose rows this call created. Rows are locked in key order
    (as allocation locks them), so concurrent imports and counts queue instead of deadlocking,
    and a quantity computed from these values cannot lose another station's update.
    """
    session = uow.session
    ordered = sorted(set(keys))
    fresh = insert_skipping_existing(
        session,
        BinStock,
        [{"bin_id": b, "product_id": p, "on_hand": 0, "reserved": 0} for b, p in ordered],
        ("bin_id", "product_id"),
        ("bin_id", "product_id"),
    )
    values: dict[Key, tuple[int, int]] = {}
    for page in _pages(ordered):
        for row in session.execute(
            select(BinStock.bin_id, BinStock.product_id, BinStock.on_hand, BinStock.reserved)
            .where(tuple_(BinStock.bin_id, BinStock.product_id).in_(page))
            .order_by(BinStock.bin_id, BinStock.product_id)
            .with_for_update()
        ):
            values[row.bin_id, row.product_id] = (row.on_hand, row.reserved)
    return values, {(b, p) for b, p in fresh}


def _pages(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _PAGE):
        yield items[start : start + _PAGE]


def apply_stock_counts(
    uow: UnitOfWork, records: Sequence[StockRecord], filename: str, dry_run: bool
) -> ImportResult:
    """Each record sets a bin's on-hand to its count (the last one wins for a repeated pair)."""
    session = uow.session
    products: dict[str, int] = dict(
        session.execute(
            select(Product.sku, Product.id).where(Product.sku.in_({r.sku for r in records}))
        ).all()
    )
    if dry_run:
        bins = dict(
            session.execute(
                select(Bin.code, Bin.id).where(Bin.code.in_({r.bin_code[:32] for r in records}))
            ).all()
        )
        bin_of: dict[str, int | None] = {r.bin_code: bins.get(r.bin_code[:32]) for r in records}
        stock = {
            (row.bin_id, row.product_id): (row.on_hand, row.reserved)
            for row in session.execute(
                select(
                    BinStock.bin_id, BinStock.product_id, BinStock.on_hand, BinStock.reserved
                ).where(BinStock.product_id.in_(products.values()))
            )
        }
        fresh: set[Key] = set()
    else:
        created = ensure_bins(uow, (r.bin_code for r in records), filename)
        stock, fresh = lock_cache_rows(
            uow, ((created[r.bin_code], products[r.sku]) for r in records)
        )
        bin_of = dict(created)

    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    issues: list[ImportIssue] = []
    changes: list[tuple[StockRecord, int, int, int]] = []
    for record in records:
        product_id, bin_id = products[record.sku], bin_of.get(record.bin_code)
        key = (bin_id, product_id) if bin_id is not None else None
        existed = key is not None and key in stock and key not in fresh
        on_hand, reserved = stock.get(key, (0, 0)) if key is not None else (0, 0)
        if record.qty == on_hand and existed:
            counts["unchanged"] += 1
            continue
        if record.qty < reserved:
            counts["rejected"] += 1
            issues.append(ImportIssue(record.ref, f"{reserved} are reserved for orders; qty "
                                      f"{record.qty} would leave them short"))  # fmt: skip
            continue
        counts["created" if not existed or on_hand == 0 else "updated"] += 1
        if key is not None:
            changes.append((record, key[0], product_id, on_hand))
            # A later line for the same bin and SKU counts from this one's result.
            stock[key] = (record.qty, reserved)
            fresh.discard(key)
    if changes and not dry_run:
        _write_counts(uow, changes, filename)
        arrived = {pid for record, _, pid, on_hand in changes if record.qty > on_hand}
        allocate_waiting(uow, arrived)
    return ImportResult.from_counts(counts, tuple(issues))


def _write_counts(
    uow: UnitOfWork, changes: list[tuple[StockRecord, int, int, int]], filename: str
) -> None:
    """The same ledger rows and cache changes apply_move makes, as a few batched statements."""
    session = uow.session
    reference = f"stock import {filename}"[:120]
    moves = []
    deltas: dict[Key, int] = {}
    for record, bin_id, product_id, on_hand in changes:
        delta = record.qty - on_hand
        if delta:
            deltas[bin_id, product_id] = deltas.get((bin_id, product_id), 0) + delta
            moves.append({
                "product_id": product_id,
                "from_bin_id": bin_id if delta < 0 else None,
                "to_bin_id": bin_id if delta > 0 else None,
                "qty": abs(delta), "reason": "count", "reference": reference,
                "user_id": uow.actor.user_id, "station_id": uow.actor.station_id,
                "created_at": uow.now,
            })  # fmt: skip
    bulk_insert(session, StockMove, moves)
    # Relative, but from values read under the row locks: nobody else moved them meanwhile.
    add_to_column(session, BinStock, "on_hand", {k: d for k, d in deltas.items() if d})
    bulk_insert(
        session,
        AuditEvent,
        audit_rows(uow, "bin", [
            ("stock.imported", record.bin_code, {"sku": record.sku, "on_hand": on_hand},
             {"sku": record.sku, "on_hand": record.qty, "source": filename})
            for record, _, _, on_hand in changes
        ]),
    )  # fmt: skip
    uow.changed(Topic.STOCK)
