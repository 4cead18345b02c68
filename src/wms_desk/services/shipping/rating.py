"""The rate shop: a packed order's shipment request, every carrier's options, the rules' choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, LabelFormat, Package, RateQuote, ShipmentRequest
from wms_desk.db.models import Carton, Order
from wms_desk.db.models import Package as PackageRow
from wms_desk.domain.service_selection import (
    Option,
    Selection,
    ShipmentFacts,
    ShippingRules,
    select_service,
)
from wms_desk.printing.model import Address
from wms_desk.services import documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.shipping.accounts import active_accounts, carrier_for
from wms_desk.services.shipping.online import OnlineAccount, online_accounts, rate_online
from wms_desk.services.shipping.rules import rules_for
from wms_desk.services.uow import read_only
from wms_desk.services.uow_reads import channel

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
    # The cartons come with their packages: one read, not one more a box.
    rows = session.execute(
        select(PackageRow, Carton)
        .outerjoin(Carton, Carton.id == PackageRow.carton_id)
        .where(PackageRow.order_id == order.id)
        .order_by(PackageRow.seq)
    ).all()
    if not rows:
        raise ValidationFailed(f"Order {order.number} has no packages; pack it before shipping.")
    out = []
    for row, carton in rows:
        weight = row.weight_g if row.weight_g is not None else row.expected_weight_g
        if weight is None or weight <= 0:
            raise ValidationFailed(
                f"Package {row.seq} of order {order.number} has no weight; weigh it at the "
                "pack station before buying its label."
            )
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
    packed: list[tuple[PackageRow, Package]] | None = None,
) -> ShipmentRequest:
    """`packed`: what `packages_of` returned, when the caller has read it already."""
    packages = tuple(p for _, p in (packed if packed is not None else packages_of(session, order)))
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


def offline_options(session: Session, request: ShipmentRequest) -> tuple[list[Option], list[str]]:
    """Every active rate-card account's options (no network); a refusal is a note."""
    options: list[Option] = []
    problems: list[str] = []
    for account in active_accounts(session):
        carrier = carrier_for(session, account)
        try:
            quotes = carrier.rate(request)
        except CarrierError as exc:
            problems.append(f"{account.code}: {exc}")
            continue
        options += [option_of(account.code, q) for q in quotes]
    return options, problems


def option_of(carrier: str, q: RateQuote) -> Option:
    return Option(
        carrier, q.service, q.service_name, q.amount, q.currency, q.transit_days, q.delivery_date
    )


def choose(
    options: list[Option], problems: list[str], rules: ShippingRules, facts: ShipmentFacts
) -> Selection:
    """The rules' choice over every carrier's options (pure: no session, no network)."""
    selection = select_service(options, rules, facts)
    if not options:
        hint = " ".join(problems) or "No carrier is set up: import a rate card first."
        return Selection((), None, (*selection.notes, hint))
    return Selection(selection.options, selection.chosen, (*selection.notes, *problems))


def rules_of(session: Session, order: Order) -> ShippingRules:
    found = channel(session, order.channel_id)
    return rules_for(session, found.name if found else "")


def shop(session: Session, order: Order, request: ShipmentRequest) -> Selection:
    """Rate with every active rate-card carrier, inside the caller's transaction (offline only:
    online carriers are rated between transactions, see `rate_order` and purchase.py)."""
    options, problems = offline_options(session, request)
    return choose(options, problems, rules_of(session, order), facts_of(order, request))


def load_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists; refresh the list.")
    return order


@dataclass(frozen=True)
class ShopPlan:
    """What a rate shop read in its short transaction: everything the online part needs."""

    order_id: int
    order_number: str
    order_status: str
    request: ShipmentRequest
    package_seqs: tuple[int, ...]
    facts: ShipmentFacts
    rules: ShippingRules
    offline: tuple[Option, ...]
    problems: tuple[str, ...]
    online: tuple[OnlineAccount, ...]


def plan_in(
    session: Session,
    order: Order,
    today: date,
    ship_from: Address = DEFAULT_SHIP_FROM,
    label_format: LabelFormat = LabelFormat.PDF,
) -> ShopPlan:
    request = build_request(session, order, today, ship_from, label_format)
    options, problems = offline_options(session, request)
    seqs = tuple(row.seq for row, _ in packages_of(session, order))
    return ShopPlan(
        order.id, order.number, order.status, request, seqs, facts_of(order, request),
        rules_of(session, order), tuple(options), tuple(problems), tuple(online_accounts(session)),
    )  # fmt: skip


@read_only
def _plan(session: Session, ref: str, today: date) -> ShopPlan:
    return plan_in(session, load_order(session, resolve_order(session, ref)), today)


def rate_order(ctx: ServiceContext, ref: str, today: date | None = None) -> RateShop:
    """Every option for an order (number, `ORD:` scan), the chosen one marked with its reason.
    Read (short transaction), rate online carriers (no transaction), choose (pure)."""
    from wms_desk.db.models.base import utcnow

    plan = _plan(ctx, ref, today or utcnow().date())
    online, problems = rate_online(plan.online, plan.request)
    selection = choose(
        [*plan.offline, *(o.option for o in online)],
        [*plan.problems, *problems],
        plan.rules,
        plan.facts,
    )
    return RateShop(
        plan.order_id, plan.order_number, selection.options, selection.chosen, selection.notes
    )
