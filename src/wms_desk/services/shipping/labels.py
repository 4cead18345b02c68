"""Buying and printing a label per package (voids and reprints: shipping/voids.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, Label, LabelFormat, Purchase, RateQuote
from wms_desk.carriers.base import Package as CarrierPackage
from wms_desk.db.models import AppSetting, Order, Shipment, ShipmentLabel
from wms_desk.db.models import Package as PackageRow
from wms_desk.domain import order_status
from wms_desk.domain.errors import DomainError
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.printing.model import Address
from wms_desk.services import channel_writeback
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails.triggers import enqueue_shipment_email
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.print_queue import enqueue
from wms_desk.services.shipping import customs
from wms_desk.services.shipping.accounts import carrier_for, find_account
from wms_desk.services.shipping.rating import (
    DEFAULT_SHIP_FROM,
    SHIPPABLE,
    build_request,
    load_order,
    packages_of,
    shop,
)
from wms_desk.services.station_bindings import PrinterBinding, bindings_of
from wms_desk.services.uow import UnitOfWork, unit_of_work
from wms_desk.services.uow_reads import setting_value

SHIP_ON_KEY = "shipping.ship_on"  # {"when": "labels"} (default) or {"when": "manifest"}
# {"buy": true, "stations": ["pack-1", ...]} ([] or absent: every station): pack COMPLETE buys
# the real labels through ship_in instead of queueing provisional ones.
AT_COMPLETE_KEY = "shipping.at_complete"


@dataclass(frozen=True)
class LabelInfo:
    tracking: str
    package_seq: int
    package_count: int
    print_job_id: str | None


@dataclass(frozen=True)
class ShipResult:
    order_id: int
    order_number: str
    carrier: str
    service: str
    price: Decimal
    currency: str
    reason: str
    labels: tuple[LabelInfo, ...]
    order_status: str
    customs_form: str = ""  # CN22 / CN23 for an international shipment
    notes: tuple[str, ...] = ()
    made_elsewhere: bool = False  # labels recorded by scanning, not bought here

    @property
    def message(self) -> str:
        n = len(self.labels)
        numbers = ", ".join(label.tracking for label in self.labels)
        customs = f" {self.customs_form} customs form printed." if self.customs_form else ""
        how = (
            f"recorded ({self.carrier}{' ' + self.service if self.service else ''}, made elsewhere)"
            if self.made_elsewhere
            else f"bought ({self.carrier} {self.service}, {self.price} {self.currency})"
        )
        return " ".join(
            [
                f"Order {self.order_number}: {n} label{'s' if n != 1 else ''} {how}: {numbers}."
                + customs,
                *self.notes,
            ]
        )


@dataclass(frozen=True)
class Bought:
    """Labels bought or recorded before `ship_in` stores them (online purchases made between
    transactions, labels made elsewhere): `ship_in` is the one place labels become the order's."""

    purchases: tuple[Purchase, ...]
    carrier: str  # the account code
    service_name: str
    reason: str


def ships_on_manifest(session: Session) -> bool:
    value = setting_value(session, SHIP_ON_KEY)
    return bool(value and value.get("when") == "manifest")


def buys_at_complete(uow: UnitOfWork) -> bool:
    value = setting_value(uow.session, AT_COMPLETE_KEY)
    if value is None or not value.get("buy"):
        return False
    stations = value.get("stations") or []
    return not stations or uow.actor.station_name in stations


@unit_of_work(Permission.CHANGE_SETTINGS)
def set_buy_at_complete(uow: UnitOfWork, buy: bool, stations: tuple[str, ...] = ()) -> None:
    """The station setting: COMPLETE rates, buys and prints the carrier labels at once."""
    row = uow.session.get(AppSetting, AT_COMPLETE_KEY)
    before = dict(row.value) if row is not None else None
    value = {"buy": buy, "stations": list(stations)}
    if row is None:
        uow.session.add(AppSetting(key=AT_COMPLETE_KEY, value=value))
    else:
        row.value = value
    uow.audit("ship.setting", "setting", AT_COMPLETE_KEY, before, value)


def complete_and_ship(
    uow: UnitOfWork, order_id: int, printer: PrinterBinding, ship_from: Address
) -> str:
    """Called by pack COMPLETE (in its transaction): buy and print, or say why not. A carrier
    refusal must not undo the packing, so the purchase runs in a savepoint. With an online
    carrier active the labels are bought after packing commits (shipping/at_complete.py)."""
    from wms_desk.services.shipping.at_complete import buy_after_commit

    if buy_after_commit(uow, order_id, ship_from):
        return ""
    try:
        with uow.session.begin_nested():
            result = ship_in(uow, order_id, None, None, ship_from, printer)
    except (ValidationFailed, NotFound) as exc:
        return f"No label bought: {exc} Buy it from the Ship screen."
    return result.message


