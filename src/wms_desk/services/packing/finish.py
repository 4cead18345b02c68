"""Opening an order at the pack station, COMPLETE, CANCEL, REPRINT and the resume query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    Bin,
    Order,
    Package,
    PackProgress,
    PickBatch,
    PrintJob,
)
from wms_desk.domain import order_status
from wms_desk.domain.codes import ORDER_PREFIX
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import Operation
from wms_desk.printing.model import Address
from wms_desk.services import claims, documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.packing.common import Work, load, load_scan, record, replayed
from wms_desk.services.packing.session import PackSession, ScanVerdict, build_session
from wms_desk.services.print_queue import enqueue
from wms_desk.services.shipping import labels as shipping
from wms_desk.services.station_bindings import bindings_of
from wms_desk.services.stock import apply_move
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, read_only, unit_of_work

STAGING_BIN = "STAGE"  # where single-order picks wait for packing
DOCK_BIN = "DOCK"  # packed goods wait here for the carrier


def internal_bin(session: Session, code: str, zone: str) -> int:
    """A bin that is not a storage location (never allocated from: inactive), made on demand."""
    insert_ignoring_duplicates(
        session, Bin, {"code": code, "zone": zone, "pick_sequence": 0, "active": False}, "code"
    )
    bin_id = session.scalar(select(Bin.id).where(Bin.code == code))
    assert bin_id is not None
    return bin_id


def internal_bins(session: Session, zones: dict[str, str]) -> dict[str, int]:
    """`internal_bin` for several codes (code -> zone): one read once they exist, as they do
    after the first COMPLETE (making each on demand cost an INSERT and a SELECT every time)."""
    ids = {c: i for c, i in session.execute(select(Bin.code, Bin.id).where(Bin.code.in_(zones)))}
    for code, zone in zones.items():
        if code not in ids:
            ids[code] = internal_bin(session, code, zone)
    return ids


def tote_code(order: Order) -> str:
    return order.tote or STAGING_BIN


def _find(session: Session, ref: str) -> Order:
    """An order number, an `ORD:` slip barcode, a tote code, or a batch name (first to pack)."""
    text = ref.strip()
    by_tote = session.scalar(select(Order).where(Order.tote == text))
    if by_tote is not None:
        return by_tote
    batch = session.scalar(select(PickBatch).where(PickBatch.name == text))
    if batch is not None:
        order = session.scalar(
            select(Order)
            .where(Order.batch_id == batch.id, Order.status.in_(claims.ELIGIBLE[Operation.PACK]))
            .order_by(Order.tote, Order.id)
            .limit(1)
        )
        if order is None:
            raise NotFound(f"Batch {batch.name} has no order ready to pack.")
        return order
    return documents.find_order(session, text.removeprefix(ORDER_PREFIX))


@unit_of_work(Permission.PICK_AND_PACK)
def open_order(uow: UnitOfWork, ref: str) -> PackSession:
    """Scan of an order number, slip, tote or batch: claim it for packing and show it.
    Raises claims.HeldElsewhere when another station's live lease holds it."""
    order = _find(uow.session, ref)
    claims.acquire(uow, order, Operation.PACK)
    return load(uow, order.id).session_view()


@unit_of_work(Permission.PICK_AND_PACK)
def open_next(uow: UnitOfWork) -> PackSession | None:
    """ "Next order" at the pack station (see claims.claim_next)."""
    claim = claims.claim_next_in(uow, Operation.PACK)
    if claim is None:
        return None
    return load(uow, claim.order_id).session_view()


