"""The stock ledger: every change is a move row, and the per-bin cache changes in the same step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wms_desk.db.models import Bin, BinStock, Product, Reservation, StockMove
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import (
    UnitOfWork,
    insert_ignoring_duplicates,
    insert_or_add,
    unit_of_work,
)


class NotEnoughStock(ValidationFailed):
    pass


class _Refused(Exception):
    """The bin does not hold the units free (no cache row, or too few beside what is reserved)."""


def _ensure_cache_row(session: Session, bin_id: int, product_id: int) -> None:
    insert_ignoring_duplicates(
        session,
        BinStock,
        {"bin_id": bin_id, "product_id": product_id, "on_hand": 0, "reserved": 0},
        "bin_id",
        "product_id",
    )


def _take_out(session: Session, bin_id: int, product_id: int, qty: int) -> bool:
    """False when the bin does not hold `qty` free of the product (no cache row, or fewer
    units than taken plus reserved): the row is then left as it was. The condition is the
    table's two CHECKs on the new on-hand, so the statement never fails on them and needs no
    savepoint to keep the caller's transaction usable."""
    result = session.execute(
        update(BinStock)
        .where(
            BinStock.bin_id == bin_id,
            BinStock.product_id == product_id,
            BinStock.on_hand - qty >= 0,
            BinStock.reserved <= BinStock.on_hand - qty,
        )
        .values(on_hand=BinStock.on_hand - qty)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _put_in(session: Session, bin_id: int, product_id: int, qty: int) -> None:
    """One upsert: the cache row is made with `qty`, or `qty` is added to it."""
    insert_or_add(
        session,
        BinStock,
        {"bin_id": bin_id, "product_id": product_id, "on_hand": qty, "reserved": 0},
        ("bin_id", "product_id"),
        "on_hand",
    )
    # An UPDATE would have told a loaded row of the new on-hand; an upsert does not.
    loaded = session.identity_map.get(session.identity_key(BinStock, (bin_id, product_id)))
    if loaded is not None:
        session.expire(loaded, ["on_hand"])


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
        # One statement a bin (ensuring the cache row and then updating it took two). No
        # savepoint (two round trips on PostgreSQL): the take-out refuses by its condition,
        # not by a CHECK violation, so the transaction stays usable for the message below,
        # and putting a positive quantity in cannot violate either CHECK.
        if from_bin_id is not None and not _take_out(session, from_bin_id, product_id, qty):
            raise _Refused
        if to_bin_id is not None:
            _put_in(session, to_bin_id, product_id, qty)
    except _Refused as exc:
        bin_code = session.scalar(select(Bin.code).where(Bin.id == from_bin_id)) or "?"
        sku = session.scalar(select(Product.sku).where(Product.id == product_id)) or "?"
        raise NotEnoughStock(
            f"Bin {bin_code} does not hold {qty} free of {sku}. "
            "Count the bin, or take the goods from another bin."
        ) from exc
    if from_bin_id is None:
        # Goods arrived (a receipt, a count up, a restock): waiting orders may now be served.
        note_freed(uow, [product_id])


@dataclass(frozen=True)
class BinQuantity:
    bin_code: str
    sku: str
    on_hand: int
    reserved: int


def lock_bin_stock(session: Session, bin_id: int, product_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of one cache row, created if missing and locked until commit.

    Whatever another station writes to the row meanwhile has committed before this returns
    (PostgreSQL waits on the row lock; SQLite's BEGIN IMMEDIATE already serialises writers), so
    a move computed from these values cannot lose an update.
    """
    _ensure_cache_row(session, bin_id, product_id)
    on_hand, reserved = session.execute(
        select(BinStock.on_hand, BinStock.reserved)
        .where(BinStock.bin_id == bin_id, BinStock.product_id == product_id)
        .with_for_update()
    ).one()
    return int(on_hand), int(reserved)


def count_bin(uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str) -> BinQuantity:
    """A counted quantity, in the caller's unit of work: the difference becomes a ledger move.

    On-hand ends at `counted` whatever runs beside it: the move is computed from the locked row.
    """
    if counted < 0:
        raise ValidationFailed("A counted quantity cannot be negative.")
    if not reason.strip():
        raise ValidationFailed("Say why the quantity changes (e.g. 'cycle count', 'damaged').")
    session = uow.session
    bin_id = session.scalar(select(Bin.id).where(Bin.code == bin_code))
    product_id = session.scalar(select(Product.id).where(Product.sku == sku))
    if bin_id is None:
        raise NotFound(f"There is no bin {bin_code}.")
    if product_id is None:
        raise NotFound(f"There is no product with SKU {sku}.")
    before, reserved = lock_bin_stock(session, bin_id, product_id)
    if counted < reserved:
        raise ValidationFailed(
            f"{reserved} of {sku} in {bin_code} are reserved for orders; "
            "release those orders first or count again."
        )
    if counted > before:
        apply_move(uow, product_id, counted - before, "adjust", to_bin_id=bin_id, reference=reason)
    elif counted < before:
        apply_move(
            uow, product_id, before - counted, "adjust", from_bin_id=bin_id, reference=reason
        )
    uow.audit(
        "stock.adjusted",
        "bin",
        bin_code,
        before={"sku": sku, "on_hand": before},
        after={"sku": sku, "on_hand": counted, "reason": reason},
    )
    return BinQuantity(bin_code, sku, counted, reserved)


@unit_of_work(Permission.EDIT_STOCK)
def set_bin_quantity(
    uow: UnitOfWork, bin_code: str, sku: str, counted: int, reason: str
) -> BinQuantity:
    """A supervisor's count of one bin, audited; orders waiting for the product try again."""
    # Imported here: allocation builds on this module (as orders.release_orders does).
    from wms_desk.services.allocation import count_and_allocate

    return count_and_allocate(uow, bin_code, sku, counted, reason).bin


# --- stock that became free: orders waiting for it are allocated before the commit --------

_FREED_KEY = "wms_freed_products"


def note_freed(uow: UnitOfWork, product_ids: Iterable[int]) -> None:
    """Remember products whose free stock grew in this unit of work (arrival or release)."""
    uow.session.info.setdefault(_FREED_KEY, set()).update(product_ids)


def take_freed(uow: UnitOfWork) -> set[int]:
    """The products noted so far, forgotten once taken (allocation takes them)."""
    freed: set[int] = uow.session.info.pop(_FREED_KEY, set())
    return freed


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
    """Give back everything reserved for these lines; returns the units released.

    DELETE ... RETURNING gives back exactly the rows this transaction removed, so two stations
    releasing the same order never give the stock back twice. The freed products are noted:
    the next allocation in this unit of work (allocate_freed) serves the orders waiting for them.
    """
    if not order_line_ids:
        return 0
    session = uow.session
    session.flush()
    removed = session.execute(
        delete(Reservation)
        .where(Reservation.order_line_id.in_(order_line_ids))
        .returning(Reservation.bin_id, Reservation.product_id, Reservation.qty),
        execution_options={"synchronize_session": False},
    ).all()
    given_back: dict[tuple[int, int], int] = {}
    for bin_id, product_id, qty in removed:
        given_back[bin_id, product_id] = given_back.get((bin_id, product_id), 0) + qty
    for (bin_id, product_id), qty in sorted(given_back.items()):
        session.execute(
            update(BinStock)
            .where(BinStock.bin_id == bin_id, BinStock.product_id == product_id)
            .values(reserved=BinStock.reserved - qty)
        )
    # ORM copies of the deleted rows must not be flushed again.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Reservation) and obj.order_line_id in order_line_ids:
            session.expunge(obj)
    note_freed(uow, {product_id for _, product_id in given_back})
    return sum(given_back.values())


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
