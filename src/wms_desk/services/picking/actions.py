"""Pick scans, quantity entry, declare stock-out, skip: each a short transaction on its event id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    BinStock,
    LineShortage,
    Order,
    OrderLine,
    PickBatch,
    PickProgress,
    Product,
    ProductBarcode,
    Reservation,
)
from wms_desk.domain import order_status, picking
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.picking import PickOutcome, PickStage, PickTask
from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import ScanResult, interpret
from wms_desk.domain.station_rules import Operation, PickPolicy, lease_is_live, lease_until
from wms_desk.services import claims
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.picking.session import (
    PickRef,
    PickSession,
    PickVerdict,
    build,
    orders_of,
    progress_of,
)
from wms_desk.services.stock import apply_move, reserve
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, unit_of_work


@dataclass
class Work:
    uow: UnitOfWork
    ref: PickRef
    orders: list[Order]
    policy: PickPolicy
    progress: PickProgress

    def view(self) -> PickSession:
        self.uow.session.flush()
        return build(self.uow.session, self.ref, self.policy, self.progress)

    def verdict(self, outcome: PickOutcome, message: str) -> PickVerdict:
        return PickVerdict(outcome, message, self.view())


def _claim_batch(uow: UnitOfWork, batch: PickBatch) -> None:
    mine = (
        batch.claimed_by_station_id == uow.actor.station_id
        and batch.claimed_by_user_id == uow.actor.user_id
    )
    if lease_is_live(batch.lease_until, uow.now) and not mine:
        raise ValidationFailed(
            f"Batch {batch.name} is being picked at another station since "
            f"{batch.claimed_at:%H:%M} UTC. Take another batch, or ask a supervisor."
        )
    if not mine or not lease_is_live(batch.lease_until, uow.now):
        batch.claimed_at = uow.now
        uow.audit(
            "batch.claimed", "pick_batch", batch.id, after={"station": uow.actor.station_name}
        )
    batch.claimed_by_station_id = uow.actor.station_id
    batch.claimed_by_user_id = uow.actor.user_id
    batch.lease_until = lease_until(uow.now)
    for order in uow.session.scalars(select(Order).where(Order.batch_id == batch.id)):
        if order.status == OrderStatus.ALLOCATED.value:
            order_status.check_transition(order.status, OrderStatus.PICKING)
            order.status = OrderStatus.PICKING.value


def load(uow: UnitOfWork, ref: PickRef, hold: bool = True) -> Work:
    session = uow.session
    if ref.batch_id is not None:
        batch = session.get(PickBatch, ref.batch_id)
        if batch is None:
            raise NotFound(f"Batch {ref.batch_id} no longer exists.")
        if hold:
            _claim_batch(uow, batch)
    orders = orders_of(session, ref)
    if hold and ref.order_id is not None:
        claims.hold(uow, orders[0], Operation.PICK)
        session.refresh(orders[0])
    progress = progress_of(session, ref)
    if progress is None:
        progress = PickProgress(
            order_id=ref.order_id, batch_id=ref.batch_id, skipped={}, updated_at=uow.now
        )
        session.add(progress)
        session.flush()
    policy = claims.station_rules(session, uow.actor.station_id).pick
    return Work(uow, ref, orders, policy, progress)


def _replayed(uow: UnitOfWork, event_id: str | None) -> str | None:
    if not event_id:
        return None
    row = uow.session.execute(
        select(AuditEvent.id, AuditEvent.after).where(AuditEvent.event_id == event_id)
    ).first()
    return None if row is None else str((row.after or {}).get("message") or "Already recorded.")


def _record(
    work: Work, event_id: str | None, outcome: PickOutcome, message: str, **more: object
) -> bool:
    subject = (
        ("pick_batch", work.ref.batch_id) if work.ref.batch_id else ("order", work.ref.order_id)
    )
    after = {"outcome": outcome.value, "message": message, **more}
    return work.uow.audit("pick.scan", subject[0], subject[1], after=after, event_id=event_id)


def _tote_bin(work: Work, code: str) -> int:
    session = work.uow.session
    insert_ignoring_duplicates(
        session, Bin, {"code": code, "zone": "TOTE", "pick_sequence": 0, "active": False}, "code"
    )
    bin_id = session.scalar(select(Bin.id).where(Bin.code == code))
    assert bin_id is not None
    return bin_id


def _take(work: Work, task: PickTask, qty: int) -> None:
    """Bin -> tote in the ledger and the cache; the reservation shrinks by what was taken."""
    session = work.uow.session
    mine = (Reservation.order_line_id == task.line_id) & (Reservation.bin_id == task.bin_id)
    if qty >= task.qty:  # the CHECK keeps a reservation above zero: a used-up one goes
        session.execute(delete(Reservation).where(mine))
    else:
        session.execute(update(Reservation).where(mine).values(qty=Reservation.qty - qty))
    session.execute(
        update(BinStock)
        .where(BinStock.bin_id == task.bin_id, BinStock.product_id == task.product_id)
        .values(reserved=BinStock.reserved - qty)
    )
    tote = _tote_bin(work, task.tote)
    apply_move(work.uow, task.product_id, qty, "pick", task.bin_id, tote, task.order_number)
    session.execute(
        update(OrderLine)
        .where(OrderLine.id == task.line_id)
        .values(picked_qty=OrderLine.picked_qty + qty)
    )


def _finish_orders(work: Work) -> list[str]:
    """Orders with nothing left to pick become picked; their lease ends (batch: when all are)."""
    session = work.uow.session
    session.flush()
    done = []
    for order in work.orders:
        if order.status != OrderStatus.PICKING.value:
            continue
        left = session.scalar(
            select(func.count())
            .select_from(Reservation)
            .join(OrderLine, OrderLine.id == Reservation.order_line_id)
            .where(OrderLine.order_id == order.id)
        )
        if left:
            continue
        session.refresh(order)
        order_status.check_transition(order.status, OrderStatus.PICKED)
        order.status = OrderStatus.PICKED.value
        order.updated_at = work.uow.now
        order.picked_at = work.uow.now  # the reports' picked-to-packed time starts here
        work.uow.audit("order.picked", "order", order.id, after={"status": "picked"})
        if work.ref.order_id is not None:
            session.flush()
            claims.release_order(work.uow, order, "picked")
        done.append(order.number)
    if work.ref.batch_id is not None and all(
        o.status != OrderStatus.PICKING.value for o in work.orders
    ):
        batch = session.get(PickBatch, work.ref.batch_id)
        if batch is not None:
            batch.status = "picked"
            batch.claimed_by_station_id = batch.claimed_by_user_id = batch.lease_until = None
    return done


def _product(work: Work, scan: ScanResult) -> tuple[int | None, int, str]:
    codes = [scan.data.strip()]
    if scan.gtin:
        codes += [scan.gtin, scan.gtin[1:], scan.gtin[2:]]
    row = work.uow.session.execute(
        select(ProductBarcode.product_id, ProductBarcode.quantity, Product.sku)
        .join(Product, Product.id == ProductBarcode.product_id)
        .where(ProductBarcode.code.in_(codes))
        .limit(1)
    ).first()
    if row is None:
        return None, 0, ""
    return row.product_id, row.quantity, row.sku


def _picked(
    work: Work, task: PickTask, qty: int, event_id: str | None, message: str
) -> PickVerdict:
    if not _record(work, event_id, PickOutcome.PICKED, message, line_id=task.line_id, qty=qty):
        return work.verdict(PickOutcome.REPLAYED, "Already recorded.")
    _take(work, task, qty)
    if work.policy.require_tote_scan:
        work.progress.tote_line_id, work.progress.tote_bin_id = task.line_id, task.bin_id
    if task.remaining - qty <= 0:
        work.progress.bin_line_id = work.progress.bin_id = None
    done = _finish_orders(work)
    if done:
        message += f" Order {', '.join(done)} is picked: take it to packing."
    return work.verdict(PickOutcome.PICKED, message)


@unit_of_work(Permission.PICK_AND_PACK)
def pick_scan(
    uow: UnitOfWork, ref: PickRef, scan: ScanResult | str, event_id: str | None = None
) -> PickVerdict:
    """A scan while picking: the bin, the item (or a case), or the tote the goods went into.
    Without `event_id` the ScanResult's own (made at scan time) is used."""
    result = interpret(scan) if isinstance(scan, str) else scan
    event_id = event_id or (None if isinstance(scan, str) else scan.event_id)
    already = _replayed(uow, event_id)
    if already is not None:
        return load(uow, ref, hold=False).verdict(PickOutcome.REPLAYED, already)
    work = load(uow, ref)
    view = work.view()
    task, data = view.current, result.data.strip()
    if view.stage is PickStage.DONE or (task is None and view.stage is not PickStage.TOTE):
        return work.verdict(PickOutcome.UNKNOWN_CODE, view.next_action)
    if view.stage is PickStage.TOTE:
        line = uow.session.get(OrderLine, work.progress.tote_line_id)
        owner = next(o for o in work.orders if line is not None and o.id == line.order_id)
        if data != (owner.tote or "STAGE"):
            message = f"That is not {view.next_action.removeprefix('Put in ').split(' and')[0]}."
            _record(work, event_id, PickOutcome.WRONG_TOTE, message, code=data)
            return work.verdict(PickOutcome.WRONG_TOTE, message)
        _record(work, event_id, PickOutcome.IN_TOTE, "In the tote.", code=data)
        work.progress.tote_line_id = work.progress.tote_bin_id = None
        return work.verdict(PickOutcome.IN_TOTE, "In the tote.")
    assert task is not None
    if view.stage is PickStage.BIN:
        if data != task.bin_code:
            message = f"This is {data}, not bin {task.bin_code}. Scan bin {task.bin_code}."
            _record(work, event_id, PickOutcome.WRONG_BIN, message, code=data)
            return work.verdict(PickOutcome.WRONG_BIN, message)
        _record(work, event_id, PickOutcome.BIN_CONFIRMED, f"Bin {data}.", code=data)
        work.progress.bin_line_id, work.progress.bin_id = task.line_id, task.bin_id
        return work.verdict(PickOutcome.BIN_CONFIRMED, f"Bin {data}: now scan the item.")
    product_id, units, sku = _product(work, result)
    if units > 1 and not work.policy.accept_case_barcodes:
        units = task.remaining + 1  # refused below as an over-pick
    outcome, message = picking.judge_pick(task, product_id, max(units, 1), sku or data)
    if outcome is not PickOutcome.PICKED:
        _record(work, event_id, outcome, message, code=data)
        return work.verdict(outcome, message)
    return _picked(work, task, max(units, 1), event_id, message)