def _print(work: Work, settings: Any) -> list[str]:
    """The slip (per station setting) and one provisional label per box, in this transaction."""
    uow = work.uow
    bindings = bindings_of(uow)
    notes = []
    # Screens pass the app's settings; without them (scripts, tests) a neutral sender line
    # (the slip renderer needs a first company line).
    company = (
        documents.company_address(settings)
        if settings is not None
        else Address("Shipping department")
    )
    if work.policy.print_slip:
        try:
            printer = bindings.printer("document_printer")
            documents.enqueue_packing_slip(uow, work.order.id, printer, company)
        except ValidationFailed as exc:
            notes.append(f"Slip not printed: {exc}")
    try:
        label_printer = bindings.printer("label_printer")
    except ValidationFailed as exc:
        notes.append(f"Labels not printed: {exc}")
    else:
        if shipping.buys_at_complete(uow):  # the station buys carrier labels at COMPLETE
            notes.append(shipping.complete_and_ship(uow, work.order.id, label_printer, company))
            return notes
        seqs = uow.session.scalars(
            select(Package.seq).where(Package.order_id == work.order.id).order_by(Package.seq)
        )
        for seq in list(seqs):
            documents.enqueue_shipping_label(uow, work.order.id, seq, label_printer, company)
    return notes


def complete_in(work: Work, event_id: str | None, settings: Any = None) -> ScanVerdict:
    uow, order = work.uow, work.order
    if work.progress.completed_at is not None:
        work.keep_lease()
        return work.verdict(ScanOutcome.COMPLETED, f"Order {order.number} is already packed.")
    session = uow.session
    # COMPLETE changes no count, short or pick: the lines read once serve every snapshot.
    lines = work.unchanging_lines()
    # The boxes are read once: COMPLETE changes none of what the snapshot shows of them (a
    # purchase sets tracking numbers, which it does not show), so the snapshot after it is
    # built from the same rows, less the empty box dropped below.
    boxes = work.boxes()
    view = work.session_view(boxes)
    if not view.can_complete:
        work.keep_lease()
        message = " ".join(view.blockers)
        record(work, event_id, "pack.complete", ScanOutcome.NOT_COMPLETE, message)
        return work.verdict(ScanOutcome.NOT_COMPLETE, message)
    if not record(work, event_id, "pack.complete", ScanOutcome.COMPLETED, "completed"):
        work.keep_lease()
        return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
    # An empty box left by a last NEW BOX is dropped; the others keep their numbers. The
    # snapshot just taken lists every box with its item rows.
    empty = [package.seq for package in view.packages if not package.items]
    if empty:
        session.execute(delete(Package).where(Package.order_id == order.id, Package.seq.in_(empty)))
    session.expire(order, ["packages"])
    # Packed goods leave the tote (or staging) for the dock, in the ledger.
    tote_bin = tote_code(order)
    bins = internal_bins(session, {tote_bin: "TOTE", DOCK_BIN: "OUT"})
    tote, dock = bins[tote_bin], bins[DOCK_BIN]
    # By product: the dock's stock rows are every station's, so each COMPLETE locks them in
    # the same order; in line order, two orders holding the same two products the other way
    # round deadlocked (16 stations on PostgreSQL, test_pack_concurrency).
    moving = [line for line in lines if line.verified > 0 and line.product_id is not None]
    for line in sorted(moving, key=lambda line: (line.product_id, line.line_id)):
        assert line.product_id is not None
        apply_move(uow, line.product_id, line.verified, "pack", tote, dock, order.number)
    order_status.check_transition(order.status, OrderStatus.PACKED)
    order.status = OrderStatus.PACKED.value
    order.updated_at = uow.now
    work.progress.completed_at = uow.now
    work.progress.completed_by_id = uow.actor.user_id
    work.progress.station_id = uow.actor.station_id  # throughput per station
    work.progress.awaiting_line_id = None
    # The lease goes with the status: one UPDATE of the order (a lease left for later by
    # `load` is not renewed first: it ends here).
    claims.release_with_change(uow, order, "completed")
    work.lease_due = False
    session.flush()
    notes = _print(work, settings)
    # The order object is current (the release and a purchase write through it; a purchase
    # rolled back to its savepoint expires what it touched, and a box expired so is loaded
    # again when the snapshot reads it), so no refresh and no second read of the boxes.
    after = work.session_view([box for box in boxes if box[2]])
    count = len(after.packages)
    message = f"Order {order.number} packed in {count} box{'es' if count != 1 else ''}."
    return ScanVerdict(ScanOutcome.COMPLETED, " ".join([message, *notes]), after)


