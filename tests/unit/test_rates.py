"""Rate arithmetic on a small hand-checked card: each expected figure is worked out beside it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.rates import (
    Parcel,
    RateCard,
    RateError,
    Service,
    Surcharges,
    WeightBreak,
    ZonePrices,
    ZoneRule,
    billable_weight_g,
    dimensional_weight_g,
    find_zone,
    rate,
)

CARD = RateCard(
    code="NP-2026",
    carrier="Nordpost",
    currency="EUR",
    dim_divisor=D(5000),
    services=(Service("STD", "Standard", 3), Service("EXP", "Express", 1)),
    zones=(
        ZoneRule("SE", "", "Z2", "SE-X"),
        ZoneRule("SE", "1", "Z1", "STO"),
        ZoneRule("SE", "11", "Z1", "STO-C"),
        ZoneRule("NO", "", "Z3", "OSL"),
    ),
    prices=(
        ZonePrices(
            "STD", "Z1",
            (WeightBreak(D(1000), D("5.90")), WeightBreak(D(5000), D("8.50")),
             WeightBreak(D(10000), D("12.00"))),
            per_extra_kg=D("1.20"),
        ),
        ZonePrices(
            "STD", "Z2",
            (WeightBreak(D(1000), D("6.90")), WeightBreak(D(5000), D("9.50")),
             WeightBreak(D(10000), D("14.00"))),
        ),
        ZonePrices("EXP", "Z1",
                   (WeightBreak(D(1000), D("12.00")), WeightBreak(D(5000), D("18.00")))),
    ),
    surcharges=Surcharges(
        residential=D("2.50"),
        oversize=D("15.00"),
        oversize_longest_mm=D(1200),
        oversize_girth_mm=D(3000),
        oversize_weight_g=D(30000),
        fuel_percent=D("12.5"),
    ),
)  # fmt: skip

SMALL = Parcel(D(900), D(400), D(300), D(100))  # 40x30x10 cm = 12000 cm3 / 5000 = 2.4 kg


def box(weight_g: int, length: int, width: int, height: int) -> Parcel:
    return Parcel(D(weight_g), D(length), D(width), D(height))


@pytest.mark.parametrize(
    ("country", "postal", "zone", "routing"),
    [
        ("SE", "114 55", "Z1", "STO-C"),  # longest prefix "11" beats "1" and ""
        ("SE", "16440", "Z1", "STO"),
        ("se", "411 01", "Z2", "SE-X"),  # whole country
        ("NO", "0150", "Z3", "OSL"),
    ],
)
def test_zone_lookup_takes_the_longest_prefix(
    country: str, postal: str, zone: str, routing: str
) -> None:
    rule = find_zone(CARD.zones, country, postal)
    assert rule is not None and (rule.zone, rule.routing_code) == (zone, routing)


def test_no_zone_is_a_clear_refusal() -> None:
    assert find_zone(CARD.zones, "DK", "1000") is None
    with pytest.raises(RateError, match="does not deliver to DK 1000"):
        rate(CARD, "STD", "DK", "1000", (box(500, 100, 100, 100),))


@pytest.mark.parametrize(
    ("grams", "price"),
    [
        (1000, "5.90"),  # exactly on the break
        (1001, "8.50"),  # one gram over goes to the next
        (5000, "8.50"),
        (10000, "12.00"),
        (12500, "15.60"),  # 12.00 + 3 started kg (2.5 -> 3) x 1.20
    ],
)
def test_weight_breaks(grams: int, price: str) -> None:
    b = rate(CARD, "STD", "SE", "16440", (box(grams, 100, 100, 100),))
    assert b.base == D(price)


def test_over_the_last_break_without_extra_kg_price_is_refused() -> None:
    with pytest.raises(RateError, match="up to 10 kg"):
        rate(CARD, "STD", "SE", "41101", (box(10001, 100, 100, 100),))


def test_dimensional_weight_wins_over_actual_weight() -> None:
    assert dimensional_weight_g(SMALL, CARD.dim_divisor) == D(2400)
    assert billable_weight_g(SMALL, CARD.dim_divisor) == D(2400)  # not the actual 900 g
    b = rate(CARD, "STD", "SE", "16440", (SMALL,))
    assert b.packages[0].billable_g == D(2400)
    assert b.base == D("8.50")  # the 1-5 kg break, where 900 g alone would cost 5.90
    # Each side is rounded up to a whole cm first: 40 x 31 x 10 = 12400 cm3 -> 2.48 kg.
    assert dimensional_weight_g(box(1, 395, 301, 99), CARD.dim_divisor) == D(2480)
    # Heavy and small: the actual weight wins.
    assert billable_weight_g(box(4000, 100, 100, 100), CARD.dim_divisor) == D(4000)


def test_residential_surcharge_and_fuel_on_base_and_surcharges() -> None:
    b = rate(CARD, "STD", "SE", "16440", (SMALL,), residential=True)
    assert b.base == D("8.50")
    assert [(c.name, c.amount) for c in b.surcharges] == [("residential", D("2.50"))]
    assert b.fuel == D("1.38")  # 12.5 % of 11.00 = 1.375, rounded half up
    assert b.total == D("12.38")


def test_fuel_on_base_only() -> None:
    card = replace(CARD, surcharges=replace(CARD.surcharges, fuel_on_surcharges=False))
    b = rate(card, "STD", "SE", "16440", (SMALL,), residential=True)
    assert b.fuel == D("1.06")  # 12.5 % of 8.50 = 1.0625
    assert b.total == D("12.06")


def test_oversize_per_package_and_multi_piece_total() -> None:
    # 130 x 20 x 20 cm = 52000 cm3 -> 10.4 kg billable: 12.00 + 1 started kg x 1.20 = 13.20.
    long_box = box(5000, 1300, 200, 200)
    b = rate(CARD, "STD", "SE", "16440", (long_box,))
    assert b.base == D("13.20")
    assert [(c.name, c.amount) for c in b.surcharges] == [("oversize", D("15.00"))]
    assert b.fuel == D("3.53")  # 12.5 % of 28.20 = 3.525
    assert b.total == D("31.73")
    two = rate(CARD, "STD", "SE", "16440", (long_box, SMALL))
    assert two.base == D("21.70")  # 13.20 + 8.50
    assert two.fuel == D("4.59")  # 12.5 % of 36.70 = 4.5875
    assert two.total == D("41.29")


@pytest.mark.parametrize(
    ("parcel", "oversize"),
    [
        (box(1000, 1200, 100, 100), False),  # longest side exactly at the limit
        (box(1000, 1000, 500, 400), False),  # girth 1000 + 2 x 900 = 2800
        (box(1000, 1000, 600, 450), True),  # girth 1000 + 2 x 1050 = 3100
        (box(30001, 100, 100, 100), True),  # over 30 kg
    ],
)
def test_oversize_limits(parcel: Parcel, oversize: bool) -> None:
    card = replace(CARD, prices=(replace(CARD.prices[0], per_extra_kg=D("1.20")),))
    b = rate(card, "STD", "SE", "16440", (parcel,))
    assert any(c.name == "oversize" for c in b.surcharges) is oversize


def test_unknown_service_and_missing_prices_are_explained() -> None:
    with pytest.raises(RateError, match=r"no service 'ECO'.*STD, EXP"):
        rate(CARD, "ECO", "SE", "16440", (SMALL,))
    with pytest.raises(RateError, match="Express has no prices for zone Z3"):
        rate(CARD, "EXP", "NO", "0150", (SMALL,))


def test_single_piece_cards_refuse_several_packages() -> None:
    card = replace(CARD, multi_piece=False)
    with pytest.raises(RateError, match="one package per shipment"):
        rate(card, "STD", "SE", "16440", (SMALL, SMALL))


@given(
    grams=st.integers(1, 40000),
    more=st.integers(0, 5000),
    sides=st.tuples(st.integers(10, 800), st.integers(10, 800), st.integers(10, 800)),
    residential=st.booleans(),
)
def test_a_heavier_package_never_costs_less_and_the_parts_add_up(
    grams: int, more: int, sides: tuple[int, int, int], residential: bool
) -> None:
    light = rate(CARD, "STD", "SE", "16440", (box(grams, *sides),), residential)
    heavy = rate(CARD, "STD", "SE", "16440", (box(grams + more, *sides),), residential)
    assert heavy.base >= light.base
    for b in (light, heavy):
        assert b.total == b.base + sum(c.amount for c in b.surcharges) + b.fuel
        assert b.packages[0].billable_g >= b.packages[0].actual_g
