"""Inspection and disposition of one received unit: restock, quarantine, scrap, return to vendor."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from wms_desk.db.models import Bin, OrderLine, RmaLine, RmaUnit
from wms_desk.domain.returns import (
    QUARANTINE_BIN,
    RECEIVING_BIN,
    Condition,
    Disposition,
    ReturnRefused,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.allocation import allocate_waiting
from wms_desk.services.errors import NotFound
from wms_desk.services.returns.common import is_returns_bin, returns_bin
from wms_desk.services.stock import apply_move
from wms_desk.services.uow import UnitOfWork, unit_of_work


def dispose_unit(
    uow: UnitOfWork,
    unit: RmaUnit,
    condition: Condition,
    disposition: Disposition,
    bin_code: str | None = None,
    note: str = "",
    photo: str | None = None,
    rma_number: str = "",
) -> None:
    """Record the unit's condition and move it out of the receiving bin to where it goes."""
    session = uow.session
    line = session.get(RmaLine, unit.rma_line_id)
    order_line = session.get(OrderLine, line.order_line_id) if line else None
    if line is None or order_line is None or order_line.product_id is None:
        raise NotFound("This returned unit's order line is gone; ask a supervisor.")
    sku = order_line.sku or "?"
    if unit.disposition is not None:
        raise ReturnRefused(
            f"This unit of {sku} was already inspected ({unit.disposition}); nothing changed."
        )
    if photo and not Path(photo).is_file():
        raise ReturnRefused(
            f"There is no photo file {photo}. Take the photo again or leave it out."
        )
    receiving = returns_bin(session, RECEIVING_BIN)
    product_id = order_line.product_id
    target: Bin | None = None
    if disposition is Disposition.RESTOCK:
        if not bin_code:
            raise ReturnRefused(f"Scan the bin to restock {sku} into.")
        target = session.scalar(select(Bin).where(Bin.code == bin_code.strip()))
        if target is None:
            raise NotFound(f"There is no bin {bin_code}. Scan the bin's label again.")
        if not target.active or is_returns_bin(target.code):
            raise ReturnRefused(
                f"Bin {target.code} is not a stock bin (nothing is allocated from it); "
                f"scan a pick bin to restock {sku}, or choose quarantine."
            )
        apply_move(uow, product_id, 1, "return_restock", receiving.id, target.id, rma_number)
    elif disposition is Disposition.QUARANTINE:
        target = returns_bin(session, QUARANTINE_BIN)
        apply_move(uow, product_id, 1, "return_quarantine", receiving.id, target.id, rma_number)
    elif disposition is Disposition.SCRAP:
        apply_move(uow, product_id, 1, "scrap", receiving.id, None, rma_number)
    else:
        apply_move(uow, product_id, 1, "return_to_vendor", receiving.id, None, rma_number)
    unit.condition = condition.value
    unit.disposition = disposition.value
    unit.bin_id = target.id if target else None
    unit.note = note.strip()
    unit.photo_path = photo or None
    unit.inspected_at = uow.now
    unit.inspected_by_id = uow.actor.user_id
    uow.audit(
        "rma.inspected",
        "rma",
        rma_number,
        after={
            "sku": sku,
            "serial": unit.serial,
            "condition": condition.value,
            "disposition": disposition.value,
            "bin": target.code if target else None,
            "note": unit.note,
        },
    )
    if disposition is Disposition.RESTOCK:
        # Orders waiting for this SKU get the unit now, in the same transaction.
        allocate_waiting(uow, [product_id])


@unit_of_work(Permission.RECEIVE_RETURNS)
def inspect_unit(
    uow: UnitOfWork,
    unit_id: int,
    condition: Condition,
    disposition: Disposition,
    bin_code: str | None = None,
    note: str = "",
    photo: str | None = None,
) -> None:
    """The returns station's verdict on one unit it received."""
    from wms_desk.db.models import Rma

    unit = uow.session.get(RmaUnit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound(f"There is no received unit {unit_id}; refresh the return.")
    line = uow.session.get(RmaLine, unit.rma_line_id)
    rma = uow.session.get(Rma, line.rma_id) if line else None
    dispose_unit(
        uow, unit, condition, disposition, bin_code, note, photo, rma.number if rma else ""
    )
