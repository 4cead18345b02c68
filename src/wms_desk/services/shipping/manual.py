"""Labels made elsewhere: one scanned tracking number per package, stored through ship_in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError
from wms_desk.carriers.manual import ManualCarrier
from wms_desk.db.models import Order, Shipment, ShipmentLabel
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.shipping.accounts import manual_account
from wms_desk.services.shipping.labels import Bought, ShipResult, ship_in
from wms_desk.services.shipping.rating import SHIPPABLE, build_request, load_order
from wms_desk.services.station_bindings import PrinterBinding, bindings_of
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

# No label to print: a binding nothing is sent to (the customs form, if any, then goes to the
# document printer, or a note says it was not printed).
NO_LABEL_PRINTER = PrinterBinding("", "none")


@unit_of_work(Permission.PICK_AND_PACK)
def record_manual_labels(
    uow: UnitOfWork,
    order_id: int,
    carrier_name: str,
    tracking_scans: Sequence[str],
    service: str = "",
) -> ShipResult:
    """Record the tracking numbers of labels made elsewhere (one per package, in package
    order) for a packed order; it is then shipped under the same rule as bought labels."""
    session = uow.session
    order = load_order(session, order_id)
    if order.status not in SHIPPABLE:
        raise ValidationFailed(
            f"Order {order.number} is {order.status}; only a packed order can get its labels."
            + (" Void its labels first to record new ones." if order.status == "shipped" else "")
        )
    scans = [s for s in tracking_scans if s.strip()]
    request = build_request(session, order, uow.now.date())
    account = manual_account(uow, carrier_name)
    try:
        purchase = ManualCarrier(account.code, account.name).record(request, scans, service)
    except CarrierError as exc:
        raise ValidationFailed(str(exc)) from exc
    numbers = [label.tracking_number for label in purchase.labels]
    used = session.execute(
        select(ShipmentLabel.tracking, Order.number)
        .join(Shipment, ShipmentLabel.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .where(ShipmentLabel.tracking.in_(numbers))
    ).first()
    if used is not None:  # a tracking number is never reused, even on a voided label
        raise ValidationFailed(
            f"Tracking number {used[0]} is already recorded for order {used[1]}: it cannot go "
            f"on order {order.number}. Scan the label on this order's package."
        )
    try:
        printer = bindings_of(uow).printer("label_printer")
    except ValidationFailed:
        printer = NO_LABEL_PRINTER
    bought = Bought((purchase,), account.code, service or account.name, "label made elsewhere")
    return ship_in(uow, order_id, binding=printer, bought=bought)


@read_only
def _order_id(session: Session, ref: str) -> int:
    return resolve_order(session, ref)


def record_manual_labels_for(
    ctx: ServiceContext,
    ref: str,
    carrier_name: str,
    tracking_scans: Sequence[str],
    service: str = "",
) -> ShipResult:
    """The same, for an order number or `ORD:` scan (the Ship screen's dialog)."""
    return record_manual_labels(ctx, _order_id(ctx, ref), carrier_name, tracking_scans, service)