def printer_for(uow: UnitOfWork, printer_url: str | None) -> PrinterBinding:
    if printer_url:
        return PrinterBinding.from_setting(printer_url, "label_printer")
    return bindings_of(uow).printer("label_printer")


def _buy(
    uow: UnitOfWork,
    order: Order,
    service: str | None,
    printer: PrinterBinding,
    ship_from: Address,
    packed: list[tuple[PackageRow, CarrierPackage]],
) -> tuple[list[Purchase], str, str, str]:
    session = uow.session
    fmt = LabelFormat.ZPL if printer.format == "zpl" else LabelFormat.PDF
    request = build_request(session, order, uow.now.date(), ship_from, fmt, packed=packed)
    selection = shop(session, order, request)
    if service:
        carrier_code, _, code = service.rpartition(":")
        wanted = [
            o
            for o in selection.options
            if o.service.lower() == code.lower()
            and (not carrier_code or o.carrier.lower() == carrier_code.lower())
        ]
        if not wanted:
            offered = ", ".join(f"{o.carrier}:{o.service}" for o in selection.options) or "none"
            raise ValidationFailed(
                f"Order {order.number} cannot go by {service}; the services offered are {offered}."
            )
        chosen, reason = wanted[0], f"asked for {service}"
        if chosen.reason and not chosen.chosen:
            raise ValidationFailed(f"Order {order.number}: {chosen.service} is {chosen.reason}.")
    else:
        if selection.chosen is None:
            raise ValidationFailed(f"Order {order.number}: " + " ".join(selection.notes))
        chosen, reason = selection.chosen, selection.chosen.reason
    account = find_account(session, chosen.carrier)
    carrier = carrier_for(session, account)
    quote = RateQuote(
        chosen.carrier, chosen.service, chosen.service_name, chosen.price, chosen.currency
    )
    # Multi-piece: one shipment, a master number, labels n of m. Else one shipment per package.
    if carrier.capabilities().multi_piece or len(request.packages) == 1:
        requests = [request]
    else:
        requests = [replace(request, packages=(p,)) for p in request.packages]
    try:
        purchases = [carrier.buy(r, quote) for r in requests]
    except (CarrierError, DomainError) as exc:
        raise ValidationFailed(f"Order {order.number}: no label bought. {exc}") from exc
    return purchases, account.code, chosen.service_name, reason


def ship_in(
    uow: UnitOfWork,
    order_id: int,
    service: str | None = None,
    printer_url: str | None = None,
    ship_from: Address = DEFAULT_SHIP_FROM,
    binding: PrinterBinding | None = None,
    bought: Bought | None = None,
) -> ShipResult:
    """In the caller's transaction (pack COMPLETE can call this): rate, buy, store, print.
    With `bought` (an online purchase or a label made elsewhere) it stores and prints those."""
    session = uow.session
    order = load_order(session, order_id)
    if order.status not in SHIPPABLE:
        raise ValidationFailed(
            f"Order {order.number} is {order.status}; only a packed order can be shipped."
            + (" Void its labels first to buy new ones." if order.status == "shipped" else "")
        )
    printer = binding or printer_for(uow, printer_url)
    try:  # checked before buying: an incomplete declaration must not use up numbers
        declaration = customs.declaration_for(uow, order, ship_from, "")
    except DomainError as exc:
        raise ValidationFailed(str(exc)) from exc
    packed = packages_of(session, order)  # read once: the request and the labels share it
    if bought is None:
        purchases, carrier_code, service_name, reason = _buy(
            uow, order, service, printer, ship_from, packed
        )
    else:
        purchases, carrier_code = list(bought.purchases), bought.carrier
        service_name, reason = bought.service_name, bought.reason
    rows = [row for row, _ in packed]
    total = len(rows)
    labels: list[LabelInfo] = []
    shipments: list[Shipment] = []
    row_iter = iter(rows)
    for purchase in purchases:
        shipment = Shipment(
            order_id=order.id,
            carrier=carrier_code,
            service=purchase.service,
            service_name=service_name,
            price=purchase.amount,
            currency=purchase.currency,
            master_tracking=purchase.master_tracking,
            shipment_ref=purchase.shipment_ref,
            status="bought",
            ship_date=uow.now.date(),
            bought_at=uow.now,
            bought_by_id=uow.actor.user_id,
        )
        session.add(shipment)
        shipments.append(shipment)
        for label in purchase.labels:
            package = next(row_iter)
            labels.append(_store_label(uow, order, shipment, package, label, total, printer))
        # With the labels, in this transaction: the channel hears of it exactly when they exist.
        channel_writeback.enqueue_fulfilment(uow, order, shipment)
    notes: list[str] = []
    if declaration is not None:
        notes += _print_customs(
            uow, order, replace(declaration, tracking=labels[0].tracking), printer
        )
    if not ships_on_manifest(session):
        order_status.check_transition(order.status, OrderStatus.SHIPPED)
        order.status = OrderStatus.SHIPPED.value
        order.shipped_at = uow.now
    order.updated_at = uow.now
    uow.audit(
        "ship.buy",
        "order",
        order.id,
        {"status": "packed"},
        {
            "status": order.status,
            "carrier": carrier_code,
            "service": purchases[0].service,
            "tracking": [label.tracking for label in labels],
            "reason": reason,
        },
    )
    # In this transaction: the customer hears of exactly the labels that were bought.
    emailed = enqueue_shipment_email(uow, order, shipments)
    email_note = (f"Shipment e-mail queued for {order.ship_email}.",) if emailed else ()
    price = sum((p.amount for p in purchases), Decimal(0))
    return ShipResult(
        order.id,
        order.number,
        carrier_code,
        purchases[0].service,
        price,
        purchases[0].currency,
        reason,
        tuple(labels),
        order.status,
        declaration.form.value if declaration is not None and not notes else "",
        (*notes, *email_note),
        all(lb.format is LabelFormat.NONE for p in purchases for lb in p.labels),
    )


