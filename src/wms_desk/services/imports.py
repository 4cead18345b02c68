"""Order import: parse a channel file, validate each order, store it whole, allocate new orders."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from wms_desk.channels import formats
from wms_desk.channels.generic_csv import Profile
from wms_desk.channels.records import Address, OrderRecord, RecordError, SourceError
from wms_desk.channels.validate import validate_order
from wms_desk.db.models import AuditEvent, Channel, CsvProfile, Order, OrderLine, OrderTag, Product
from wms_desk.domain.order_status import CANCELLABLE, NOT_YET_PICKED, OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services.allocation import allocate_orders
from wms_desk.services.bulk_writes import audit_rows, bulk_insert, insert_returning_ids
from wms_desk.services.context import ServiceContext
from wms_desk.services.orders import change_status
from wms_desk.services.stock import release_reservations
from wms_desk.services.uow import UnitOfWork, run_unit_of_work

log = logging.getLogger(__name__)

CHUNK_SIZE = 500
# (orders done, orders in the file): called after each committed chunk.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportIssue:
    ref: str
    message: str


@dataclass(frozen=True)
class ImportResult:
    """Every record of a file lands in exactly one of the five counts."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    rejected: int = 0
    errors: tuple[ImportIssue, ...] = ()
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        """The CLI contract: exactly these keys."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "cancelled": self.cancelled,
            "rejected": self.rejected,
            "errors": [{"ref": e.ref, "message": e.message} for e in self.errors],
        }

    @classmethod
    def from_counts(
        cls, counts: dict[str, int], errors: tuple[ImportIssue, ...] = (), dry_run: bool = False
    ) -> ImportResult:
        return cls(
            counts.get("created", 0), counts.get("updated", 0), counts.get("unchanged", 0),
            counts.get("cancelled", 0), counts.get("rejected", 0), errors, dry_run,
        )  # fmt: skip

    def __add__(self, other: ImportResult) -> ImportResult:
        return ImportResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.cancelled + other.cancelled,
            self.rejected + other.rejected,
            self.errors + other.errors,
            self.dry_run,
        )


def _issues(errors: Sequence[RecordError]) -> tuple[ImportIssue, ...]:
    return tuple(ImportIssue(e.ref, e.message) for e in errors)


def import_file(
    ctx: ServiceContext,
    path: str | Path,
    *,
    format: str | None = None,
    channel: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one order file; nothing is written on a dry run, or on any error with `strict`."""
    ctx.actor.require(Permission.IMPORT_ORDERS)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(rejected=1, errors=(ImportIssue(path.name, exc.strerror or str(exc)),))
    return import_data(
        ctx, data, path.name, format=format, channel=channel, profile=profile,
        dry_run=dry_run, strict=strict, encoding=encoding, progress=progress,
    )  # fmt: skip


