"""The rate shop: a packed order's shipment request, every carrier's options, the rules' choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, LabelFormat, Package, ShipmentRequest
from wms_desk.db.models import Carton, Channel, Order
from wms_desk.db.models import Package as PackageRow
from wms_desk.domain.service_selection import Option, Selection, ShipmentFacts, select_service
from wms_desk.printing.model import Address
from wms_desk.services import documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.shipping.accounts import active_accounts, carrier_for
from wms_desk.services.shipping.rules import rules_for
from wms_desk.services.uow import read_only

SHIPPABLE = ("packed",)
DEFAULT_SHIP_FROM = Address("Warehouse")


@dataclass(frozen=True)
class RateShop:
    order_id: int
    order_number: str
    options: tuple[Option, ...]
    chosen: Option | None
    notes: tuple[str, ...]


def packages_of(session: Session, order: Order) -> list[tuple[PackageRow, Package]]:
    rows = list(
        session.scalars(
            select(PackageRow).where(PackageRow.order_id == order.id).order_by(PackageRow.seq)
        )
    )
    if not rows:
        raise ValidationFailed(f"Order {order.number} has no packages; pack it before shipping.")
    out = []
    for row in rows:
        weight = row.weight_g if row.weight_g is not None else row.expected_weight_g
        if weight is None or weight <= 0:
            raise ValidationFailed(
                f"Package {row.seq} of order {order.number} has no weight; weigh it at the "
                "pack station before buying its label."
            )
        carton = session.get(Carton, row.carton_id) if row.carton_id else None
        dims = (
            (Decimal(carton.length_mm), Decimal(carton.width_mm), Decimal(carton.height_mm))
            if carton
            else (Decimal(0), Decimal(0), Decimal(0))
        )
        out.append((row, Package(weight, *dims, reference=f"{order.number}-{row.seq}")))
    return out


def build_request(
    session: Session,
    order: Order,
    ship_date: date,
    ship_from: Address = DEFAULT_SHIP_FROM,
    label_format: LabelFormat = LabelFormat.PDF,
    service: str = "",
) -> ShipmentRequest:
    packages = tuple(p for _, p in packages_of(session, order))
    return ShipmentRequest(
        ship_from=ship_from,
        ship_to=documents.ship_to(order),
        packages=packages,
        reference=order.number,
        ship_date=ship_date,
        declared_value=order.subtotal,
        currency=order.currency,
        service=service,
        residential=not order.ship_company,
        label_format=label_format,
        email=order.ship_email,
    )


def facts_of(order: Order, request: ShipmentRequest) -> ShipmentFacts:
    heaviest = max(p.weight_g for p in request.packages)
    longest = max(max(p.length_mm, p.width_mm, p.height_mm) for p in request.packages)
    return ShipmentFacts(
        heaviest,
        longest,
        order.ship_country,
        order.requested_service,
        order.ship_by.date() if order.ship_by else None,
    )


def shop(session: Session, order: Order, request: ShipmentRequest) -> Selection:
    """Rate with every active carrier; a carrier that refuses is a note, not a failure."""
    options: list[Option] = []
    problems: list[str] = []
    for account in active_accounts(session):
        carrier = carrier_for(session, account)
        try:
            quotes = carrier.rate(request)
        except CarrierError as exc:
            problems.append(f"{account.code}: {exc}")
            continue
        options += [
            Option(
                account.code,
                q.service,
                q.service_name,
                q.amount,
                q.currency,
                q.transit_days,
                q.delivery_date,
            )
            for q in quotes
        ]
    channel = session.get(Channel, order.channel_id)
    rules = rules_for(session, channel.name if channel else "")
    selection = select_service(options, rules, facts_of(order, request))
    if not options:
        hint = " ".join(problems) or "No carrier is set up: import a rate card first."
        return Selection((), None, (*selection.notes, hint))
    return Selection(selection.options, selection.chosen, (*selection.notes, *problems))


def load_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists; refresh the list.")
    return order


@read_only
def _rate(session: Session, ref: str, today: date) -> RateShop:
    order = load_order(session, resolve_order(session, ref))
    request = build_request(session, order, today)
    selection = shop(session, order, request)
    return RateShop(order.id, order.number, selection.options, selection.chosen, selection.notes)


def rate_order(ctx: ServiceContext, ref: str, today: date | None = None) -> RateShop:
    """Every option for an order (number, `ORD:` scan), the chosen one marked with its reason."""
    from wms_desk.db.models.base import utcnow

    return _rate(ctx, ref, today or utcnow().date())
