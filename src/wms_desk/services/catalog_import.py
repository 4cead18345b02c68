"""Catalogue and stock import: products with their barcodes, and opening counts as ledger moves."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wms_desk.channels.catalog import FLAGS, parse_products, parse_stock
from wms_desk.channels.records import (
    ParseResult,
    ProductRecord,
    RecordError,
    SourceError,
    StockRecord,
)
from wms_desk.db.models import AuditEvent, Product, ProductBarcode
from wms_desk.domain.roles import Permission
from wms_desk.services.bulk_writes import audit_rows, bulk_insert, insert_new_returning_ids
from wms_desk.services.context import ServiceContext
from wms_desk.services.imports import ImportIssue, ImportResult, Progress
from wms_desk.services.intake_limits import check_product, check_stock
from wms_desk.services.stock_counts import apply_stock_counts
from wms_desk.services.uow import UnitOfWork, run_unit_of_work

CHUNK_SIZE = 500
_FIELDS = ("name", "unit_weight_g", "length_mm", "width_mm", "height_mm", "hs_code",
           "origin_country", *FLAGS)  # fmt: skip


def _read(path: str | Path, parse: Any, encoding: str | None) -> ParseResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path.name}: {exc.strerror or exc}") from exc
    return parse(data, path.name, encoding)


def _run(
    ctx: ServiceContext,
    path: str | Path,
    parse: Any,
    check: Any,
    apply: Any,
    *,
    dry_run: bool,
    strict: bool,
    encoding: str | None,
    progress: Progress | None,
) -> ImportResult:
    """The shared shape: parse, validate against the database, then apply chunk by chunk."""
    ctx.actor.require(Permission.EDIT_STOCK)
    try:
        parsed = _read(path, parse, encoding)
    except SourceError as exc:
        return ImportResult(rejected=1, errors=(ImportIssue(Path(path).name, str(exc)),))
    errors = list(parsed.errors)
    records = check(ctx, parsed.records, errors)
    issues = tuple(ImportIssue(e.ref, e.message) for e in errors)
    if strict and errors:
        return ImportResult(rejected=parsed.total, errors=issues, dry_run=dry_run)
    result = ImportResult(rejected=parsed.total - len(records), errors=issues, dry_run=dry_run)
    for start in range(0, len(records), CHUNK_SIZE):
        chunk = records[start : start + CHUNK_SIZE]

        def work(uow: UnitOfWork, chunk: Sequence[Any] = chunk) -> ImportResult:
            return apply(uow, chunk, Path(path).name, dry_run)

        result = result + run_unit_of_work(ctx, work, Permission.EDIT_STOCK)
        if progress is not None:
            progress(min(start + CHUNK_SIZE, len(records)), len(records))
    return result


def _counts(**counts: int) -> ImportResult:
    return ImportResult.from_counts(counts)


# --- products ----------------------------------------------------------------------------


def import_products(
    ctx: ServiceContext,
    path: str | Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Products by SKU: new ones created, changed ones updated, equal ones left alone."""
    return _run(
        ctx, path, parse_products, _check_products, _apply_products,
        dry_run=dry_run, strict=strict, encoding=encoding, progress=progress,
    )  # fmt: skip


def _check_products(
    ctx: ServiceContext, records: Sequence[ProductRecord], errors: list[RecordError]
) -> list[ProductRecord]:
    """A barcode may stand for one product only, in the file and in the database."""
    codes = {code for r in records for code in r.barcodes}
    session = ctx.database.read_session()
    try:
        owners: dict[str, str] = {}
        ordered = sorted(codes)
        for start in range(0, len(ordered), 900):
            owners.update(
                session.execute(
                    select(ProductBarcode.code, Product.sku)
                    .join(Product, Product.id == ProductBarcode.product_id)
                    .where(ProductBarcode.code.in_(ordered[start : start + 900]))
                ).all()
            )
    finally:
        session.close()
    in_file: dict[str, str] = {}
    good = []
    for record in records:
        # Checked against the columns first: the same limits on SQLite and PostgreSQL.
        too_big = check_product(record)
        if too_big:
            errors.extend(too_big)
            continue
        clash = [
            f"barcode {code} already belongs to SKU {owner}"
            for code in record.barcodes
            for owner in (in_file.get(code) or owners.get(code),)
            if owner and owner != record.sku
        ]
        if clash:
            errors.extend(RecordError(record.ref, message) for message in clash)
            continue
        in_file.update(dict.fromkeys(record.barcodes, record.sku))
        good.append(record)
    return good


