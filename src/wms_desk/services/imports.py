"""Order import: parse a channel file, validate each order, store it whole, allocate new orders."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from wms_desk.channels import formats
from wms_desk.channels.generic_csv import Profile
from wms_desk.channels.records import (
    LOCAL_PICKUP,
    NO_SHIP_TO,
    OrderRecord,
    RecordError,
    SourceError,
    short,
)
from wms_desk.channels.validate import lacks_ship_to, validate_order
from wms_desk.db.models import CsvProfile, Product
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import StaleData
from wms_desk.services.import_setup import ensure_channel, find_channel
from wms_desk.services.intake_limits import check_order
from wms_desk.services.order_intake import apply_chunk, preview_chunk
from wms_desk.services.uow import UnitOfWork, is_retryable, run_unit_of_work

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
    records, errors, notices = _validated(ctx, parsed.records, list(parsed.errors))
    rejected = parsed.total - len(records)
    if strict and errors:
        return ImportResult(rejected=parsed.total, errors=_issues(errors), dry_run=dry_run)
    # No channel is created for a file that brings no order.
    channel_id = _channel_id(ctx, channel_name, fmt.kind, create=not dry_run and bool(records))
    result = ImportResult(rejected=rejected, errors=_issues(errors), dry_run=dry_run)
    total, done, unanalysed = len(records), 0, 0
    for start in range(0, total, CHUNK_SIZE):
        chunk = records[start : start + CHUNK_SIZE]
        if dry_run:
            result = result + ImportResult.from_counts(preview_chunk(ctx, channel_id, chunk))
        else:
            before = result.created
            result = result + _run_chunk(ctx, channel_id, chunk, filename, notices)
            unanalysed += result.created - before
            if unanalysed >= ANALYZE_EVERY:
                refresh_statistics(ctx)
                unanalysed = 0
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return result


def _run_chunk(
    ctx: ServiceContext,
    channel_id: int | None,
    chunk: Sequence[OrderRecord],
    filename: str,
    notices: Mapping[str, Sequence[RecordError]],
) -> ImportResult:
    """Store a chunk in one transaction; if the database refuses it, halve it until the orders
    it refuses stand alone: those are reported, every other order is stored."""

    def work(uow: UnitOfWork) -> ImportResult:
        counts, notes = apply_chunk(uow, channel_id, chunk, filename, notices)
        return ImportResult.from_counts(counts, _issues(notes))

    try:
        return run_unit_of_work(ctx, work, Permission.IMPORT_ORDERS)
    except REFUSALS as exc:
        if not is_refusal(exc):
            raise  # a locked, busy or failing database is not this data's fault
        refusal = exc
    if len(chunk) > 1:
        # An IntegrityError is also what another station importing these orders meanwhile
        # gives: run again, the halves find those orders as existing ones.
        half = len(chunk) // 2
        return _run_chunk(ctx, channel_id, chunk[:half], filename, notices) + _run_chunk(
            ctx, channel_id, chunk[half:], filename, notices
        )
    try:
        return run_unit_of_work(ctx, work, Permission.IMPORT_ORDERS)  # one more try, alone
    except REFUSALS as exc:
        if not is_refusal(exc):
            raise
        refusal = exc
    log.warning("the database refused %s", chunk[0].ref, exc_info=refusal)
    return ImportResult(rejected=1, errors=(ImportIssue(chunk[0].ref, refused(refusal)),))


# What the database (or the driver, binding a value) raises for data it will not store; the
# checks in intake_limits should leave none, this keeps one bad order from stopping a file.
REFUSALS = (StatementError, StaleData, ValueError, OverflowError, ArithmeticError)


def is_refusal(exc: BaseException) -> bool:
    """A refusal of this data (a constraint, a value out of range), not a database in trouble:
    a locked SQLite file or a lost server is raised as it is, never blamed on an order."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, IntegrityError | DataError) and not is_retryable(exc)
    return True


def refused(exc: BaseException) -> str:
    """A database refusal in a line a supervisor can act on."""
    cause = getattr(exc, "orig", None) or exc
    detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return (
        f"the database refused this order ({short(detail, 160)}); the other orders were "
        "imported: correct this one in the channel and import the file again"
    )


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
) -> tuple[list[OrderRecord], list[RecordError], dict[str, tuple[RecordError, ...]]]:
    """The orders that may be stored (cut to fit, held if they lack an address), the errors,
    and by order id what was cut."""
    skus = {line.sku for record in records for line in record.lines if line.sku}
    products = _products_by_sku(ctx, skus)
    digital = {sku for sku, (_, is_digital) in products.items() if is_digital}
    good = []
    notices: dict[str, tuple[RecordError, ...]] = {}
    seen: set[str] = set()
    for given in records:
        checked = check_order(given)
        record = checked.record
        problems = list(checked.problems) + validate_order(record, products.keys(), digital)
        if record.external_id in seen:
            problems.append(RecordError(record.ref, "the file holds this order id twice"))
        seen.add(record.external_id)
        if problems:
            errors.extend(problems)
            continue
        if lacks_ship_to(record, digital):
            reason = LOCAL_PICKUP if record.pickup else NO_SHIP_TO
            record = dataclasses.replace(record, holds=(*record.holds, reason))
        if checked.notices:
            notices[record.external_id] = checked.notices
        good.append(record)
    return good, errors, notices


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
        row = find_channel(session, name)
        found = row.id if row is not None else None
    finally:
        session.close()
    if found is not None or not create:
        return found
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