@unit_of_work(Permission.PICK_AND_PACK)
def pick_quantity(uow: UnitOfWork, ref: PickRef, qty: int, event_id: str | None) -> PickVerdict:
    """A typed quantity for the current task, where the station does not ask a scan per unit."""
    already = _replayed(uow, event_id)
    if already is not None:
        return load(uow, ref, hold=False).verdict(PickOutcome.REPLAYED, already)
    work = load(uow, ref)
    if work.policy.scan_every_unit:
        raise ValidationFailed("This station needs a scan for every unit: scan the items.")
    view = work.view()
    if view.stage is not PickStage.ITEM or view.current is None:
        return work.verdict(PickOutcome.UNKNOWN_CODE, view.next_action)
    task = view.current
    if qty <= 0 or qty > task.remaining:
        message = f"Enter 1 to {task.remaining} for {task.sku} from {task.bin_code}."
        return work.verdict(PickOutcome.OVER_PICK, message)
    message = f"{qty} x {task.sku} picked for order {task.order_number}: put in {task.tote_label}."
    return _picked(work, task, qty, event_id, message)


@unit_of_work(Permission.PICK_AND_PACK)
def skip_task(uow: UnitOfWork, ref: PickRef, event_id: str | None) -> PickVerdict:
    """Send the current task to the end of the walk."""
    already = _replayed(uow, event_id)
    if already is not None:
        return load(uow, ref, hold=False).verdict(PickOutcome.REPLAYED, already)
    work = load(uow, ref)
    task = work.view().current
    if task is None:
        return work.verdict(PickOutcome.UNKNOWN_CODE, "Nothing to skip.")
    key = f"{task.line_id}:{task.bin_id}"
    skipped = dict(work.progress.skipped or {})
    skipped[key] = int(skipped.get(key, 0)) + 1
    work.progress.skipped = skipped
    work.progress.bin_line_id = work.progress.bin_id = None
    message = f"{task.sku} from {task.bin_code} moved to the end of the list."
    _record(work, event_id, PickOutcome.SKIPPED, message, line_id=task.line_id)
    return work.verdict(PickOutcome.SKIPPED, message)