def _product_values(record: ProductRecord) -> dict[str, Any]:
    return {
        "name": record.name[:300],
        "unit_weight_g": record.weight_g,
        "length_mm": record.length_mm,
        "width_mm": record.width_mm,
        "height_mm": record.height_mm,
        "hs_code": record.hs_code,
        "origin_country": record.origin_country,
        **{flag: getattr(record, flag) for flag in FLAGS},
    }


def _apply_products(
    uow: UnitOfWork, records: Sequence[ProductRecord], filename: str, dry_run: bool
) -> ImportResult:
    session = uow.session
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    audits: list[tuple[str, object, dict[str, Any] | None, dict[str, Any] | None]] = []
    created = _update_existing(uow, records, filename, dry_run, counts, audits)
    if created and not dry_run:
        rows = [{**_product_values(r), "sku": r.sku, "active": True, "created_at": uow.now,
                 "updated_at": uow.now} for r in created]  # fmt: skip
        # A SKU another station created meanwhile is skipped here and updated below instead.
        ids = insert_new_returning_ids(session, Product, rows, "sku")
        inserted = [r for r in created if r.sku in ids]
        codes = [
            {"product_id": ids[record.sku], "code": code, "quantity": 1}
            for record in inserted
            for code in record.barcodes
        ]
        if codes:
            bulk_insert(session, ProductBarcode, codes)
        audits.extend(("product.imported", r.sku, None, {"source": filename}) for r in inserted)
        counts["created"] += len(inserted)
        lost = [r for r in created if r.sku not in ids]
        if lost:
            _update_existing(uow, lost, filename, dry_run, counts, audits)
    elif created:
        counts["created"] += len(created)
    session.flush()
    if audits:
        bulk_insert(session, AuditEvent, audit_rows(uow, "product", audits))
    return _counts(**counts)


def _update_existing(
    uow: UnitOfWork,
    records: Sequence[ProductRecord],
    filename: str,
    dry_run: bool,
    counts: dict[str, int],
    audits: list[tuple[str, object, dict[str, Any] | None, dict[str, Any] | None]],
) -> list[ProductRecord]:
    """Update the products that exist (counting them); returns the records that are new."""
    session = uow.session
    existing = {
        p.sku: p
        for p in session.scalars(
            select(Product)
            .where(Product.sku.in_([r.sku for r in records]))
            .options(selectinload(Product.barcodes))
        )
    }
    created = []
    for record in records:
        values = _product_values(record)
        product = existing.get(record.sku)
        if product is None:
            created.append(record)
            continue
        before = {key: getattr(product, key) for key in _FIELDS}
        old_codes = {b.code for b in product.barcodes}
        if before == values and old_codes == set(record.barcodes):
            counts["unchanged"] += 1
            continue
        counts["updated"] += 1
        if dry_run:
            continue
        for key, value in values.items():
            setattr(product, key, value)
        product.updated_at = uow.now
        product.barcodes[:] = [b for b in product.barcodes if b.code in record.barcodes]
        session.flush()
        product.barcodes.extend(
            ProductBarcode(code=code, quantity=1)
            for code in record.barcodes
            if code not in old_codes
        )
        changed = {k: str(v) for k, v in values.items() if before[k] != v}
        audits.append(("product.updated", record.sku, None, {**changed, "source": filename}))
    return created


# --- stock -------------------------------------------------------------------------------


def import_stock(
    ctx: ServiceContext,
    path: str | Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """A count per bin and SKU, written as ledger moves of the difference; new bins created."""
    return _run(
        ctx, path, parse_stock, _check_stock, _apply_stock,
        dry_run=dry_run, strict=strict, encoding=encoding, progress=progress,
    )  # fmt: skip


def _check_stock(
    ctx: ServiceContext, records: Sequence[StockRecord], errors: list[RecordError]
) -> list[StockRecord]:
    session = ctx.database.read_session()
    try:
        skus = set(
            session.scalars(select(Product.sku).where(Product.sku.in_({r.sku for r in records})))
        )
    finally:
        session.close()
    good = []
    for record in records:
        too_big = check_stock(record)
        if too_big:
            errors.extend(too_big)
        elif record.sku not in skus:
            errors.append(
                RecordError(record.ref, f"unknown SKU {record.sku!r}; import the product first")
            )
        else:
            good.append(record)
    return good


# The write side (bins, locked cache rows, ledger moves) is the stock module's.
_apply_stock = apply_stock_counts
