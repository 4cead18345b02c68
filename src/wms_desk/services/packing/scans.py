"""verify_scan and the by-hand paths: each scan one short transaction, idempotent on event id."""

from __future__ import annotations

from sqlalchemy import select

from wms_desk.db.models import (
    LineShortage,
    PackCapture,
)
from wms_desk.domain import packing
from wms_desk.domain.codes import COMMAND_PREFIX, StationCommand
from wms_desk.domain.packing import PackLine, ScannedProduct, ScanOutcome
from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import ScanResult, interpret
from wms_desk.domain.station_rules import Operation
from wms_desk.services import claims
from wms_desk.services.errors import NotFound, PermissionDenied, ValidationFailed
from wms_desk.services.packing import boxes, finish, statements
from wms_desk.services.packing.common import (
    Work,
    add_item,
    current_package,
    load,
    load_scan,
    record,
    replayed,
    set_carton,
)
from wms_desk.services.packing.session import ScanVerdict, all_cartons, flushed_connection
from wms_desk.services.uow import UnitOfWork, unit_of_work


def _codes_for(scan: ScanResult) -> list[str]:
    """The stored forms a scan may match: as read, and the GTIN-14 without leading zeros."""
    codes = [scan.data.strip()]
    if scan.gtin:
        gtin = scan.gtin
        codes += [gtin, gtin[1:], gtin[2:]] if gtin.startswith("00") else [gtin, gtin[1:]]
    return list(dict.fromkeys(c for c in codes if c))


def _product_for(work: Work, scan: ScanResult) -> ScannedProduct | None:
    if work.scanned_read:  # read with the order (load_scan)
        row = work.scanned
    else:
        found = (
            flushed_connection(work.uow.session)
            .execute(statements.PRODUCT_BY_CODE, {"codes": _codes_for(scan)})
            .first()
        )
        row = None if found is None else (found.quantity, found.id, found.sku, found.name)
    if row is None:
        return None
    quantity, product_id, sku, name = row
    qty = quantity if work.policy.accept_case_barcodes or quantity == 1 else 0
    return ScannedProduct(product_id, sku, name, qty)


def _capture(work: Work, line: PackLine, scan: ScanResult, event_id: str | None) -> ScanVerdict:
    value = (scan.serial if line.needs_serial else scan.lot) or scan.data.strip()
    kind = line.capture or "serial"
    taken = (
        work.uow.session.scalar(
            select(PackCapture.id).where(
                PackCapture.order_line_id == line.line_id,
                PackCapture.kind == kind,
                PackCapture.value == value,
            )
        )
        is not None
    )
    judgement = packing.judge_capture(work.order.number, line, value, taken)
    if not record(work, event_id, "pack.scan", judgement.outcome, judgement.message, code=value):
        return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
    if judgement.outcome is ScanOutcome.SERIAL_RECORDED:
        package = add_item(work, line, 1)
        work.uow.session.add(
            PackCapture(
                order_line_id=line.line_id,
                package_id=package.id,
                kind=kind,
                value=value[:64],
                created_at=work.uow.now,
            )
        )
        work.progress.awaiting_line_id = None
    return work.verdict(judgement.outcome, judgement.message, line.line_id, judgement.qty)


