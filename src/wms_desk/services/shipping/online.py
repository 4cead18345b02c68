"""Online carriers (EasyPost): their accounts as plain values, and rating them with no session."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, RateQuote, ShipmentRequest
from wms_desk.carriers.easypost import EasyPostCarrier, EasyPostConfig
from wms_desk.domain.service_selection import Option
from wms_desk.services.shipping.accounts import active_accounts, easypost_adapter, easypost_config

ONLINE_KINDS = ("easypost",)


@dataclass(frozen=True)
class OnlineAccount:
    """Read in a short transaction; used after it, when the network calls are made."""

    code: str
    name: str
    config: EasyPostConfig

    def adapter(self) -> EasyPostCarrier:
        return easypost_adapter(self.config)


@dataclass(frozen=True)
class OnlineOption:
    """One service of an online account for the whole order: the option the rules see, and the
    carrier's quote (its shipment and rate ids) for each package, in package order."""

    option: Option
    quotes: tuple[RateQuote, ...]


def online_accounts(session: Session) -> list[OnlineAccount]:
    return [
        OnlineAccount(a.code, a.name, easypost_config(a))
        for a in active_accounts(session, ONLINE_KINDS)
    ]


def rate_packages(
    account: OnlineAccount, request: ShipmentRequest
) -> tuple[list[OnlineOption], str]:
    """Rate each package as its own shipment (EasyPost sells one label per shipment); a service
    is offered when every package has it, at the sum of their prices. Call with no transaction
    open: these are network calls. Returns the options, or a note saying why there are none."""
    per_package: list[dict[str, RateQuote]] = []
    for package in request.packages:
        try:
            quotes = account.adapter().rate(replace(request, packages=(package,)))
        except CarrierError as exc:
            return [], f"{account.code}: {exc}"
        per_package.append({q.service: q for q in quotes})
    if not per_package:
        return [], f"{account.code}: the order has no packages."
    common = [s for s in per_package[0] if all(s in other for other in per_package[1:])]
    options = []
    for service in common:
        chosen = tuple(by_service[service] for by_service in per_package)
        days = [q.transit_days for q in chosen]
        dates = [q.delivery_date for q in chosen]
        first = chosen[0]
        option = Option(
            account.code,
            service,
            first.service_name,
            sum((q.amount for q in chosen), Decimal(0)),
            first.currency,
            None if None in days else max(d for d in days if d is not None),
            None if None in dates else max(d for d in dates if d is not None),
        )
        options.append(OnlineOption(option, chosen))
    if not options:
        return [], f"{account.code}: no service takes every package of order {request.reference}."
    return options, ""


def rate_online(
    accounts: tuple[OnlineAccount, ...] | list[OnlineAccount], request: ShipmentRequest
) -> tuple[list[OnlineOption], list[str]]:
    """Every online account's options; one that is down or refuses is a note, not a failure."""
    options: list[OnlineOption] = []
    problems: list[str] = []
    for account in accounts:
        found, problem = rate_packages(account, request)
        options += found
        if problem:
            problems.append(problem)
    return options, problems