def import_data(
    ctx: ServiceContext,
    data: bytes,
    filename: str,
    *,
    format: str | None = None,
    channel: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    ctx.actor.require(Permission.IMPORT_ORDERS)
    try:
        csv_profile = load_profile(ctx, profile) if profile else None
        fmt, parsed = formats.parse_orders(data, filename, format, encoding, csv_profile)
    except SourceError as exc:
        return ImportResult(rejected=1, errors=(ImportIssue(filename, str(exc)),), dry_run=dry_run)
    channel_name = channel or fmt.kind
    records, errors = _validated(ctx, parsed.records, list(parsed.errors))
    rejected = parsed.total - len(records)
    if strict and errors:
        return ImportResult(rejected=parsed.total, errors=_issues(errors), dry_run=dry_run)
    channel_id = _channel_id(ctx, channel_name, fmt.kind, create=not dry_run)
    result = ImportResult(rejected=rejected, errors=_issues(errors), dry_run=dry_run)
    total, done, unanalysed = len(records), 0, 0
    for start in range(0, total, CHUNK_SIZE):
        chunk = records[start : start + CHUNK_SIZE]
        if dry_run:
            result = result + _preview_chunk(ctx, channel_id, chunk)
        else:
            before = result.created
            result = result + _run_chunk(ctx, channel_id, chunk, filename)
            unanalysed += result.created - before
            if unanalysed >= ANALYZE_EVERY:
                refresh_statistics(ctx)
                unanalysed = 0
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return result


def _run_chunk(
    ctx: ServiceContext, channel_id: int | None, chunk: Sequence[OrderRecord], filename: str
) -> ImportResult:
    def work(uow: UnitOfWork) -> ImportResult:
        return _apply_chunk(uow, channel_id, chunk, filename)

    try:
        return run_unit_of_work(ctx, work, Permission.IMPORT_ORDERS)
    except IntegrityError:
        # Another station imported some of these orders meanwhile: the chunk rolled back whole,
        # and once more it finds them as existing orders.
        return run_unit_of_work(ctx, work, Permission.IMPORT_ORDERS)


# PostgreSQL plans the per-chunk lookups from table statistics; after a bulk load into a young
# table they still say "empty" (autovacuum has not run yet), and lookups turn into full scans.
ANALYZE_EVERY = 5_000


def refresh_statistics(ctx: ServiceContext) -> None:
    """ANALYZE the order tables on PostgreSQL (as its docs advise after bulk loading)."""
    if ctx.database.is_sqlite:
        return
    session = ctx.database.write_session()
    try:
        with session.begin():
            session.execute(text("ANALYZE orders, order_lines"))
    except DBAPIError:
        # Only the tables' owner may ANALYZE; autovacuum will catch up instead.
        log.info("could not ANALYZE after a bulk import", exc_info=True)
    finally:
        session.close()


def _validated(
    ctx: ServiceContext, records: Sequence[OrderRecord], errors: list[RecordError]
) -> tuple[list[OrderRecord], list[RecordError]]:
    skus = {line.sku for record in records for line in record.lines if line.sku}
    products = _products_by_sku(ctx, skus)
    digital = {sku for sku, (_, is_digital) in products.items() if is_digital}
    good = []
    seen: set[str] = set()
    for record in records:
        problems = validate_order(record, products.keys(), digital)
        if record.external_id in seen:
            problems.append(RecordError(record.ref, "the file holds this order id twice"))
        seen.add(record.external_id)
        if problems:
            errors.extend(problems)
        else:
            good.append(record)
    return good, errors


def _products_by_sku(ctx: ServiceContext, skus: set[str]) -> dict[str, tuple[int, bool]]:
    session = ctx.database.read_session()
    try:
        found: dict[str, tuple[int, bool]] = {}
        ordered = sorted(skus)
        for start in range(0, len(ordered), 900):
            rows = session.execute(
                select(Product.sku, Product.id, Product.is_digital).where(
                    Product.sku.in_(ordered[start : start + 900])
                )
            )
            found.update({sku: (pid, digital) for sku, pid, digital in rows})
        return found
    finally:
        session.close()


def _channel_id(ctx: ServiceContext, name: str, kind: str, create: bool) -> int | None:
    session = ctx.database.read_session()
    try:
        found = session.scalar(select(Channel.id).where(Channel.name == name))
    finally:
        session.close()
    if found is not None or not create:
        return found
    from wms_desk.services.import_setup import ensure_channel

    try:
        return ensure_channel(ctx, name, kind).id
    except IntegrityError:  # another station created it a moment ago
        return ensure_channel(ctx, name, kind).id


def load_profile(ctx: ServiceContext, name: str) -> Profile:
    session = ctx.database.read_session()
    try:
        row = session.scalar(select(CsvProfile).where(CsvProfile.name == name))
        if row is None:
            raise SourceError(f"there is no CSV profile named {name!r}")
        return Profile(row.name, dict(row.mapping), dict(row.options))
    finally:
        session.close()


# --- what happens to each order ------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, CANCEL, FLAG, LOCKED = (
    "create", "update", "unchanged", "cancel", "flag", "locked"
)  # fmt: skip


def classify(record: OrderRecord, digest: str, existing: tuple[str, str] | None) -> str:
    """The action for one record given the stored (status, source_hash), or None if new."""
    if existing is None:
        return CREATE
    status, stored_hash = existing
    if stored_hash == digest:
        return UNCHANGED
    if record.cancelled:
        if status == OrderStatus.CANCELLED:
            return UNCHANGED
        return CANCEL if status in CANCELLABLE else FLAG
    return UPDATE if status in NOT_YET_PICKED else LOCKED


_BUCKET = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged", CANCEL: "cancelled",
           FLAG: "updated", LOCKED: "unchanged"}  # fmt: skip


