"""The supervisor's queue: pages of orders, counts per status, filter choices, CSV export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import PickBatch
from wms_desk.db.queries import queue as q
from wms_desk.db.queries.queue import (
    COUNT_CAP,
    PRIORITY_BANDS,
    SHIP_WINDOWS,
    SORTS,
    QueueFilter,
    QueueRequest,
    QueueRowData,
)
from wms_desk.domain.money import Money
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

__all__ = [
    "COUNT_CAP",
    "PRIORITY_BANDS",
    "SHIP_WINDOWS",
    "SORTS",
    "FilterChoices",
    "QueueFilter",
    "QueuePage",
    "QueueRequest",
    "QueueRowData",
    "change_signature",
    "export_csv",
    "filter_choices",
    "load_counts",
    "load_page",
    "load_rows",
    "print_documents",
]

PAGE_SIZE = 200


@dataclass(frozen=True)
class QueuePage:
    """Ids of one page in order, their rows, whether more follow, and (optionally) the counts."""

    offset: int
    ids: tuple[int, ...]
    rows: dict[int, QueueRowData]
    has_more: bool
    counts: dict[str, int] | None
    loaded_at: datetime


@dataclass(frozen=True)
class FilterChoices:
    channels: tuple[tuple[int, str], ...]
    services: tuple[str, ...]
    tags: tuple[str, ...]
    stations: tuple[tuple[int, str], ...]
    users: tuple[tuple[int, str], ...]


def _local_offset() -> timedelta:
    offset = datetime.now().astimezone().utcoffset()
    return offset or timedelta(0)


def _require_view(ctx: ServiceContext) -> None:
    ctx.actor.require(Permission.VIEW_QUEUE)


def _clocked(request: QueueRequest) -> QueueRequest:
    """Every query of one answer judges "late" and "today" at the same moment, locally."""
    return request.at(datetime.now().astimezone(), _local_offset())


@read_only
def _load_page(session: Session, request: QueueRequest, with_counts: bool) -> QueuePage:
    request = _clocked(request)
    # One extra row tells whether another page follows, without counting the whole result.
    rows = q.page_rows(session, request.rows(request.offset, request.limit + 1))
    has_more = len(rows) > request.limit
    rows = rows[: request.limit]
    counts = q.status_counts(session, request) if with_counts else None
    assert request.now is not None
    ids = tuple(r.id for r in rows)
    return QueuePage(request.offset, ids, {r.id: r for r in rows}, has_more, counts, request.now)


def load_page(
    ctx: ServiceContext, request: QueueRequest | None = None, with_counts: bool = True
) -> QueuePage:
    """A page of the queue (filter, sort and rows as `request` says; the first page of the
    open queue by default); counts per status too when `with_counts`."""
    _require_view(ctx)
    return _load_page(ctx, request or QueueRequest(limit=PAGE_SIZE), with_counts)


@read_only
def _load_counts(session: Session, f: QueueFilter) -> dict[str, int]:
    return q.status_counts(session, _clocked(QueueRequest(f)))


def load_counts(ctx: ServiceContext, f: QueueFilter) -> dict[str, int]:
    """Orders per status under `f`'s other filters (the chips); counts stop at COUNT_CAP + 1.

    The screen asks for these after the page, so the rows never wait for the counting.
    """
    _require_view(ctx)
    return _load_counts(ctx, f)


@read_only
def _load_rows(session: Session, ids: Sequence[int]) -> dict[int, QueueRowData]:
    return q.rows_by_id(session, ids)


def load_rows(ctx: ServiceContext, ids: Sequence[int]) -> dict[int, QueueRowData]:
    """Fresh rows for ids already on screen; ids of orders that vanished are absent."""
    _require_view(ctx)
    return _load_rows(ctx, list(ids))


@read_only
def _filter_choices(session: Session) -> FilterChoices:
    values = q.distinct_values(session)
    return FilterChoices(
        tuple(values["channels"]),
        tuple(values["services"]),
        tuple(values["tags"]),
        tuple(values["stations"]),
        tuple(values["users"]),
    )


def filter_choices(ctx: ServiceContext) -> FilterChoices:
    _require_view(ctx)
    return _filter_choices(ctx)


@read_only
def _signature(session: Session) -> tuple[Any, ...]:
    return q.change_signature(session)


def change_signature(ctx: ServiceContext) -> tuple[Any, ...]:
    """What polling compares: it differs from the last one when an order may have changed."""
    return _signature(ctx)


EXPORT_COLUMNS = (
    ("number", "Order"),
    ("channel", "Channel"),
    ("status", "Status"),
    ("customer", "Customer"),
    ("email", "E-mail"),
    ("country", "Country"),
    ("ship_by", "Ship by"),
    ("priority", "Priority"),
    ("service", "Service"),
    ("lines", "Lines"),
    ("units", "Units"),
    ("tags", "Tags"),
    ("station", "Station"),
    ("packer", "Packer"),
    ("total", "Total"),
    ("hold_reason", "Hold reason"),
)


def _cell(row: QueueRowData, key: str) -> object:
    value = getattr(row, key)
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, tuple):
        return " ".join(value)
    return value


def _export_rows(
    ctx: ServiceContext, request: QueueRequest, ids: Sequence[int] | None, max_rows: int
) -> Iterator[QueueRowData]:
    """The rows to export, a page at a time (never the whole queue in memory)."""
    if ids is not None:
        chosen = list(ids)
        for start in range(0, len(chosen), 500):
            chunk = chosen[start : start + 500]
            rows = _load_rows(ctx, chunk)
            yield from (rows[i] for i in chunk if i in rows)
        return
    offset = 0
    while offset < max_rows:
        page = _load_page(ctx, request.rows(offset, min(1000, max_rows - offset)), False)
        yield from (page.rows[i] for i in page.ids)
        if not page.has_more:
            return
        offset += len(page.ids)


def export_csv(
    ctx: ServiceContext,
    request: QueueRequest,
    path: Path,
    ids: Sequence[int] | None = None,
    max_rows: int = 100_000,
) -> int:
    """Write the selected orders (or everything `request`'s filter finds, in its sort) to
    `path`; returns the row count.

    csv_export.write_csv neutralises every cell: a customer called "=HYPERLINK(...)" stays
    text in Excel.
    """
    # Loaded on the first export (with the import settings it reads), not with the queue screen.
    from wms_desk.services.csv_export import write_csv

    _require_view(ctx)
    rows = _export_rows(ctx, request, ids, max_rows)
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        return write_csv(
            out,
            [title for _key, title in EXPORT_COLUMNS],
            ([_cell(row, key) for key, _title in EXPORT_COLUMNS] for row in rows),
        )


PRINT_KINDS = ("slips", "pick_lists")


@unit_of_work(Permission.VIEW_QUEUE)
def print_documents(
    uow: UnitOfWork, order_ids: Sequence[int], kind: str, settings: Any
) -> list[str]:
    """Queue packing slips (one per order) or pick lists (one per wave, one per unwaved order)
    on this station's document printer; returns the print job ids.

    The jobs are rows in the durable print queue (services.print_queue): the station's print
    worker sends them, and a failed send is retried or reported there.
    """
    from wms_desk.db.models import Order
    from wms_desk.printing.picklist import pick_list_pdf
    from wms_desk.services import documents
    from wms_desk.services.print_queue import enqueue
    from wms_desk.services.station_bindings import bindings_of

    if kind not in PRINT_KINDS:
        raise ValidationFailed(f"Unknown document kind {kind!r}.")
    if not order_ids:
        raise ValidationFailed("Select the orders to print for.")
    printer = bindings_of(uow).printer("document_printer")
    orders = list(
        uow.session.scalars(select(Order).where(Order.id.in_(list(order_ids))).order_by(Order.id))
    )
    if not orders:
        raise NotFound("None of the selected orders exist any more.")
    if kind == "slips":
        company = documents.company_address(settings)
        return [documents.enqueue_packing_slip(uow, o.id, printer, company) for o in orders]
    # A wave's orders share one pick list (walked once through the bins); others get their own.
    refs: dict[str, int | None] = {}  # pick-list reference -> its order (None for a wave)
    for order in orders:
        batch = uow.session.get(PickBatch, order.batch_id) if order.batch_id else None
        refs.setdefault(batch.name if batch else order.number, None if batch else order.id)
    jobs = []
    for ref, order_id in refs.items():
        data = documents.pick_list_data(uow.session, ref, uow.now)
        jobs.append(
            enqueue(
                uow,
                document="pick_list",
                payload=pick_list_pdf(data),
                fmt="pdf",
                printer_url=printer.url,
                title=f"Pick list {ref}",
                order_id=order_id,
            )
        )
    return jobs
