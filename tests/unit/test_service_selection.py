"""Service selection rules: cheapest, fastest, on time, mappings, exclusions, preferred carrier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.service_selection import (
    Exclusion,
    Option,
    RulesError,
    ServiceMapping,
    ShipmentFacts,
    ShippingRules,
    Strategy,
    select_service,
)

TODAY = date(2026, 12, 1)


def opt(carrier: str, service: str, price: str, days: int) -> Option:
    return Option(carrier, service, service, Decimal(price), "EUR", days, TODAY + timedelta(days))


OPTIONS = [
    opt("nord", "STD", "9.45", 3),
    opt("nord", "EXP", "16.31", 1),
    opt("demo", "GROUND", "8.10", 5),
]
FACTS = ShipmentFacts(Decimal(900), Decimal(300), "SE")


def chosen(rules: ShippingRules, facts: ShipmentFacts = FACTS) -> tuple[str, str, str]:
    c = select_service(OPTIONS, rules, facts).chosen
    assert c is not None
    return c.carrier, c.service, c.reason


def test_cheapest_and_fastest() -> None:
    assert chosen(ShippingRules()) == ("demo", "GROUND", "cheapest")
    assert chosen(ShippingRules(Strategy.FASTEST)) == ("nord", "EXP", "fastest")


def test_cheapest_that_still_arrives_by_the_date_or_the_fastest_when_none_does() -> None:
    rules = ShippingRules(Strategy.CHEAPEST_ON_TIME)
    by_4th = ShipmentFacts(Decimal(900), Decimal(300), "SE", deliver_by=TODAY + timedelta(3))
    assert chosen(rules, by_4th) == ("nord", "STD", "cheapest that arrives by 2026-12-04")
    tomorrow_not = ShipmentFacts(Decimal(900), Decimal(300), "SE", deliver_by=TODAY)
    carrier, service, reason = chosen(rules, tomorrow_not)
    assert (carrier, service) == ("nord", "EXP") and reason.startswith("fastest: none arrives")


def test_a_channel_service_maps_to_a_carrier_service_unless_excluded() -> None:
    mapping = (ServiceMapping("Express", "nord", "EXP"),)
    facts = ShipmentFacts(Decimal(900), Decimal(300), "SE", requested_service="express")
    assert chosen(ShippingRules(mappings=mapping), facts)[2] == "the channel asked for express"
    heavy = ShipmentFacts(Decimal(9000), Decimal(300), "SE", requested_service="Express")
    rules = ShippingRules(mappings=mapping, exclusions=(Exclusion("nord", "EXP", Decimal(5000)),))
    selection = select_service(OPTIONS, rules, heavy)
    assert selection.chosen is not None and selection.chosen.service == "GROUND"
    assert "cannot take this shipment" in selection.notes[0]
    express = next(o for o in selection.options if o.service == "EXP")
    assert not express.chosen and express.reason == "excluded: heavier than 5000 g"


def test_exclusions_by_size_and_destination_and_the_preferred_carrier() -> None:
    rules = ShippingRules(
        exclusions=(
            Exclusion(carrier="demo", countries=("SE",)),
            Exclusion(service="STD", max_longest_mm=Decimal(250)),
        )
    )
    selection = select_service(OPTIONS, rules, FACTS)
    reasons = {o.service: o.reason for o in selection.options}
    assert reasons["GROUND"] == "excluded: does not go to SE"
    assert reasons["STD"] == "excluded: a side longer than 250 mm"
    assert selection.chosen is not None and selection.chosen.service == "EXP"
    preferred = ShippingRules(preferred_carrier="nord")
    assert chosen(preferred) == ("nord", "STD", "cheapest of the preferred carrier")


def test_nothing_left_says_so() -> None:
    rules = ShippingRules(exclusions=(Exclusion(countries=("SE",)),))
    selection = select_service(OPTIONS, rules, FACTS)
    assert selection.chosen is None and "No service can take" in selection.notes[-1]


def test_rules_round_trip_through_their_document_and_bad_ones_are_named() -> None:
    rules = ShippingRules(
        Strategy.FASTEST,
        (ServiceMapping("Express", "nord", "EXP"),),
        (Exclusion("nord", "", Decimal("5000.5"), None, ("NO",)),),
        "nord",
    )
    assert ShippingRules.from_doc(rules.as_doc()) == rules
    with pytest.raises(RulesError, match="'slowest' is not one of"):
        ShippingRules.from_doc({"strategy": "slowest"})
    with pytest.raises(RulesError, match="incomplete"):
        ShippingRules.from_doc({"mappings": [{"carrier": "x"}]})


prices = st.decimals(min_value=1, max_value=500, places=2)


@given(st.lists(st.tuples(prices, st.integers(1, 9)), min_size=1, max_size=8))
def test_exactly_one_option_is_chosen_and_it_is_the_cheapest(rows) -> None:
    options = [opt("c", f"S{i}", str(p), d) for i, (p, d) in enumerate(rows)]
    selection = select_service(options, ShippingRules(), FACTS)
    marked = [o for o in selection.options if o.chosen]
    assert len(marked) == 1 and marked[0] == selection.chosen
    assert marked[0].price == min(p for p, _ in rows)
