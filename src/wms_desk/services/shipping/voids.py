"""Voiding a label before its manifest, and audited reprints of the stored label bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, Label, LabelFormat, Purchase, VoidResult
from wms_desk.carriers.easypost import EasyPostConfig
from wms_desk.db.models import CarrierAccount, Order, PrintJob, Shipment, ShipmentLabel
from wms_desk.db.models import Package as PackageRow
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.services import channel_writeback
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, PermissionDenied, ValidationFailed
from wms_desk.services.print_queue import enqueue
from wms_desk.services.shipping.accounts import (
    carrier_for,
    easypost_adapter,
    easypost_config,
    find_account,
)
from wms_desk.services.shipping.labels import printer_for
from wms_desk.services.shipping.rating import load_order
from wms_desk.services.uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class VoidInfo:
    tracking: str
    order_number: str
    voided: tuple[str, ...]
    order_status: str


def label_by_tracking(session: Session, tracking: str) -> ShipmentLabel:
    number = tracking.strip().upper().replace(" ", "")
    label = session.scalar(select(ShipmentLabel).where(ShipmentLabel.tracking == number))
    if label is None:
        raise NotFound(f"No label has tracking number {number}. Check the number on the label.")
    return label


@dataclass(frozen=True)
class _VoidPlan:
    """What the checks found, as values: enough to ask an online carrier with no session."""

    online: bool
    config: EasyPostConfig | None
    purchase: Purchase
    carrier_name: str


def _void_checks(
    uow: UnitOfWork, tracking: str, reason: str
) -> tuple[ShipmentLabel, Shipment, Order, CarrierAccount, Purchase]:
    """The rules of a void, each time it is asked and again before it is stored."""
    session = uow.session
    label = label_by_tracking(session, tracking)
    # Row lock (PostgreSQL; SQLite writes are serial anyway): a manifest closing at the same
    # moment either takes this shipment first, and the void is refused, or waits and skips it.
    shipment = session.scalars(
        select(Shipment)
        .where(Shipment.id == label.shipment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    order = load_order(session, shipment.order_id)
    if not reason.strip():
        raise ValidationFailed(f"Say why label {label.tracking} is voided (a reason).")
    if shipment.status == "voided":
        raise ValidationFailed(f"Label {label.tracking} of order {order.number} is already void.")
    if shipment.manifest_id is not None:
        raise ValidationFailed(
            f"Label {label.tracking} of order {order.number} is on a closed manifest; the driver "
            "has it. Ask the carrier to cancel it instead."
        )
    actor = uow.actor
    if not actor.can(Permission.OVERRIDE_PACKING) and actor.user_id != shipment.bought_by_id:
        raise PermissionDenied(actor.role.value, "void another packer's label")
    account = find_account(session, shipment.carrier)
    purchase = Purchase(
        shipment.carrier,
        shipment.service,
        tuple(
            Label(lb.tracking, LabelFormat(lb.format), b"", lb.seq, shipment.master_tracking)
            for lb in shipment.labels
        ),
        shipment.price,
        shipment.currency,
        shipment.shipment_ref,
        shipment.bought_at.replace(tzinfo=UTC) if shipment.bought_at.tzinfo is None
        else shipment.bought_at,
    )  # fmt: skip
    return label, shipment, order, account, purchase


def _mark_void(
    uow: UnitOfWork,
    label: ShipmentLabel,
    shipment: Shipment,
    order: Order,
    account: CarrierAccount,
    result: VoidResult,
    reason: str,
) -> VoidInfo:
    session = uow.session
    if not result.accepted:
        raise ValidationFailed(
            f"{account.name} did not void label {label.tracking} ({result.status}). "
            f"{result.message}"
        )
    shipment.status = "voided"
    shipment.voided_at = uow.now
    shipment.voided_by_id = uow.actor.user_id
    shipment.void_reason = reason.strip()[:200]
    channel_writeback.enqueue_cancel(uow, order, shipment)
    numbers = tuple(lb.tracking for lb in shipment.labels)
    for lb in shipment.labels:
        if lb.package_id is not None:
            package = session.get(PackageRow, lb.package_id)
            if package is not None and package.tracking_number == lb.tracking:
                package.tracking_number = None
    still_bought = session.scalar(
        select(Shipment.id).where(
            Shipment.order_id == order.id, Shipment.status == "bought", Shipment.id != shipment.id
        )
    )
    before = order.status
    if order.status == OrderStatus.SHIPPED.value and still_bought is None:
        order_status.check_transition(order.status, OrderStatus.PACKED)
        order.status = OrderStatus.PACKED.value
        order.shipped_at = None
    order.updated_at = uow.now
    uow.audit(
        "ship.void",
        "order",
        order.id,
        {"status": before, "tracking": list(numbers)},
        {"status": order.status, "reason": shipment.void_reason, "carrier": result.status},
    )
    return VoidInfo(label.tracking, order.number, numbers, order.status)


@unit_of_work(Permission.PICK_AND_PACK)
def _void_here(uow: UnitOfWork, tracking: str, reason: str) -> VoidInfo | _VoidPlan:
    """Offline carriers void inside the transaction (no network); an online one gets a plan."""
    label, shipment, order, account, purchase = _void_checks(uow, tracking, reason)
    if account.kind == "easypost":
        return _VoidPlan(True, easypost_config(account), purchase, account.name)
    try:
        result = carrier_for(uow.session, account).void(purchase)
    except CarrierError as exc:
        raise ValidationFailed(f"Order {order.number}: {exc}") from exc
    return _mark_void(uow, label, shipment, order, account, result, reason)


@unit_of_work(Permission.PICK_AND_PACK)
def _store_void(uow: UnitOfWork, tracking: str, reason: str, result: VoidResult) -> VoidInfo:
    try:
        label, shipment, order, account, _ = _void_checks(uow, tracking, reason)
    except ValidationFailed as exc:
        if result.accepted:  # the carrier refunded it while a manifest took it here: say both
            raise ValidationFailed(
                f"The carrier accepted the refund of label {result.tracking_number}, but here: "
                f"{exc} Take the package off the driver's pile and tell the carrier."
            ) from exc
        raise
    return _mark_void(uow, label, shipment, order, account, result, reason)


def void_label(ctx: ServiceContext, tracking: str, reason: str) -> VoidInfo:
    """Void the shipment a tracking number belongs to (every label of it) before its manifest.
    An online carrier is asked between two short transactions, each checking the rules."""
    found = _void_here(ctx, tracking, reason)
    if isinstance(found, VoidInfo):
        return found
    assert found.config is not None
    try:
        result = easypost_adapter(found.config).void(found.purchase)
    except CarrierError as exc:
        raise ValidationFailed(f"{found.carrier_name}: {exc}") from exc
    return _store_void(ctx, tracking, reason, result)


@unit_of_work(Permission.PICK_AND_PACK)
def reprint_label(
    uow: UnitOfWork, tracking: str, reason: str, printer_url: str | None = None
) -> str:
    """The stored label bytes again, as an audited reprint of the first job."""
    session = uow.session
    label = label_by_tracking(session, tracking)
    shipment = label.shipment
    order = load_order(session, shipment.order_id)
    if shipment.status == "voided":
        raise ValidationFailed(f"Label {label.tracking} of order {order.number} is void.")
    original = session.get(PrintJob, label.print_job_id) if label.print_job_id else None
    url = printer_url or (original.printer_url if original else printer_for(uow, None).url)
    job_id = enqueue(
        uow,
        document="label",
        payload=label.data,
        fmt=label.format,
        printer_url=url,
        title=f"Label {order.number} {label.seq}/{label.count} {label.tracking} (reprint)",
        order_id=order.id,
        package_id=label.package_id,
        reprint_of=original.id if original else None,
        reason=reason or "ship screen reprint",
    )
    uow.audit(
        "ship.reprint", "order", order.id, None, {"tracking": label.tracking, "reason": reason}
    )
    return job_id