def _reallocate(work: Work, task: PickTask, qty: int) -> int:
    """Reserve up to `qty` from other bins with free stock; returns what could be reserved."""
    session = work.uow.session
    rows = session.execute(
        select(BinStock.bin_id, BinStock.on_hand - BinStock.reserved)
        .join(Bin, Bin.id == BinStock.bin_id)
        .where(
            BinStock.product_id == task.product_id,
            Bin.active.is_(True),
            Bin.id != task.bin_id,
            BinStock.on_hand > BinStock.reserved,
        )
        .order_by(Bin.pick_sequence, Bin.code)
        .with_for_update(of=BinStock)
    ).all()
    got = 0
    for bin_id, free in rows:
        take = min(int(free), qty - got)
        if take <= 0:
            break
        reserve(work.uow, task.line_id, task.product_id, bin_id, take)
        got += take
    return got


@unit_of_work(Permission.PICK_AND_PACK)
def short_pick(uow: UnitOfWork, ref: PickRef, event_id: str | None) -> PickVerdict:
    """Declare stock-out at the current bin: its free units are written off that bin,
    re-reserved elsewhere when there is free stock, else recorded as a shortage for the
    supervisor (the order's attention line); picking moves on."""
    already = _replayed(uow, event_id)
    if already is not None:
        return load(uow, ref, hold=False).verdict(PickOutcome.REPLAYED, already)
    work = load(uow, ref)
    task = work.view().current
    if task is None:
        return work.verdict(PickOutcome.UNKNOWN_CODE, "Nothing to declare short.")
    session = uow.session
    missing = task.remaining
    _record(
        work,
        event_id,
        PickOutcome.SHORTED,
        f"{task.sku} short at {task.bin_code}",
        line_id=task.line_id,
        qty=missing,
    )
    session.execute(
        delete(Reservation).where(
            Reservation.order_line_id == task.line_id, Reservation.bin_id == task.bin_id
        )
    )
    session.execute(
        update(BinStock)
        .where(BinStock.bin_id == task.bin_id, BinStock.product_id == task.product_id)
        .values(reserved=BinStock.reserved - missing)
    )
    row = session.get(BinStock, (task.bin_id, task.product_id), populate_existing=True)
    # Stock-out means the bin is empty: what other orders do not hold there is written off.
    gone = (row.on_hand - row.reserved) if row else 0
    if gone > 0:
        apply_move(uow, task.product_id, gone, "stock-out", task.bin_id, None, task.order_number)
    found = _reallocate(work, task, missing)
    work.progress.bin_line_id = work.progress.bin_id = None
    short = missing - found
    if short:
        existing = session.get(LineShortage, (task.line_id, "pick"))
        if existing is None:
            session.add(
                LineShortage(
                    order_line_id=task.line_id,
                    stage="pick",
                    qty=short,
                    reason=f"stock-out at {task.bin_code}",
                    user_id=uow.actor.user_id,
                    created_at=uow.now,
                )
            )
        else:
            existing.qty += short
        order = session.get(Order, task.order_id)
        if order is not None:
            order.attention = f"{short} x {task.sku} short at picking ({task.bin_code})"[:200]
        message = (
            f"{short} x {task.sku} missing at {task.bin_code}: recorded for the supervisor. "
            "Go on with the next item."
        )
    else:
        message = f"{task.sku} missing at {task.bin_code}: found in another bin, pick it there."
    done = _finish_orders(work)
    if done:
        message += f" Order {', '.join(done)} is picked (short): take it to packing."
    return work.verdict(PickOutcome.SHORTED, message)
