"""Buying through an online carrier between short transactions, never twice.

Read what is needed (txn 1), rate (network, no transaction), record a purchase intent per
package naming the carrier's shipment (txn 2), buy (network), store the labels through
`labels.ship_in` (txn 3). A retry, a crash or another station finds the open intent and buys
that same shipment, which the carrier sells once; a lost answer is recovered by the adapter
reading the shipment back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import (
    CarrierError,
    CarrierRejected,
    CarrierUnavailable,
    LabelFormat,
    Purchase,
    RateQuote,
)
from wms_desk.db.models import Order, PurchaseIntent
from wms_desk.domain.errors import DomainError
from wms_desk.domain.roles import Permission
from wms_desk.domain.service_selection import Option, Selection
from wms_desk.printing.model import Address
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping import customs
from wms_desk.services.shipping.labels import Bought, ShipResult, printer_for, ship_in, ship_offline
from wms_desk.services.shipping.online import OnlineAccount, OnlineOption, rate_online
from wms_desk.services.shipping.rating import (
    DEFAULT_SHIP_FROM,
    SHIPPABLE,
    ShopPlan,
    choose,
    load_order,
    plan_in,
)
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work


class CarrierDown(ValidationFailed):
    """The online carrier did not answer: nothing is half done, the order stays packed."""


@dataclass(frozen=True)
class Intent:
    """An open purchase intent as a value (no session), in package order."""

    id: int
    carrier: str
    package_seq: int
    shipment_ref: str
    rate_ref: str
    service: str
    service_name: str
    amount: Decimal
    currency: str
    reason: str

    def quote(self) -> RateQuote:
        return RateQuote(
            self.carrier,
            self.service,
            self.service_name,
            self.amount,
            self.currency,
            shipment_ref=self.shipment_ref,
            rate_ref=self.rate_ref,
        )


@dataclass(frozen=True)
class _Read:
    plan: ShopPlan
    label_format: LabelFormat
    open_intents: tuple[Intent, ...]


def _intent(row: PurchaseIntent) -> Intent:
    return Intent(row.id, row.carrier, row.package_seq, row.shipment_ref, row.rate_ref,
                  row.service, row.service_name, row.amount, row.currency, row.reason)  # fmt: skip


def _open_rows(session: Session, order_id: int) -> list[PurchaseIntent]:
    return list(
        session.scalars(
            select(PurchaseIntent)
            .where(PurchaseIntent.order_id == order_id, PurchaseIntent.status == "open")
            .order_by(PurchaseIntent.package_seq)
        )
    )


def _not_shippable(order: Order) -> ValidationFailed:
    return ValidationFailed(
        f"Order {order.number} is {order.status}; only a packed order can be shipped."
        + (" Void its labels first to buy new ones." if order.status == "shipped" else "")
    )


@unit_of_work(Permission.PICK_AND_PACK)
def _read(uow: UnitOfWork, order_id: int, printer_url: str | None, ship_from: Address) -> _Read:
    """Txn 1 (a write unit only for the station's printer binding; it writes nothing)."""
    session = uow.session
    order = load_order(session, order_id)
    if order.status not in SHIPPABLE:
        raise _not_shippable(order)
    printer = printer_for(uow, printer_url)
    fmt = LabelFormat.ZPL if printer.format == "zpl" else LabelFormat.PDF
    plan = plan_in(session, order, uow.now.date(), ship_from, fmt)
    return _Read(plan, fmt, tuple(_intent(r) for r in _open_rows(session, order_id)))


def pick(selection: Selection, service: str | None, number: str) -> tuple[Option, str]:
    """The option asked for (CODE or CARRIER:CODE) or the rules' choice, as `_buy` decides."""
    if not service:
        if selection.chosen is None:
            raise ValidationFailed(f"Order {number}: " + " ".join(selection.notes))
        return selection.chosen, selection.chosen.reason
    carrier_code, _, code = service.rpartition(":")
    wanted = [
        o
        for o in selection.options
        if o.service.lower() == code.lower()
        and (not carrier_code or o.carrier.lower() == carrier_code.lower())
    ]
    if not wanted:
        offered = ", ".join(f"{o.carrier}:{o.service}" for o in selection.options) or "none"
        notes = " ".join(selection.notes)
        raise ValidationFailed(
            f"Order {number} cannot go by {service}; the services offered are {offered}."
            + (f" {notes}" if notes else "")
        )
    chosen = wanted[0]
    if chosen.reason and not chosen.chosen:
        raise ValidationFailed(f"Order {number}: {chosen.service} is {chosen.reason}.")
    return chosen, f"asked for {service}"


@unit_of_work(Permission.PICK_AND_PACK)
def begin_purchase(
    uow: UnitOfWork,
    order_id: int,
    choice: OnlineOption,
    seqs: tuple[int, ...],
    reason: str,
    ship_from: Address = DEFAULT_SHIP_FROM,
) -> tuple[Intent, ...]:
    """Txn 2: the durable intent, committed before any money is spent. If another station (or
    an earlier try) has one open for a package, that one is kept and returned instead."""
    session = uow.session
    order = session.scalars(
        select(Order).where(Order.id == order_id).with_for_update()
    ).one()  # concurrent buyers of one order take turns here
    if order.status not in SHIPPABLE:
        raise _not_shippable(order)
    try:  # checked before buying, as ship_in does: an incomplete declaration buys nothing
        customs.declaration_for(uow, order, ship_from, "")
    except DomainError as exc:
        raise ValidationFailed(str(exc)) from exc
    taken = {r.package_seq: r for r in _open_rows(session, order_id)}
    for seq, quote in zip(seqs, choice.quotes, strict=True):
        if seq in taken:
            continue
        row = PurchaseIntent(
            order_id=order_id, carrier=choice.option.carrier, package_seq=seq,
            shipment_ref=quote.shipment_ref, rate_ref=quote.rate_ref, service=quote.service,
            service_name=quote.service_name, amount=quote.amount, currency=quote.currency,
            reason=reason[:200], status="open", created_at=uow.now,
            created_by_id=uow.actor.user_id,
        )  # fmt: skip
        session.add(row)
        taken[seq] = row
    session.flush()
    uow.audit(
        "ship.intent", "order", order_id, None,
        {"carrier": choice.option.carrier, "service": choice.option.service,
         "shipments": [taken[s].shipment_ref for s in sorted(taken)]},
    )  # fmt: skip
    return tuple(_intent(taken[s]) for s in sorted(taken))


@unit_of_work(Permission.PICK_AND_PACK)
def _abandon(uow: UnitOfWork, intent: Intent, why: str) -> None:
    """The carrier refused to sell that shipment (nothing bought): a new rate may be taken."""
    row = uow.session.get(PurchaseIntent, intent.id)
    if row is not None and row.status == "open":
        row.status, row.finished_at = "abandoned", uow.now
        uow.audit("ship.intent_abandoned", "order", row.order_id, None,
                  {"shipment": row.shipment_ref, "why": why[:200]})  # fmt: skip


@unit_of_work(Permission.PICK_AND_PACK)
def _store(
    uow: UnitOfWork,
    order_id: int,
    intents: tuple[Intent, ...],
    purchases: tuple[Purchase, ...],
    name: str,
    printer_url: str | None,
    ship_from: Address,
) -> ShipResult:
    """Txn 3: the labels become the order's through ship_in; the intents are done with it."""
    first = intents[0]
    result = ship_in(uow, order_id, None, printer_url, ship_from,
                     bought=Bought(purchases, first.carrier, name, first.reason))  # fmt: skip
    for intent in intents:
        row = uow.session.get(PurchaseIntent, intent.id)
        if row is not None:
            row.status, row.finished_at = "bought", uow.now
    return result


def _missing(read: _Read, account: OnlineAccount, service: str) -> OnlineOption:
    """Packages with no open intent (an earlier try bought some, the rest was refused): rate
    just those on the same account and service."""
    have = {i.package_seq for i in read.open_intents}
    plan = read.plan
    idx = [n for n, seq in enumerate(plan.package_seqs) if seq not in have]
    request = replace(plan.request, packages=tuple(plan.request.packages[n] for n in idx))
    found, problems = rate_online([account], request)
    match = next((o for o in found if o.option.service == service), None)
    if match is None:
        raise ValidationFailed(
            f"Order {plan.order_number}: {account.code} no longer offers {service} for the rest "
            f"of the packages. {' '.join(problems)}".strip()
        )
    return match


def _buy_all(
    ctx: ServiceContext, read: _Read, intents: tuple[Intent, ...], account: OnlineAccount
) -> list[Purchase]:
    plan = read.plan
    by_seq = dict(zip(plan.package_seqs, plan.request.packages, strict=True))
    purchases = []
    for intent in intents:
        request = replace(plan.request, packages=(by_seq[intent.package_seq],),
                          label_format=read.label_format)  # fmt: skip
        try:
            purchases.append(account.adapter().buy(request, intent.quote()))
        except CarrierUnavailable as exc:
            raise CarrierDown(
                f"{account.name} did not answer; order {plan.order_number} stays packed; try "
                f"again from the Ship screen (buying again cannot buy a second label). {exc}"
            ) from exc
        except CarrierRejected as exc:
            # The adapter has looked: the shipment has no label, so nothing was bought and the
            # next try may rate afresh. Labels bought for earlier packages stay open to resume.
            _abandon(ctx, intent, str(exc))
            raise ValidationFailed(f"Order {plan.order_number}: no label bought. {exc}") from exc
        except CarrierError as exc:
            raise ValidationFailed(f"Order {plan.order_number}: no label bought. {exc}") from exc
    return purchases


def ship_anywhere(
    ctx: ServiceContext,
    order_id: int,
    service: str | None = None,
    printer_url: str | None = None,
    ship_from: Address = DEFAULT_SHIP_FROM,
) -> ShipResult:
    """labels.ship_order: the rules' choice over rate cards and online carriers alike."""
    read = _read(ctx, order_id, printer_url, ship_from)
    plan = read.plan
    if not plan.online and not read.open_intents:
        return ship_offline(ctx, order_id, service, printer_url, ship_from)
    accounts = {a.code: a for a in plan.online}
    if read.open_intents:  # an earlier try began a purchase: finish that one, never another
        first = read.open_intents[0]
        account = accounts.get(first.carrier)
        if account is None:
            raise ValidationFailed(
                f"Order {plan.order_number} has a purchase begun with {first.carrier}, which is "
                "no longer an active online account. Activate it again to finish the purchase."
            )
        intents = read.open_intents
        if len(intents) < len(plan.package_seqs):
            rest = _missing(read, account, first.service)
            seqs = tuple(s for s in plan.package_seqs if s not in {i.package_seq for i in intents})
            intents = begin_purchase(ctx, order_id, rest, seqs, first.reason, ship_from)
    else:
        online, problems = rate_online(plan.online, plan.request)
        selection = choose(
            [*plan.offline, *(o.option for o in online)], [*plan.problems, *problems],
            plan.rules, plan.facts,
        )  # fmt: skip
        chosen, reason = pick(selection, service, plan.order_number)
        account_ = accounts.get(chosen.carrier)
        if account_ is None:
            # A rate card won: bought in one transaction as before. Without a service asked
            # for, its offline shop makes the same choice (the online options lost to it).
            return ship_offline(ctx, order_id, service, printer_url, ship_from)
        account = account_
        choice = next(
            o
            for o in online
            if (o.option.carrier, o.option.service) == (chosen.carrier, chosen.service)
        )
        intents = begin_purchase(ctx, order_id, choice, plan.package_seqs, reason, ship_from)
    purchases = _buy_all(ctx, read, intents, account)
    name = intents[0].service_name
    return _store(ctx, order_id, intents, tuple(purchases), name, printer_url, ship_from)


@read_only
def open_purchases(session: Session, order_id: int) -> tuple[Intent, ...]:
    """The purchases begun and not finished for an order (for the Ship screen and tests)."""
    return tuple(_intent(r) for r in _open_rows(session, order_id))
