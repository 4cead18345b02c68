"""Rate-card files (TOML, documented in docs/carriers.md): parse, check, and show as a table."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from wms_desk.domain.errors import DomainError
from wms_desk.domain.rates import (
    RateCard,
    Service,
    Surcharges,
    WeightBreak,
    ZonePrices,
    ZoneRule,
)
from wms_desk.domain.tracking_numbers import CheckRule, TrackingRange

# tomllib hands back plain objects; this is the one place they are read, key by key.
Table = Mapping[str, object]
TOP_KEYS = {"carrier", "tracking", "surcharges", "service", "zone", "price"}


class RateCardFileError(ValueError):
    """A rate-card file cannot be imported; the message names the file, the place and the fix."""


@dataclass(frozen=True)
class RateTableRow:
    """One line of the supervisor's rate table: a service, a zone, a weight break, a price."""

    service: str
    service_name: str
    transit_days: int
    zone: str
    up_to_kg: Decimal | None  # None: each started kg above the last break
    price: Decimal
    currency: str


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> RateCardFileError:
        return RateCardFileError(
            f"Rate card {self.source}: {where}: {problem}. Fix the file and import it again."
        )

    def table(self, data: Table, key: str, allowed: set[str], where: str) -> Table:
        value = data.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(where, f"the [{key}] section is missing")
        self.known(value, allowed, f"[{key}]")
        return value

    def tables(self, data: Table, key: str, allowed: set[str]) -> list[Table]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"[[{key}]]", "write each entry as its own [[" + key + "]] block")
        for i, item in enumerate(value, 1):
            self.known(item, allowed, f"[[{key}]] #{i}")
        return list(value)

    def known(self, data: Table, allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(
                where, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
            )

    def text(self, data: Table, key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(where, f"{key} must be text in quotes")
        return value.strip()

    def number(
        self,
        data: Table,
        key: str,
        where: str,
        default: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(where, f"{key} must be a number (like 5.90), not {value!r}")
        number = Decimal(value)
        if number < 0 or (positive and number == 0):
            raise self.fail(where, f"{key} must be {'above' if positive else 'at least'} 0")
        return number

    def optional(self, data: Table, key: str, where: str) -> Decimal | None:
        return None if key not in data else self.number(data, key, where, positive=True)

    def integer(self, data: Table, key: str, where: str, default: int | None = None) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(where, f"{key} must be a whole number, 0 or more")
        return value

    def flag(self, data: Table, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, f"{key} must be true or false")
        return value


def parse_rate_card(text: str, source: str = "(text)") -> RateCard:
    r = _Reader(source)
    try:
        # parse_float=Decimal: 5.90 in the file is exactly 5.90, never a binary float.
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise r.fail("not valid TOML", str(exc)) from exc
    r.known(data, TOP_KEYS, "top level")
    head = r.table(
        data,
        "carrier",
        {
            "code",
            "name",
            "currency",
            "dim_divisor",
            "void_window_hours",
            "multi_piece",
            "tracking_url",
        },
        "[carrier]",
    )
    currency = r.text(head, "currency", "[carrier]").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise r.fail("[carrier]", f"currency must be a 3-letter code like EUR, not {currency!r}")
    services = tuple(
        Service(
            r.text(s, "code", f"[[service]] #{i}"),
            r.text(s, "name", f"[[service]] #{i}"),
            r.integer(s, "transit_days", f"[[service]] #{i}"),
        )
        for i, s in enumerate(r.tables(data, "service", {"code", "name", "transit_days"}), 1)
    )
    if not services:
        raise r.fail("[[service]]", "the card has no services")
    zones = tuple(
        ZoneRule(
            r.text(z, "country", f"[[zone]] #{i}").upper(),
            r.text(z, "postal_prefix", f"[[zone]] #{i}", default=""),
            r.text(z, "zone", f"[[zone]] #{i}"),
            r.text(z, "routing", f"[[zone]] #{i}", default=""),
        )
        for i, z in enumerate(
            r.tables(data, "zone", {"country", "postal_prefix", "zone", "routing"}), 1
        )
    )
    service_codes = {s.code for s in services}
    zone_names = {z.zone for z in zones}
    prices = []
    for i, p in enumerate(
        r.tables(data, "price", {"service", "zone", "breaks", "per_extra_kg"}), 1
    ):
        where = f"[[price]] #{i}"
        service, zone = r.text(p, "service", where), r.text(p, "zone", where)
        if service not in service_codes:
            raise r.fail(where, f"service {service!r} is not one of the [[service]] codes")
        if zone not in zone_names:
            raise r.fail(where, f"zone {zone!r} is not used by any [[zone]]")
        prices.append(
            ZonePrices(service, zone, _breaks(r, p, where), r.optional(p, "per_extra_kg", where))
        )
    card = RateCard(
        code=r.text(head, "code", "[carrier]"),
        carrier=r.text(head, "name", "[carrier]"),
        currency=currency,
        dim_divisor=r.number(head, "dim_divisor", "[carrier]", positive=True),
        services=services,
        zones=zones,
        prices=tuple(prices),
        surcharges=_surcharges(r, data),
        tracking=_tracking(r, data),
        void_window_hours=r.integer(head, "void_window_hours", "[carrier]", default=24),
        multi_piece=r.flag(head, "multi_piece", "[carrier]", default=True),
        tracking_url=_tracking_url(r, head),
    )
    return card


def _tracking_url(r: _Reader, head: Table) -> str:
    url = r.text(head, "tracking_url", "[carrier]", default="")
    if url and (not url.startswith(("https://", "http://")) or "{tracking}" not in url):
        raise r.fail(
            "[carrier]",
            "tracking_url must be an http(s) link with {tracking} where the number goes, "
            "such as https://carrier.example/track?id={tracking}",
        )
    return url


def _breaks(r: _Reader, p: Table, where: str) -> tuple[WeightBreak, ...]:
    raw = p.get("breaks")
    if not isinstance(raw, list) or not raw:
        raise r.fail(where, "breaks must be a list of [max_kg, price] pairs")
    out: list[WeightBreak] = []
    for j, pair in enumerate(raw, 1):
        if not isinstance(pair, list) or len(pair) != 2:
            raise r.fail(where, f"weight break {j} must be [max_kg, price], not {pair!r}")
        values = {"max_kg": pair[0], "price": pair[1]}
        kg = r.number(values, "max_kg", f"{where} weight break {j}", positive=True)
        price = r.number(values, "price", f"{where} weight break {j}")
        if out and kg * 1000 <= out[-1].max_weight_g:
            raise r.fail(where, f"weight break {j} ({kg} kg) must be heavier than the one before")
        out.append(WeightBreak(kg * 1000, price))
    return tuple(out)


def _surcharges(r: _Reader, data: Table) -> Surcharges:
    if "surcharges" not in data:
        return Surcharges()
    allowed = {
        "residential", "oversize", "oversize_longest_cm", "oversize_girth_cm",
        "oversize_weight_kg", "fuel_percent", "fuel_on_surcharges",
    }  # fmt: skip
    s = r.table(data, "surcharges", allowed, "[surcharges]")
    w = "[surcharges]"

    def scaled(key: str, factor: int) -> Decimal | None:
        value = r.optional(s, key, w)
        return None if value is None else value * factor

    return Surcharges(
        residential=r.number(s, "residential", w, default=Decimal(0)),
        oversize=r.number(s, "oversize", w, default=Decimal(0)),
        oversize_longest_mm=scaled("oversize_longest_cm", 10),
        oversize_girth_mm=scaled("oversize_girth_cm", 10),
        oversize_weight_g=scaled("oversize_weight_kg", 1000),
        fuel_percent=r.number(s, "fuel_percent", w, default=Decimal(0)),
        fuel_on_surcharges=r.flag(s, "fuel_on_surcharges", w, default=True),
    )


def _tracking(r: _Reader, data: Table) -> TrackingRange | None:
    if "tracking" not in data:
        return None
    w = "[tracking]"
    t = r.table(data, "tracking", {"prefix", "start", "end", "rule", "suffix", "digits"}, w)
    rule_text = r.text(t, "rule", w, default="none").lower()
    try:
        rule = CheckRule(rule_text)
    except ValueError:
        rules = ", ".join(c.value for c in CheckRule)
        raise r.fail(w, f"rule {rule_text!r} is not one of {rules}") from None
    try:
        return TrackingRange(
            prefix=r.text(t, "prefix", w, default=""),
            start=r.integer(t, "start", w),
            end=r.integer(t, "end", w),
            rule=rule,
            suffix=r.text(t, "suffix", w, default=""),
            digits=r.integer(t, "digits", w, default=0),
        )
    except DomainError as exc:
        raise r.fail(w, str(exc).rstrip(".")) from exc


def load_rate_card(path: Path) -> RateCard:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RateCardFileError(f"Rate card {path} cannot be read: {exc}.") from exc
    return parse_rate_card(text, str(path))


def rate_table(card: RateCard) -> tuple[RateTableRow, ...]:
    """The card as rows for the supervisor's table: service, zone, weight break, price."""
    rows: list[RateTableRow] = []
    for prices in card.prices:
        service = card.service(prices.service)
        for wb in prices.breaks:
            rows.append(
                RateTableRow(
                    service.code,
                    service.name,
                    service.transit_days,
                    prices.zone,
                    wb.max_weight_g / 1000,
                    wb.price,
                    card.currency,
                )
            )
        if prices.per_extra_kg is not None:
            rows.append(
                RateTableRow(
                    service.code,
                    service.name,
                    service.transit_days,
                    prices.zone,
                    None,
                    prices.per_extra_kg,
                    card.currency,
                )
            )
    return tuple(rows)