def judge_and_apply(work: Work, scan: ScanResult, event_id: str | None) -> ScanVerdict:
    session = work.uow.session
    order = work.order
    lines = work.lines()
    if scan.kind == "command" or scan.data.startswith(COMMAND_PREFIX):
        return _command(work, scan, event_id)
    code = scan.data.strip()
    carton = next((c for c in all_cartons(session) if c.barcode == code), None)
    if carton is not None:
        message = f"Box {work.progress.current_seq} of order {order.number} is a {carton.code}."
        if not record(work, event_id, "pack.scan", ScanOutcome.CARTON_SET, message, code=scan.data):
            return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
        set_carton(work, carton)
        return work.verdict(ScanOutcome.CARTON_SET, message)
    awaiting = next((ln for ln in lines if ln.line_id == work.progress.awaiting_line_id), None)
    product = _product_for(work, scan) if scan.ok or scan.gtin else None
    if awaiting is not None and product is None:
        return _capture(work, awaiting, scan, event_id)
    if product is None:
        message = (
            f"Code {scan.data!r} is not a product, carton or station command. "
            f"Scan an item of order {order.number}."
        )
        if scan.error:
            message = f"The scan could not be read ({scan.error}). Scan it again."
        outcome = ScanOutcome.UNKNOWN_CODE
        record(work, event_id, "pack.scan", outcome, message, code=scan.data)
        return work.verdict(outcome, message)
    if product.quantity == 0:
        message = f"Case barcodes are not accepted here: scan single units of {product.sku}."
        record(work, event_id, "pack.scan", ScanOutcome.OVER_SCAN, message, code=scan.data)
        return work.verdict(ScanOutcome.OVER_SCAN, message)
    if awaiting is not None:
        message = f"Scan the {awaiting.capture} number of {awaiting.sku} first."
        record(work, event_id, "pack.scan", ScanOutcome.NEEDS_SERIAL, message, code=scan.data)
        return work.verdict(ScanOutcome.NEEDS_SERIAL, message, awaiting.line_id)
    judgement = packing.judge_item(order.number, lines, product)
    details = {"code": scan.data, "sku": product.sku, "line_id": judgement.line_id}
    if not record(
        work,
        event_id,
        "pack.scan",
        judgement.outcome,
        judgement.message,
        qty=judgement.qty,
        **details,
    ):
        return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
    line = next((ln for ln in lines if ln.line_id == judgement.line_id), None)
    if judgement.outcome is ScanOutcome.VERIFIED and line is not None:
        add_item(work, line, judgement.qty)
    elif judgement.outcome is ScanOutcome.NEEDS_SERIAL and line is not None:
        current_package(work)
        work.progress.awaiting_line_id = line.line_id
    return work.verdict(judgement.outcome, judgement.message, judgement.line_id, judgement.qty)


def _command(work: Work, scan: ScanResult, event_id: str | None) -> ScanVerdict:
    name = scan.data.strip().removeprefix(COMMAND_PREFIX)
    try:
        command = StationCommand(name)
    except ValueError:
        message = f"{scan.data!r} is not a station command this screen knows."
        record(work, event_id, "pack.scan", ScanOutcome.UNKNOWN_CODE, message, code=scan.data)
        return work.verdict(ScanOutcome.UNKNOWN_CODE, message)
    if command is StationCommand.NEW_BOX:
        return boxes.new_box_in(work, event_id)
    if command is StationCommand.COMPLETE:
        return finish.complete_in(work, event_id)
    if command is StationCommand.CANCEL:
        return finish.cancel_in(work, event_id)
    if command is StationCommand.REPRINT:
        return finish.reprint_in(work, event_id)
    message = "Sign out from the station menu or with your badge."
    if command is StationCommand.NEXT_BATCH:
        message = f"Next batch is for the Pick screen. Order {work.order.number} stays open."
    return work.verdict(ScanOutcome.UNKNOWN_CODE, message)


@unit_of_work(Permission.PICK_AND_PACK)
def verify_scan(
    uow: UnitOfWork, order_id: int, scan: ScanResult | str, event_id: str | None = None
) -> ScanVerdict:
    """One scan at the pack station, judged and committed; a replayed event id changes nothing.
    Without `event_id` the ScanResult's own (made at scan time) is used."""
    result = interpret(scan) if isinstance(scan, str) else scan
    event_id = event_id or (None if isinstance(scan, str) else scan.event_id)
    # A station command (COMPLETE moves stock, CANCEL gives the order back) commits
    # synchronously; an item, carton or serial scan need not (see load_scan).
    command = result.kind == "command" or result.data.startswith(COMMAND_PREFIX)
    # What judge_and_apply would look up as a product is read with the order.
    looks_up = not command and (result.ok or bool(result.gtin))
    codes = _codes_for(result) if looks_up else None
    work, already = load_scan(uow, order_id, event_id, asynchronous=not command, codes=codes)
    if already is not None:
        return work.verdict(ScanOutcome.REPLAYED, already)
    order = work.order
    if work.progress.completed_at is not None:
        if result.kind == "command" and result.data.endswith(StationCommand.REPRINT.value):
            return finish.reprint_in(work, event_id)
        if result.kind == "command" and result.data.endswith(StationCommand.COMPLETE.value):
            return work.verdict(ScanOutcome.COMPLETED, f"Order {order.number} is already packed.")
        message = f"Order {order.number} is already packed. Scan the next order."
        return work.verdict(ScanOutcome.NOT_COMPLETE, message)
    claims.hold(uow, work.order, Operation.PACK)  # keeps `work.order` current: no re-read
    return judge_and_apply(work, result, event_id)


