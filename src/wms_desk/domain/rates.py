"""Rate-card arithmetic: zones, weight breaks, dimensional weight, surcharges and fuel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from wms_desk.domain.errors import DomainError
from wms_desk.domain.tracking_numbers import TrackingRange

CENT = Decimal("0.01")
ZERO = Decimal(0)
GRAMS_PER_KG = Decimal(1000)


class RateError(DomainError):
    """A shipment cannot be rated from this rate card; the message says why and what to do."""


def money(amount: Decimal) -> Decimal:
    """Round to cents, half up, as carriers invoice (two-decimal currencies only)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    transit_days: int


@dataclass(frozen=True)
class ZoneRule:
    """Destinations in `country` whose postal code starts with `postal_prefix` ("" = all)."""

    country: str
    postal_prefix: str
    zone: str
    routing_code: str = ""


@dataclass(frozen=True)
class WeightBreak:
    """The price of a package whose billable weight is at most `max_weight_g`."""

    max_weight_g: Decimal
    price: Decimal


@dataclass(frozen=True)
class ZonePrices:
    """One service's prices to one zone: ascending weight breaks, then an optional price per
    started kilogram above the last break (None: heavier packages cannot go this way)."""

    service: str
    zone: str
    breaks: tuple[WeightBreak, ...]
    per_extra_kg: Decimal | None = None


@dataclass(frozen=True)
class Surcharges:
    residential: Decimal = ZERO  # once per shipment to a home address
    oversize: Decimal = ZERO  # per package over any of the limits below
    oversize_longest_mm: Decimal | None = None
    oversize_girth_mm: Decimal | None = None  # length + girth: L + 2 x (W + H)
    oversize_weight_g: Decimal | None = None
    fuel_percent: Decimal = ZERO
    fuel_on_surcharges: bool = True  # fuel is charged on base + surcharges, or on base only


@dataclass(frozen=True)
class RateCard:
    """Everything needed to rate and number a shipment offline, as imported from a file."""

    code: str
    carrier: str
    currency: str
    dim_divisor: Decimal  # cm3 per kg (5000 is common for couriers, 6000 for postal)
    services: tuple[Service, ...]
    zones: tuple[ZoneRule, ...]
    prices: tuple[ZonePrices, ...]
    surcharges: Surcharges = Surcharges()
    tracking: TrackingRange | None = None
    void_window_hours: int = 24
    multi_piece: bool = True
    # The carrier's tracking page with {tracking} where the number goes ("" = no link).
    tracking_url: str = ""

    def service(self, code: str) -> Service:
        for service in self.services:
            if service.code == code:
                return service
        known = ", ".join(s.code for s in self.services)
        raise RateError(
            f"{self.carrier} has no service {code!r} on rate card {self.code} (it has: {known})."
        )

    def prices_for(self, service: str, zone: str) -> ZonePrices | None:
        for prices in self.prices:
            if prices.service == service and prices.zone == zone:
                return prices
        return None


@dataclass(frozen=True)
class Parcel:
    """One package as the rate card sees it: actual weight and outer dimensions."""

    weight_g: Decimal
    length_mm: Decimal
    width_mm: Decimal
    height_mm: Decimal


@dataclass(frozen=True)
class Charge:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class PackageRate:
    actual_g: Decimal
    dimensional_g: Decimal
    billable_g: Decimal
    base: Decimal


@dataclass(frozen=True)
class RateBreakdown:
    """A priced shipment: what each part costs, so a supervisor can check it by hand."""

    service: Service
    zone: ZoneRule
    currency: str
    packages: tuple[PackageRate, ...]
    base: Decimal
    surcharges: tuple[Charge, ...]
    fuel: Decimal
    total: Decimal


def normalise_postal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def find_zone(zones: tuple[ZoneRule, ...], country: str, postal_code: str) -> ZoneRule | None:
    """The rule for the longest postal prefix matching the destination in its country."""
    country = country.strip().upper()
    postal = normalise_postal(postal_code)
    best: ZoneRule | None = None
    for rule in zones:
        prefix = normalise_postal(rule.postal_prefix)
        if (
            rule.country.upper() == country
            and postal.startswith(prefix)
            and (best is None or len(prefix) > len(normalise_postal(best.postal_prefix)))
        ):
            best = rule
    return best