def _existing(
    session: Session, channel_id: int | None, records: Sequence[OrderRecord]
) -> dict[str, tuple[int, str, str]]:
    """external_id -> (id, status, source_hash): light rows, no ORM objects for unchanged ones."""
    if channel_id is None:
        return {}
    rows = session.execute(
        select(Order.external_id, Order.id, Order.status, Order.source_hash).where(
            Order.channel_id == channel_id,
            Order.external_id.in_([r.external_id for r in records]),
        )
    )
    return {external_id: (oid, status, digest) for external_id, oid, status, digest in rows}


def _preview_chunk(
    ctx: ServiceContext, channel_id: int | None, records: Sequence[OrderRecord]
) -> ImportResult:
    session = ctx.database.read_session()
    try:
        existing = _existing(session, channel_id, records)
        counts = dict.fromkeys(_BUCKET.values(), 0)
        for record in records:
            found = existing.get(record.external_id)
            known = (found[1], found[2]) if found else None
            action = classify(record, record.content_hash(), known)
            if action == CREATE and record.cancelled:
                counts["cancelled"] += 1
            else:
                counts[_BUCKET[action]] += 1
        return ImportResult.from_counts(counts, dry_run=True)
    finally:
        session.close()


def _clip(text: str, size: int) -> str:
    return text[:size]


def order_values(record: OrderRecord, digest: str) -> dict[str, Any]:
    ship = record.ship_to or Address()
    return {
        "number": _clip(record.number or record.external_id, 64),
        "customer_name": _clip(record.customer_name, 200),
        "ship_name": _clip(ship.name, 200),
        "ship_company": _clip(ship.company, 200),
        "ship_street1": _clip(ship.street1, 200),
        "ship_street2": _clip(ship.street2, 200),
        "ship_street3": _clip(ship.street3, 200),
        "ship_city": _clip(ship.city, 100),
        "ship_region": _clip(ship.region, 100),
        "ship_postal_code": _clip(ship.postal_code, 20),
        "ship_country": ship.country,
        "ship_phone": _clip(ship.phone, 40),
        "ship_email": _clip(ship.email or record.email, 200),
        "bill_to": asdict(record.bill_to) if record.bill_to else {},
        "ordered_at": record.ordered_at,
        "ship_by": record.ship_by,
        "priority": record.priority,
        "requested_service": _clip(record.requested_service, 64),
        "currency": _clip(record.currency.upper(), 3),
        "subtotal": record.subtotal,
        "shipping_total": record.shipping_total,
        "tax_total": record.tax_total,
        "total": record.total,
        "is_gift": record.is_gift,
        "gift_message": record.gift_message,
        "notes": record.notes,
        "source_hash": digest,
    }


@dataclass
class _Chunk:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_BUCKET.values(), 0))
    issues: list[ImportIssue] = field(default_factory=list)
    to_allocate: list[int] = field(default_factory=list)
    audits: list[tuple[str, object, dict[str, Any] | None, dict[str, Any] | None]] = field(
        default_factory=list
    )


def _apply_chunk(
    uow: UnitOfWork, channel_id: int | None, records: Sequence[OrderRecord], filename: str
) -> ImportResult:
    assert channel_id is not None
    session = uow.session
    existing = _existing(session, channel_id, records)
    products = dict(
        session.execute(
            select(Product.sku, Product.id).where(
                Product.sku.in_({ln.sku for r in records for ln in r.lines if ln.sku})
            )
        ).all()
    )
    digital = set(
        session.scalars(
            select(Product.sku).where(Product.sku.in_(products.keys()), Product.is_digital)
        )
    )
    state = _Chunk()
    fresh: list[tuple[OrderRecord, str]] = []
    for record in records:
        digest = record.content_hash()
        found = existing.get(record.external_id)
        action = classify(record, digest, (found[1], found[2]) if found else None)
        if found is None:
            fresh.append((record, digest))
            state.counts["cancelled" if record.cancelled else "created"] += 1
            continue
        state.counts[_BUCKET[action]] += 1
        if found[2] == digest:
            continue  # the same payload again: nothing to write, not even a timestamp
        order = session.get(Order, found[0], with_for_update=True)
        assert order is not None
        _apply_existing(uow, state, order, record, digest, action, products, digital)
    if fresh:
        _insert_orders(uow, state, channel_id, fresh, products, digital, filename)
    session.flush()
    if state.audits:
        bulk_insert(session, AuditEvent, audit_rows(uow, "order", state.audits))
    allocate_orders(uow, state.to_allocate)
    return ImportResult.from_counts(state.counts, tuple(state.issues))