def _line(work: Work, line_id: int) -> PackLine:
    line = next((ln for ln in work.lines() if ln.line_id == line_id), None)
    if line is None:
        raise NotFound(f"Order {work.order.number} has no line {line_id}.")
    return line


@unit_of_work(Permission.PICK_AND_PACK)
def confirm_by_hand(
    uow: UnitOfWork, order_id: int, line_id: int, qty: int, event_id: str | None
) -> ScanVerdict:
    """Count units without a scan: supervisors, or packers this station allows, for items
    without a barcode; audited."""
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    # A supervisor signing off at the packer's station acts on the packer's claim.
    work = load(uow, order_id, hold=not uow.actor.can(Permission.OVERRIDE_PACKING))
    line = _line(work, line_id)
    supervisor = uow.actor.can(Permission.OVERRIDE_PACKING)
    allowed = work.policy.packers_confirm_by_hand or (
        uow.actor.user_id in work.policy.hand_confirm_user_ids
    )
    if not supervisor and not (allowed and not line.has_barcode):
        raise PermissionDenied(uow.actor.role.value, "confirm items by hand")
    if qty <= 0 or qty > line.verifiable:
        raise ValidationFailed(
            f"{line.sku} on order {work.order.number} has {line.verifiable} left to verify; "
            f"{qty} cannot be confirmed."
        )
    if line.capture is not None and not supervisor:
        raise ValidationFailed(f"{line.sku} needs a {line.capture} scan; it cannot be typed.")
    message = f"{qty} x {line.sku} {line.name} confirmed by hand for order {work.order.number}."
    outcome = ScanOutcome.CONFIRMED_BY_HAND
    record(work, event_id, "pack.confirmed_by_hand", outcome, message, line_id=line_id, qty=qty)
    add_item(work, line, qty)
    return work.verdict(outcome, message, line_id, qty)


@unit_of_work(Permission.OVERRIDE_PACKING)
def short_line(
    uow: UnitOfWork, order_id: int, line_id: int, qty: int, reason: str, event_id: str | None
) -> ScanVerdict:
    """A supervisor lets a line go short (with a reason), so the order can complete without it."""
    if not reason.strip():
        raise ValidationFailed("Say why the line goes short (e.g. 'damaged, none left').")
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    work = load(uow, order_id, hold=False)
    line = _line(work, line_id)
    if qty <= 0 or qty > line.remaining:
        raise ValidationFailed(
            f"{line.sku} on order {work.order.number} has {line.remaining} unverified; "
            f"it cannot go {qty} short."
        )
    row = uow.session.get(LineShortage, (line_id, "pack"))
    if row is None:
        uow.session.add(
            LineShortage(
                order_line_id=line_id,
                stage="pack",
                qty=qty,
                reason=reason[:200],
                user_id=uow.actor.user_id,
                created_at=uow.now,
            )
        )
    else:
        row.qty += qty
        row.reason = reason[:200]
    if work.progress.awaiting_line_id == line_id:
        work.progress.awaiting_line_id = None
    message = f"{qty} x {line.sku} on order {work.order.number} shorted: {reason}."
    record(work, event_id, "pack.shorted", ScanOutcome.SHORTED, message, line_id=line_id, qty=qty)
    return work.verdict(ScanOutcome.SHORTED, message, line_id, qty)
