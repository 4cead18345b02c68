"""The stock ledger: every change is a move row, and the per-bin cache changes in the same step."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wms_desk.db.models import Bin, BinStock, Product, Reservation, StockMove
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, unit_of_work


class NotEnoughStock(ValidationFailed):
    pass


def _ensure_cache_row(session: Session, bin_id: int, product_id: int) -> None:
    insert_ignoring_duplicates(
        session,
        BinStock,
        {"bin_id": bin_id, "product_id": product_id, "on_hand": 0, "reserved": 0},
        "bin_id",
        "product_id",
    )


def apply_move(
    uow: UnitOfWork,
    product_id: int,
    qty: int,
    reason: str,
    from_bin_id: int | None = None,
    to_bin_id: int | None = None,
    reference: str = "",
) -> None:
    """Append one ledger row and adjust the cache; the CHECK refuses any negative on-hand."""
    if qty <= 0:
        raise ValidationFailed("A stock move needs a positive quantity.")
    session = uow.session
    session.add(
        StockMove(
            product_id=product_id,
            from_bin_id=from_bin_id,
            to_bin_id=to_bin_id,
            qty=qty,
            reason=reason,
            reference=reference,
            user_id=uow.actor.user_id,
            station_id=uow.actor.station_id,
            created_at=uow.now,
        )
    )
    try:
        # A savepoint keeps the caller's transaction usable when the CHECK refuses the move.
        with session.begin_nested():
            if from_bin_id is not None:
                _ensure_cache_row(session, from_bin_id, product_id)
                session.execute(
                    update(BinStock)
                    .where(BinStock.bin_id == from_bin_id, BinStock.product_id == product_id)
                    .values(on_hand=BinStock.on_hand - qty)
                )
            if to_bin_id is not None:
                _ensure_cache_row(session, to_bin_id, product_id)
                session.execute(
                    update(BinStock)
                    .where(BinStock.bin_id == to_bin_id, BinStock.product_id == product_id)
                    .values(on_hand=BinStock.on_hand + qty)
                )
    except IntegrityError as exc:
        bin_code = session.scalar(select(Bin.code).where(Bin.id == from_bin_id)) or "?"
        sku = session.scalar(select(Product.sku).where(Product.id == product_id)) or "?"
        raise NotEnoughStock(
            f"Bin {bin_code} does not hold {qty} free of {sku}. "
            "Count the bin, or take the goods from another bin."
        ) from exc


@dataclass(frozen=True)
class BinQuantity:
    bin_code: str
    sku: str
    on_hand: int
    reserved: int


def count_bin(uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str) -> BinQuantity:
    """A counted quantity, in the caller's unit of work: the difference becomes a ledger move."""
    if counted < 0:
        raise ValidationFailed("A counted quantity cannot be negative.")
    if not reason.strip():
        raise ValidationFailed("Say why the quantity changes (e.g. 'cycle count', 'damaged').")
    session = uow.session
    bin_ = session.scalar(select(Bin).where(Bin.code == bin_code))
    product = session.scalar(select(Product).where(Product.sku == sku))
    if bin_ is None:
        raise NotFound(f"There is no bin {bin_code}.")
    if product is None:
        raise NotFound(f"There is no product with SKU {sku}.")
    _ensure_cache_row(session, bin_.id, product.id)
    row = session.get(BinStock, (bin_.id, product.id), populate_existing=True)
    assert row is not None
    before = row.on_hand
    if counted < row.reserved:
        raise ValidationFailed(
            f"{row.reserved} of {sku} in {bin_code} are reserved for orders; "
            "release those orders first or count again."
        )
    if counted > before:
        apply_move(uow, product.id, counted - before, "adjust", to_bin_id=bin_.id, reference=reason)
    elif counted < before:
        apply_move(
            uow, product.id, before - counted, "adjust", from_bin_id=bin_.id, reference=reason
        )
    uow.audit(
        "stock.adjusted",
        "bin",
        bin_code,
        before={"sku": sku, "on_hand": before},
        after={"sku": sku, "on_hand": counted, "reason": reason},
    )
    session.refresh(row)
    return BinQuantity(bin_code, sku, row.on_hand, row.reserved)



@unit_of_work(Permission.EDIT_STOCK)
def set_bin_quantity(
    uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str
) -> BinQuantity:
    """A supervisor's count of one bin, audited, on its own (without re-allocation)."""
    return count_bin(uow, bin_code, sku, counted, reason)

def reserve(uow: UnitOfWork, order_line_id: int, product_id: int, bin_id: int, qty: int) -> None:
    """Hold `qty` in a bin for an order line; the CHECK keeps reserved within on-hand."""
    session = uow.session
    with session.begin_nested():
        session.execute(
            update(BinStock)
            .where(BinStock.bin_id == bin_id, BinStock.product_id == product_id)
            .values(reserved=BinStock.reserved + qty)
        )
        existing = session.scalar(
            select(Reservation).where(
                Reservation.order_line_id == order_line_id, Reservation.bin_id == bin_id
            )
        )
        if existing is None:
            session.add(
                Reservation(
                    order_line_id=order_line_id,
                    product_id=product_id,
                    bin_id=bin_id,
                    qty=qty,
                    created_at=uow.now,
                )
            )
        else:
            existing.qty += qty
        session.flush()


def release_reservations(uow: UnitOfWork, order_line_ids: list[int]) -> int:
    """Give back everything reserved for these lines; returns the units released."""
    if not order_line_ids:
        return 0
    session = uow.session
    rows = session.scalars(
        select(Reservation).where(Reservation.order_line_id.in_(order_line_ids))
    ).all()
    released = 0
    for reservation in rows:
        session.execute(
            update(BinStock)
            .where(
                BinStock.bin_id == reservation.bin_id,
                BinStock.product_id == reservation.product_id,
            )
            .values(reserved=BinStock.reserved - reservation.qty)
        )
        released += reservation.qty
    session.execute(delete(Reservation).where(Reservation.order_line_id.in_(order_line_ids)))
    return released


@dataclass(frozen=True)
class Mismatch:
    bin_id: int
    product_id: int
    cached: int
    ledger: int


def reconcile(session: Session) -> list[Mismatch]:
    """Compare the cache with the ledger; an empty list means they agree."""
    inbound = select(
        StockMove.to_bin_id.label("bin_id"), StockMove.product_id, StockMove.qty
    ).where(StockMove.to_bin_id.is_not(None))
    outbound = select(
        StockMove.from_bin_id.label("bin_id"), StockMove.product_id, (-StockMove.qty)
    ).where(StockMove.from_bin_id.is_not(None))
    moves = inbound.union_all(outbound).subquery()
    ledger = dict(
        ((bin_id, product_id), int(total))
        for bin_id, product_id, total in session.execute(
            select(moves.c.bin_id, moves.c.product_id, func.sum(moves.c.qty)).group_by(
                moves.c.bin_id, moves.c.product_id
            )
        )
    )
    cached = {
        (row.bin_id, row.product_id): row.on_hand for row in session.scalars(select(BinStock))
    }
    return [
        Mismatch(key[0], key[1], cached.get(key, 0), ledger.get(key, 0))
        for key in sorted(set(ledger) | set(cached))
        if cached.get(key, 0) != ledger.get(key, 0)
    ]