def _print_customs(
    uow: UnitOfWork, order: Order, declaration: customs.Declaration, printer: PrinterBinding
) -> list[str]:
    """The CN22/CN23 goes with the label: on the label printer when it takes PDF, else on the
    document printer; without either it is said, not skipped silently."""
    target = printer if printer.format == "pdf" else bindings_of(uow).document_printer
    if target is None:
        return [
            f"The {declaration.form.value} customs form was not printed: the label printer "
            "takes ZPL and no document printer is bound. Print it from the order."
        ]
    enqueue(
        uow,
        document="customs",
        payload=customs.declaration_pdf(declaration),
        fmt="pdf",
        printer_url=target.url,
        title=f"{declaration.form.value} {order.number} {declaration.tracking}",
        order_id=order.id,
    )
    return []


def _store_label(
    uow: UnitOfWork,
    order: Order,
    shipment: Shipment,
    package: PackageRow,
    label: Label,
    total: int,
    printer: PrinterBinding,
) -> LabelInfo:
    seq = package.seq
    row = ShipmentLabel(
        seq=seq,
        count=total,
        tracking=label.tracking_number,
        format=label.format.value,
        data=label.data,
        tracking_url=label.tracking_url[:500],
        weight_g=package.weight_g or package.expected_weight_g or Decimal(0),
        package_id=package.id,
    )
    shipment.labels.append(row)
    package.tracking_number = label.tracking_number
    job_id = None
    if label.format is not LabelFormat.NONE:
        # The carrier's bytes, byte-exact: no re-rendering.
        job_id = enqueue(
            uow,
            document="label",
            payload=label.data,
            fmt=label.format.value,
            printer_url=printer.url,
            title=f"Label {order.number} {seq}/{total} {label.tracking_number}",
            order_id=order.id,
            package_id=package.id,
        )
    row.print_job_id = job_id
    return LabelInfo(label.tracking_number, seq, total, job_id)


@unit_of_work(Permission.PICK_AND_PACK)
def ship_offline(
    uow: UnitOfWork,
    order_id: int,
    service: str | None = None,
    printer_url: str | None = None,
    ship_from: Address = DEFAULT_SHIP_FROM,
) -> ShipResult:
    """Rate-card carriers only, in one transaction: they make no network call."""
    return ship_in(uow, order_id, service, printer_url, ship_from)


def ship_order(
    ctx: ServiceContext,
    order_id: int,
    service: str | None = None,
    printer_url: str | None = None,
    ship_from: Address = DEFAULT_SHIP_FROM,
) -> ShipResult:
    """Rate, buy and print a label per package of a packed order (`service`: CODE or
    CARRIER:CODE; None = the rules' choice), through every active carrier: online ones between
    short transactions (services/shipping/purchase.py), rate cards in one as before."""
    from wms_desk.services.shipping.purchase import ship_anywhere

    return ship_anywhere(ctx, order_id, service, printer_url, ship_from)
