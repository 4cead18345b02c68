"""Boxes: NEW BOX, the weight of the open box (scale or typed), a supervisor's weight approval."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import Package
from wms_desk.domain import weighing
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Permission
from wms_desk.domain.weighing import WeightCheck
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.packing.common import (
    Work,
    current_package,
    load,
    record,
    replayed,
)
from wms_desk.services.packing.session import ScanVerdict
from wms_desk.services.station_bindings import bindings_of
from wms_desk.services.uow import UnitOfWork, unit_of_work


def new_box_in(work: Work, event_id: str | None) -> ScanVerdict:
    package = current_package(work)
    number = work.order.number
    items = work.uow.session.scalar(select(Package.last_item_at).where(Package.id == package.id))
    if items is None:
        message = f"Box {package.seq} of order {number} is still empty: put an item in it first."
        record(work, event_id, "pack.new_box", ScanOutcome.NOT_COMPLETE, message)
        return work.verdict(ScanOutcome.NOT_COMPLETE, message)
    if work.policy.require_weight and package.weight_g is None:
        message = f"Weigh box {package.seq} before you start box {package.seq + 1}."
        record(work, event_id, "pack.new_box", ScanOutcome.NOT_COMPLETE, message)
        return work.verdict(ScanOutcome.NOT_COMPLETE, message)
    message = f"Box {package.seq + 1} of order {number} started: scan its items."
    if not record(work, event_id, "pack.new_box", ScanOutcome.NEW_BOX, message):
        return work.verdict(ScanOutcome.REPLAYED, "Already recorded.")
    work.progress.current_seq = package.seq + 1
    current_package(work)
    return work.verdict(ScanOutcome.NEW_BOX, message)


@unit_of_work(Permission.PICK_AND_PACK)
def new_box(uow: UnitOfWork, order_id: int, event_id: str | None) -> ScanVerdict:
    """CMD:NEW-BOX: the next scans go into a new package (n of m)."""
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    return new_box_in(load(uow, order_id), event_id)


def _has_scale(uow: UnitOfWork) -> bool:
    return bindings_of(uow).scale is not None


@unit_of_work(Permission.PICK_AND_PACK)
def record_weight(
    uow: UnitOfWork,
    order_id: int,
    grams: Decimal,
    event_id: str | None,
    *,
    stable: bool = True,
    typed: bool = False,
    taken_at: datetime | None = None,
) -> ScanVerdict:
    """The open box's weight: a stable scale reading taken after its last item, or a typed
    weight at a station without a scale (audited). Checked against the expected weight."""
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    work = load(uow, order_id)
    grams = Decimal(grams)
    if typed and _has_scale(uow):
        raise ValidationFailed(
            "This station has a scale: put the box on it instead of typing a weight."
        )
    package = current_package(work)
    refusal = weighing.reading_refusal(stable or typed, grams, taken_at, package.last_item_at)
    if refusal:
        return work.verdict(ScanOutcome.NOT_COMPLETE, f"Box {package.seq}: {refusal}")
    verdict = weighing.check_weight(
        grams, package.expected_weight_g or Decimal(0), work.policy.tolerance
    )
    source = "typed" if typed else "scale"
    record(
        work,
        event_id,
        "pack.weighed",
        ScanOutcome.WEIGHED,
        f"Box {package.seq}: {verdict.message}",
        seq=package.seq,
        grams=str(grams),
        expected=str(package.expected_weight_g),
        check=verdict.check.value,
        source=source,
    )
    package.weight_g = grams
    package.weight_source = source
    package.weight_check = verdict.check.value
    package.weight_approved_by_id = None
    package.weighed_at = taken_at or uow.now
    return work.verdict(ScanOutcome.WEIGHED, f"Box {package.seq}: {verdict.message}")


@unit_of_work(Permission.OVERRIDE_PACKING)
def approve_weight(
    uow: UnitOfWork, order_id: int, seq: int, reason: str, event_id: str | None
) -> ScanVerdict:
    """A supervisor accepts a box whose weight blocked completion; audited with the reason."""
    if not reason.strip():
        raise ValidationFailed("Say why this weight is right (e.g. 'heavy gift wrap').")
    already = replayed(uow, event_id)
    if already is not None:
        return load(uow, order_id, hold=False).verdict(ScanOutcome.REPLAYED, already)
    work = load(uow, order_id, hold=False)
    package = uow.session.scalar(
        select(Package).where(Package.order_id == order_id, Package.seq == seq)
    )
    if package is None or package.weight_g is None:
        raise NotFound(f"Box {seq} of order {work.order.number} has no weight to approve.")
    if package.weight_check != WeightCheck.BLOCK.value:
        raise ValidationFailed(f"Box {seq} of order {work.order.number} needs no approval.")
    message = f"Weight {package.weight_g:.0f} g of box {seq} approved: {reason}."
    record(work, event_id, "pack.weight_approved", ScanOutcome.WEIGHED, message, seq=seq)
    package.weight_approved_by_id = uow.actor.user_id
    return work.verdict(ScanOutcome.WEIGHED, message)