@unit_of_work(Permission.PICK_AND_PACK)
def complete(
    uow: UnitOfWork, order_id: int, event_id: str | None, settings: Any = None
) -> ScanVerdict:
    """CMD:COMPLETE: record the boxes, move the order to packed, print; twice is harmless."""
    # The order, its progress, the station's rules and a replay in one read (three before);
    # committed synchronously: COMPLETE moves stock and may buy labels.
    work, already = load_scan(uow, order_id, event_id, asynchronous=False)
    if already is not None:
        return work.verdict(ScanOutcome.REPLAYED, already)
    if work.progress.completed_at is not None:
        return work.verdict(ScanOutcome.COMPLETED, f"Order {work.order.number} is already packed.")
    # The lease is checked and left for later: COMPLETE releases it (see load's `renewing`).
    work.lease_due = claims.hold(uow, work.order, Operation.PACK, renewing=False)
    return complete_in(work, event_id, settings)


def cancel_in(work: Work, event_id: str | None) -> ScanVerdict:
    message = f"Order {work.order.number} put back in the queue; what was verified stays recorded."
    record(work, event_id, "pack.cancel", ScanOutcome.NOT_COMPLETE, message)
    claims.release_order(work.uow, work.order, "cancel")
    return work.verdict(ScanOutcome.NOT_COMPLETE, message)


@unit_of_work(Permission.PICK_AND_PACK)
def cancel(uow: UnitOfWork, order_id: int, event_id: str | None) -> ScanVerdict:
    """CMD:CANCEL: give the order back (its counts and boxes stay for whoever resumes it)."""
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    return cancel_in(load(uow, order_id), event_id)


def reprint_in(work: Work, event_id: str | None) -> ScanVerdict:
    session = work.uow.session
    jobs = list(
        session.scalars(
            select(PrintJob)
            .where(PrintJob.order_id == work.order.id, PrintJob.reprint_of.is_(None))
            .order_by(PrintJob.created_at)
        )
    )
    if not jobs:
        message = f"Nothing has been printed for order {work.order.number} yet."
        return work.verdict(ScanOutcome.NOT_COMPLETE, message)
    message = f"Reprinting {len(jobs)} document(s) of order {work.order.number}."
    if not record(work, event_id, "pack.reprint", ScanOutcome.COMPLETED, message):
        return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
    for job in jobs:
        enqueue(
            work.uow,
            document=job.document,
            payload=job.payload,
            fmt=job.format,
            printer_url=job.printer_url,
            title=job.title,
            order_id=job.order_id,
            package_id=job.package_id,
            reprint_of=job.id,
            reason="station REPRINT",
        )
    return work.verdict(ScanOutcome.COMPLETED, message)


@unit_of_work(Permission.PICK_AND_PACK)
def reprint(uow: UnitOfWork, order_id: int, event_id: str | None) -> ScanVerdict:
    """CMD:REPRINT: the order's slip and labels again, as audited reprints."""
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    return reprint_in(load(uow, order_id, hold=False), event_id)


@read_only
def _session_of(session: Session, order_id: int, station_id: int | None) -> PackSession:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    policy = claims.station_rules(session, station_id).pack
    return build_session(session, order, policy, session.get(PackProgress, order_id))


def pack_session(ctx: ServiceContext, order_id: int) -> PackSession:
    """The pack screen's snapshot of an order, read only."""
    return _session_of(ctx, order_id, ctx.actor.station_id)


def current_pack_session(ctx: ServiceContext) -> PackSession | None:
    """After a restart: the order this station and user were packing, with its counts, boxes
    and weights exactly as committed (None when nothing is open)."""
    work = claims.current_work(ctx)
    if work is None or work.operation is not Operation.PACK or work.order_id is None:
        return None
    return pack_session(ctx, work.order_id)
