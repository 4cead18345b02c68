"""What the returns services share: finding an RMA, the policy, the returns bins, quantities."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms_desk.db.models import AppSetting, Bin, Order, OrderLine, Rma, RmaLine
from wms_desk.domain import order_status
from wms_desk.domain.returns import (
    QUARANTINE_BIN,
    RECEIVING_BIN,
    RMA_PREFIX,
    Reason,
    ReturnPolicy,
    RmaStatus,
    order_status_after_return,
)
from wms_desk.services.errors import NotFound
from wms_desk.services.order_detail import SHIPPED_STATUSES
from wms_desk.services.uow import UnitOfWork

POLICY_KEY = "returns_policy"
LIVE = (RmaStatus.OPEN, RmaStatus.RECEIVING, RmaStatus.RECEIVED, RmaStatus.RESOLVED)


def load_policy(session: Session) -> ReturnPolicy:
    """The shared return policy (app_settings), or the defaults where nothing is set."""
    stored = session.get(AppSetting, POLICY_KEY)
    if stored is None:
        return ReturnPolicy()
    value = stored.value
    default = ReturnPolicy()
    fees = value.get("restocking_fee_pct")
    reasons = value.get("refund_shipping_reasons")
    return ReturnPolicy(
        window_days=int(value.get("window_days", default.window_days)),
        restocking_fee_pct=(
            {Reason(k): Decimal(str(v)) for k, v in fees.items()}
            if isinstance(fees, dict)
            else default.restocking_fee_pct
        ),
        refund_shipping_reasons=(
            frozenset(Reason(r) for r in reasons)
            if isinstance(reasons, list)
            else default.refund_shipping_reasons
        ),
    )


def store_policy(session: Session, policy: ReturnPolicy) -> None:
    value = {
        "window_days": policy.window_days,
        "restocking_fee_pct": {k.value: str(v) for k, v in policy.restocking_fee_pct.items()},
        "refund_shipping_reasons": sorted(r.value for r in policy.refund_shipping_reasons),
    }
    row = session.get(AppSetting, POLICY_KEY)
    if row is None:
        session.add(AppSetting(key=POLICY_KEY, value=value))
    else:
        row.value = value


def find_rma(session: Session, ref: str, lock: bool = False) -> Rma:
    """An RMA by its number or scanned `RMA:` barcode."""
    number = ref.strip().removeprefix(RMA_PREFIX).strip()
    query = select(Rma).where(Rma.number == number)
    rma = session.scalar(query.with_for_update() if lock else query)
    if rma is None:
        raise NotFound(f"There is no return {number!r}. Check the number on the RMA slip.")
    return rma


def returns_bin(session: Session, code: str) -> Bin:
    """The receiving or quarantine bin, made on first use; inactive, so never allocated from."""
    found = session.scalar(select(Bin).where(Bin.code == code))
    if found is None:
        zone = "RETURNS" if code == RECEIVING_BIN else "QUARANTINE"
        found = Bin(code=code, zone=zone, pick_sequence=999_999, active=False)
        session.add(found)
        session.flush()
    return found


def is_returns_bin(code: str) -> bool:
    return code in (RECEIVING_BIN, QUARANTINE_BIN)


def shipped_qty(order: Order, line: OrderLine) -> int:
    """A shipped order shipped what it packed (nothing records shipping per line yet)."""
    return line.packed_qty if order.status in SHIPPED_STATUSES else 0


def on_returns(
    session: Session, order_line_ids: list[int], received: bool = False
) -> dict[int, int]:
    """Per order line, units on live RMAs (asked for, or with `received`, arrived)."""
    if not order_line_ids:
        return {}
    column = RmaLine.received_qty if received else RmaLine.qty
    rows = session.execute(
        select(RmaLine.order_line_id, func.sum(column))
        .join(Rma, Rma.id == RmaLine.rma_id)
        .where(RmaLine.order_line_id.in_(order_line_ids), Rma.status.in_(LIVE))
        .group_by(RmaLine.order_line_id)
    ).all()
    totals: dict[int, int] = defaultdict(int)
    for line_id, qty in rows:
        totals[line_id] = int(qty or 0)
    return totals


def update_order_status(uow: UnitOfWork, order: Order) -> None:
    """Partly or fully returned, from what has come back across all its RMAs."""
    lines = list(order.lines)
    shipped = sum(shipped_qty(order, line) for line in lines)
    back = sum(on_returns(uow.session, [line.id for line in lines], received=True).values())
    if back == 0 or shipped == 0 or order.status == "returned":
        return  # "returned" is final: it never goes back to partly returned
    target = order_status_after_return(shipped, back)
    if target == order.status:
        return
    before = order.status
    order_status.check_transition(before, target)
    order.status = target
    order.updated_at = uow.now
    uow.audit(
        f"order.{target}",
        "order",
        order.id,
        before={"status": before},
        after={"status": target, "returned": back, "shipped": shipped},
    )


def refresh_rma_status(rma: Rma) -> None:
    """Open until the first unit arrives, receiving until every unit asked for is in."""
    if rma.status in (RmaStatus.RESOLVED, RmaStatus.CANCELLED):
        return
    received = sum(line.received_qty for line in rma.lines)
    wanted = sum(line.qty for line in rma.lines)
    if received == 0:
        rma.status = RmaStatus.OPEN.value
    elif received < wanted:
        rma.status = RmaStatus.RECEIVING.value
    else:
        rma.status = RmaStatus.RECEIVED.value