def dimensional_weight_g(parcel: Parcel, divisor: Decimal) -> Decimal:
    """Volume in cm3 (each side rounded up to a whole cm) / divisor, in whole grams rounded up."""
    sides = [_ceil(mm / 10) for mm in (parcel.length_mm, parcel.width_mm, parcel.height_mm)]
    volume_cm3 = sides[0] * sides[1] * sides[2]
    return _ceil(volume_cm3 * GRAMS_PER_KG / divisor)


def billable_weight_g(parcel: Parcel, divisor: Decimal) -> Decimal:
    return max(_ceil(parcel.weight_g), dimensional_weight_g(parcel, divisor))


def break_price(prices: ZonePrices, weight_g: Decimal, carrier: str) -> Decimal:
    """Price of the first break that holds `weight_g`, or the last break plus started kilos."""
    for wb in sorted(prices.breaks, key=lambda b: b.max_weight_g):
        if weight_g <= wb.max_weight_g:
            return wb.price
    last = max(prices.breaks, key=lambda b: b.max_weight_g)
    if prices.per_extra_kg is None:
        raise RateError(
            f"{carrier} {prices.service} to zone {prices.zone} takes packages up to "
            f"{last.max_weight_g / GRAMS_PER_KG} kg; this one is billed at "
            f"{weight_g / GRAMS_PER_KG} kg. Split it into smaller packages or choose another "
            "service."
        )
    extra_kg = _ceil((weight_g - last.max_weight_g) / GRAMS_PER_KG)
    return last.price + extra_kg * prices.per_extra_kg


def is_oversize(parcel: Parcel, s: Surcharges) -> bool:
    sides = sorted((parcel.length_mm, parcel.width_mm, parcel.height_mm), reverse=True)
    girth = sides[0] + 2 * (sides[1] + sides[2])
    return (
        (s.oversize_longest_mm is not None and sides[0] > s.oversize_longest_mm)
        or (s.oversize_girth_mm is not None and girth > s.oversize_girth_mm)
        or (s.oversize_weight_g is not None and parcel.weight_g > s.oversize_weight_g)
    )


def rate(
    card: RateCard,
    service_code: str,
    country: str,
    postal_code: str,
    parcels: tuple[Parcel, ...],
    residential: bool = False,
) -> RateBreakdown:
    """Price a shipment of `parcels` on one service of `card` to one destination."""
    if not parcels:
        raise RateError("A shipment needs at least one package to be rated.")
    if len(parcels) > 1 and not card.multi_piece:
        raise RateError(
            f"{card.carrier} takes one package per shipment; ship each package on its own."
        )
    service = card.service(service_code)
    zone = find_zone(card.zones, country, postal_code)
    if zone is None:
        raise RateError(
            f"{card.carrier} (rate card {card.code}) does not deliver to {country} "
            f"{postal_code}: no zone matches. Choose another carrier or add the zone to the "
            "rate card."
        )
    prices = card.prices_for(service.code, zone.zone)
    if prices is None or not prices.breaks:
        raise RateError(
            f"{card.carrier} {service.name} has no prices for zone {zone.zone} ({country} "
            f"{postal_code}). Choose another service."
        )
    rated = []
    for parcel in parcels:
        dim = dimensional_weight_g(parcel, card.dim_divisor)
        billable = max(_ceil(parcel.weight_g), dim)
        rated.append(
            PackageRate(parcel.weight_g, dim, billable, break_price(prices, billable, card.carrier))
        )
    base = money(sum((p.base for p in rated), ZERO))
    s = card.surcharges
    charges: list[Charge] = []
    if residential and s.residential:
        charges.append(Charge("residential", money(s.residential)))
    oversize_count = sum(1 for p in parcels if is_oversize(p, s))
    if oversize_count and s.oversize:
        charges.append(Charge("oversize", money(s.oversize * oversize_count)))
    surcharge_total = sum((c.amount for c in charges), ZERO)
    fuel_base = base + surcharge_total if s.fuel_on_surcharges else base
    fuel = money(fuel_base * s.fuel_percent / 100)
    return RateBreakdown(
        service=service,
        zone=zone,
        currency=card.currency,
        packages=tuple(rated),
        base=base,
        surcharges=tuple(charges),
        fuel=fuel,
        total=base + surcharge_total + fuel,
    )