def _line_rows(
    record: OrderRecord, products: dict[str, int], digital: set[str]
) -> list[dict[str, Any]]:
    return [
        {
            "line_no": line.line_no,
            "external_line_id": _clip(line.external_line_id, 64),
            "sku": line.sku,
            "product_id": products.get(line.sku) if line.sku else None,
            "name": _clip(line.name, 300),
            "qty": line.qty,
            "unit_price": line.unit_price,
            # Kept on the order for the slip, never picked.
            "pickable": bool(line.sku) and line.requires_shipping and line.sku not in digital,
            "picked_qty": 0,
            "packed_qty": 0,
        }
        for line in record.lines
    ]


def _insert_orders(
    uow: UnitOfWork,
    state: _Chunk,
    channel_id: int,
    fresh: list[tuple[OrderRecord, str]],
    products: dict[str, int],
    digital: set[str],
    filename: str,
) -> None:
    session = uow.session
    rows = [
        {
            **order_values(record, digest),
            "channel_id": channel_id,
            "external_id": record.external_id,
            "status": "cancelled" if record.cancelled else "new",
            "version": 1,
            "created_at": uow.now,
            "updated_at": uow.now,
        }
        for record, digest in fresh
    ]
    ids = insert_returning_ids(session, Order, rows)
    lines: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for order_id, (record, _) in zip(ids, fresh, strict=True):
        lines.extend({**row, "order_id": order_id} for row in _line_rows(record, products, digital))
        tags.extend({"order_id": order_id, "tag": _clip(t, 64)} for t in dict.fromkeys(record.tags))
        after = {"number": record.number, "status": "cancelled" if record.cancelled else "new",
                 "source": filename}  # fmt: skip
        state.audits.append(("order.imported", order_id, None, after))
        if not record.cancelled:
            state.to_allocate.append(order_id)
    bulk_insert(session, OrderLine, lines)
    bulk_insert(session, OrderTag, tags)


def _apply_existing(
    uow: UnitOfWork,
    state: _Chunk,
    order: Order,
    record: OrderRecord,
    digest: str,
    action: str,
    products: dict[str, int],
    digital: set[str],
) -> None:
    session = uow.session
    line_ids = [line.id for line in order.lines]
    if action == UNCHANGED:
        order.source_hash = digest
    elif action == CANCEL:
        change_status(uow, order, OrderStatus.CANCELLED, "order.cancelled_by_channel")
        order.held_from = None
        order.source_hash = digest
        release_reservations(uow, line_ids)
    elif action in (FLAG, LOCKED):
        if action == FLAG:
            note = "The channel cancelled this order after it shipped: check refund or return."
        else:
            note = f"The channel changed this order while it was {order.status}; not applied."
            state.issues.append(ImportIssue(record.ref, f"not updated: {note}"))
        order.attention = note[:200]
        order.source_hash = digest
        order.updated_at = uow.now
        state.audits.append(("order.attention", order.id, None, {"attention": note}))
    elif action == UPDATE:
        release_reservations(uow, line_ids)
        before = {"status": order.status, "source_hash": order.source_hash}
        for key, value in order_values(record, digest).items():
            setattr(order, key, value)
        order.updated_at = uow.now
        order.lines.clear()
        order.tags.clear()
        session.flush()
        for row in _line_rows(record, products, digital):
            order.lines.append(OrderLine(**row))
        order.tags.extend(OrderTag(tag=_clip(t, 64)) for t in dict.fromkeys(record.tags))
        if order.status == OrderStatus.ON_HOLD:
            # Its stock was given back: a release must allocate it afresh.
            order.held_from = OrderStatus.NEW.value
        elif order.status != OrderStatus.NEW:
            change_status(uow, order, OrderStatus.NEW, "order.reopened_for_update")
        if order.status == OrderStatus.NEW:
            state.to_allocate.append(order.id)
        state.audits.append(
            ("order.updated_by_channel", order.id, before, {"status": order.status})
        )
