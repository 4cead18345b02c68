"""Service selection: which rated carrier service a shipment takes, and why, from editable rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from wms_desk.domain.errors import DomainError


class RulesError(DomainError):
    """A rules document a supervisor saved cannot be read; the message names the field."""


class Strategy(StrEnum):
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    CHEAPEST_ON_TIME = "cheapest_on_time"  # cheapest that still delivers by the order's date


@dataclass(frozen=True)
class ServiceMapping:
    """A channel's service name (e.g. Shopify's "Express") and the carrier service it means."""

    channel_service: str
    carrier: str
    service: str


@dataclass(frozen=True)
class Exclusion:
    """Never offer `carrier`/`service` ("" = any) when the shipment breaks one of the limits."""

    carrier: str = ""
    service: str = ""
    max_weight_g: Decimal | None = None
    max_longest_mm: Decimal | None = None
    countries: tuple[str, ...] = ()  # destinations this service must not go to

    def applies_to(self, option: Option) -> bool:
        return self.carrier in ("", option.carrier) and self.service in ("", option.service)

    def reason(self, facts: ShipmentFacts) -> str | None:
        if self.max_weight_g is not None and facts.weight_g > self.max_weight_g:
            return f"excluded: heavier than {self.max_weight_g} g"
        if self.max_longest_mm is not None and facts.longest_mm > self.max_longest_mm:
            return f"excluded: a side longer than {self.max_longest_mm} mm"
        if facts.country.upper() in self.countries:
            return f"excluded: does not go to {facts.country.upper()}"
        return None


@dataclass(frozen=True)
class ShippingRules:
    strategy: Strategy = Strategy.CHEAPEST
    mappings: tuple[ServiceMapping, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    preferred_carrier: str = ""

    def as_doc(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy.value,
            "preferred_carrier": self.preferred_carrier,
            "mappings": [
                {"channel_service": m.channel_service, "carrier": m.carrier, "service": m.service}
                for m in self.mappings
            ],
            "exclusions": [
                {
                    "carrier": e.carrier,
                    "service": e.service,
                    "max_weight_g": None if e.max_weight_g is None else str(e.max_weight_g),
                    "max_longest_mm": None if e.max_longest_mm is None else str(e.max_longest_mm),
                    "countries": list(e.countries),
                }
                for e in self.exclusions
            ],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ShippingRules:
        try:
            strategy = Strategy(doc.get("strategy") or Strategy.CHEAPEST.value)
        except ValueError as exc:
            choices = ", ".join(s.value for s in Strategy)
            raise RulesError(f"Strategy {doc.get('strategy')!r} is not one of {choices}.") from exc
        try:
            mappings = tuple(
                ServiceMapping(str(m["channel_service"]), str(m["carrier"]), str(m["service"]))
                for m in doc.get("mappings") or ()
            )
            exclusions = tuple(
                Exclusion(
                    str(e.get("carrier") or ""),
                    str(e.get("service") or ""),
                    _decimal(e.get("max_weight_g")),
                    _decimal(e.get("max_longest_mm")),
                    tuple(str(c).upper() for c in e.get("countries") or ()),
                )
                for e in doc.get("exclusions") or ()
            )
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise RulesError(f"A shipping rule is incomplete or malformed ({exc}).") from exc
        return cls(strategy, mappings, exclusions, str(doc.get("preferred_carrier") or ""))


def _decimal(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@dataclass(frozen=True)
class Option:
    """One rated service, as the rate shop shows it."""

    carrier: str
    service: str
    service_name: str
    price: Decimal
    currency: str
    transit_days: int | None
    delivery_date: date | None
    chosen: bool = False
    reason: str = ""  # why it was chosen, or why it cannot be


@dataclass(frozen=True)
class ShipmentFacts:
    weight_g: Decimal  # the heaviest package
    longest_mm: Decimal
    country: str
    requested_service: str = ""  # what the channel asked for
    deliver_by: date | None = None


@dataclass(frozen=True)
class Selection:
    options: tuple[Option, ...]
    chosen: Option | None = None
    notes: tuple[str, ...] = field(default=())


def _speed(o: Option) -> tuple[int, Decimal]:
    return (o.transit_days if o.transit_days is not None else 10**6, o.price)


def _cost(o: Option) -> tuple[Decimal, int]:
    return (o.price, o.transit_days if o.transit_days is not None else 10**6)


def _pick(candidates: list[Option], rules: ShippingRules, facts: ShipmentFacts) -> Option:
    if rules.strategy is Strategy.FASTEST:
        return replace(min(candidates, key=_speed), reason="fastest")
    if rules.strategy is Strategy.CHEAPEST_ON_TIME and facts.deliver_by is not None:
        on_time = [
            o
            for o in candidates
            if o.delivery_date is not None and o.delivery_date <= facts.deliver_by
        ]
        if on_time:
            best = min(on_time, key=_cost)
            return replace(best, reason=f"cheapest that arrives by {facts.deliver_by.isoformat()}")
        best = min(candidates, key=_speed)
        return replace(
            best, reason=f"fastest: none arrives by {facts.deliver_by.isoformat()}, this is closest"
        )
    return replace(min(candidates, key=_cost), reason="cheapest")


def select_service(options: list[Option], rules: ShippingRules, facts: ShipmentFacts) -> Selection:
    """Mark exclusions, then the one option the rules choose, each with the reason in words."""
    marked: list[Option] = []
    for option in options:
        reason = next(
            (r for e in rules.exclusions if e.applies_to(option) and (r := e.reason(facts))), None
        )
        marked.append(replace(option, reason=reason or ""))
    candidates = [o for o in marked if not o.reason]
    notes: list[str] = []
    chosen: Option | None = None
    if facts.requested_service:
        wanted = facts.requested_service.strip().lower()
        mapping = next((m for m in rules.mappings if m.channel_service.lower() == wanted), None)
        if mapping is not None:
            chosen = next(
                (
                    o
                    for o in candidates
                    if (o.carrier, o.service) == (mapping.carrier, mapping.service)
                ),
                None,
            )
            if chosen is not None:
                chosen = replace(chosen, reason=f"the channel asked for {facts.requested_service}")
            else:
                notes.append(
                    f"The channel's {facts.requested_service} means {mapping.carrier} "
                    f"{mapping.service}, which cannot take this shipment; chosen by the rules."
                )
    if chosen is None and candidates:
        preferred = [o for o in candidates if o.carrier == rules.preferred_carrier]
        chosen = _pick(preferred or candidates, rules, facts)
        if preferred:
            chosen = replace(chosen, reason=f"{chosen.reason} of the preferred carrier")
    if chosen is None:
        notes.append("No service can take this shipment: every option is excluded or refused.")
    result = tuple(
        replace(chosen, chosen=True)
        if chosen is not None and (o.carrier, o.service) == (chosen.carrier, chosen.service)
        else o
        for o in marked
    )
    final = next((o for o in result if o.chosen), None)
    return Selection(result, final, tuple(notes))
